package dev.stepchat.idempotency;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

import dev.stepchat.config.ChatConfig;

/** Deletes idempotency keys past their retention, on every replica (the DELETE is idempotent). */
@ApplicationScoped
public class IdempotencyPurge {

    private final IdempotencyStore store;
    private final ChatConfig config;

    IdempotencyPurge(IdempotencyStore store, ChatConfig config) {
        this.store = store;
        this.config = config;
    }

    @Scheduled(
            every = "${stepchat.idempotency.purge-every}",
            delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        int purged = store.purgeOlderThan(config.idempotency().retention());
        if (purged > 0) {
            Log.infof(
                    "Purged %d idempotency keys older than %s",
                    purged, config.idempotency().retention());
        }
    }
}
