package dev.stepchat.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.stepchat.dev.EmbeddedPostgres;
import dev.stepchat.support.Scratch;

/**
 * Another replica of the packaged application (the native executable when the build made one,
 * else the JVM jar), started by a test against the same database and StepFun stub.
 */
final class SecondInstance implements AutoCloseable {

    private final Process process;
    final int port;

    SecondInstance(Map<String, String> config) throws IOException {
        this(config, List.of());
    }

    /**
     * A replica on the tests' embedded database, with authentication off, calling StepFun at
     * {@code stepFunUrl}; {@code extra} settings on top, {@code runtimeOptions} for its JVM.
     */
    static SecondInstance onTheTestDatabase(String stepFunUrl, Map<String, String> extra, String... runtimeOptions)
            throws IOException {
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(""),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "quarkus.rest-client.stepfun.url", stepFunUrl,
                "stepfun.api-key", "test-key",
                "stepchat.auth.enabled", "false"));
        config.putAll(extra);
        return new SecondInstance(config, List.of(runtimeOptions));
    }

    /** With options for the JVM (or the native executable's runtime), such as {@code -Xmx256m}. */
    SecondInstance(Map<String, String> config, List<String> runtimeOptions) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        String nativeImage = System.getProperty("native.image.path");
        if (nativeImage != null && new File(nativeImage).canExecute()) {
            command.add(nativeImage);
        } else {
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.add("-jar");
        }
        List<String> properties = new ArrayList<>(runtimeOptions);
        properties.add("-Dquarkus.http.port=" + port);
        config.forEach((key, value) -> properties.add("-D" + key + "=" + value));
        if (command.size() == 1) {
            command.addAll(properties);
        } else {
            command.addAll(1, properties);
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar")
                    .toAbsolutePath()
                    .toString());
        }
        Path log = Scratch.file("second-instance", ".log");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(this::ready);
    }

    URI base() {
        return URI.create("http://localhost:" + port);
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("The second instance exited with " + process.exitValue());
        }
        try {
            HttpURLConnection connection = (HttpURLConnection)
                    base().resolve("/q/health/ready").toURL().openConnection();
            return connection.getResponseCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** SIGTERM, as Kubernetes sends it; returns at once. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: the replica dies at once, as a crashed pod or node does. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean exited() {
        return !process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
