package dev.stepchat.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.stepchat.dev.EmbeddedPostgres;

/**
 * The tests' PostgreSQL behind a multi-host URL whose first host is gone (a port nothing listens
 * on) and which asks for the primary: {@code jdbc:postgresql://127.0.0.1:<dead>,<the database>/...
 * ?targetServerType=primary}, as an operator lists a failed-over primary and its standby.
 */
public class TwoHostPostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String url = EmbeddedPostgres.jdbcUrl("");
        String hosts = url.substring("jdbc:postgresql://".length(), url.indexOf('/', "jdbc:postgresql://".length()));
        String rest = url.substring(url.indexOf('/', "jdbc:postgresql://".length()));
        String multiHost = "jdbc:postgresql://127.0.0.1:" + deadPort() + "," + hosts + rest
                + (rest.contains("?") ? "&" : "?") + "targetServerType=primary";
        return Map.of(
                "quarkus.datasource.jdbc.url", multiHost,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    /** A port that was free a moment ago: nothing listens there. */
    private static int deadPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {}
}
