package dev.stepchat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch files of the tests (a restartable database's data, a browser profile, a second
 * replica's log), kept under target/scratch rather than the machine's /tmp: a clean build removes
 * whatever a killed run left behind, and nothing piles up across runs on a CI machine.
 */
public final class Scratch {

    private static final Path ROOT = Path.of("target", "scratch").toAbsolutePath();

    private Scratch() {}

    /** A new, empty folder. */
    public static Path folder(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(ROOT), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty file (kept, to be read after a failure). */
    public static Path file(String prefix, String suffix) {
        try {
            return Files.createTempFile(Files.createDirectories(ROOT), prefix, suffix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and everything in it; what cannot be deleted is left for the next clean build. */
    public static void delete(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Left " + folder + ": " + e);
        }
    }
}
