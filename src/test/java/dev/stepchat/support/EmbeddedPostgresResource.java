package dev.stepchat.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.stepchat.dev.EmbeddedPostgres;

/**
 * A real PostgreSQL for the tests, from the embedded binaries: a fresh throw-away database per
 * test JVM (shared by the test classes), and for the packaged application of the *IT tests.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.datasource.jdbc.url", EmbeddedPostgres.jdbcUrl(""),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    @Override
    public void stop() {
        // stopped with the JVM, so that every test class of the run shares one server
    }
}
