package dev.stepchat.file;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

/** Deletes the files no message uses, {@code stepchat.files.unused-for} after their upload, and deleted ones. */
@ApplicationScoped
class FileCleanup {

    private final Files files;

    FileCleanup(Files files) {
        this.files = files;
    }

    @Scheduled(
            every = "${stepchat.files.cleanup-every:10M}",
            delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        int deleted = files.deleteUnused();
        if (deleted > 0) {
            Log.infof("File cleanup deleted %d files no message uses", deleted);
        }
    }
}
