package dev.stepchat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL of its own for the tests that stop and start the database under the service: same
 * port and data folder every time, so the service's pool sees the server go away and come back.
 */
public class RestartablePostgresResource implements QuarkusTestResourceLifecycleManager {

    private static Path dataDir;
    private static int port;
    private static EmbeddedPostgres server;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Scratch.folder("restartable-postgres");
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startServer();
        return Map.of(
                "quarkus.datasource.jdbc.url",
                "jdbc:postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.username",
                "postgres",
                "quarkus.datasource.password",
                "postgres");
    }

    /** Starts the server again on its port and data (the first start makes them). */
    public static synchronized void startServer() {
        try {
            server = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir.toFile())
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server at once (fast shutdown: open connections are cut). */
    public static synchronized void stopServer() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server's processes (SIGSTOP): connections stay open, nothing answers. */
    public static synchronized void freezeServer() {
        signalServer("-STOP");
    }

    /** Lets a frozen server run again (SIGCONT). */
    public static synchronized void thawServer() {
        signalServer("-CONT");
    }

    private static void signalServer(String signal) {
        try {
            long postmaster = Long.parseLong(
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
            List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
            ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> command.add(Long.toString(p.pid())));
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        stopServer();
        Scratch.delete(dataDir);
    }
}
