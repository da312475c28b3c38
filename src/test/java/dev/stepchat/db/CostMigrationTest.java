package dev.stepchat.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.stepchat.dev.EmbeddedPostgres;

/**
 * V6 adds costs: turns answered before it have none, so conversations that had turns say their
 * cost is incomplete, and those without turns start complete at zero.
 */
class CostMigrationTest {

    @Test
    void conversationsWithEarlierTurnsHaveAnIncompleteCost() throws SQLException {
        String server = EmbeddedPostgres.jdbcUrl("");
        String name = "migration_cost_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(server, "postgres", "postgres")) {
            admin.createStatement().execute("create database " + name);
        }
        String url = server.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
        Flyway.configure()
                .dataSource(url, "postgres", "postgres")
                .locations("classpath:db/migration")
                .target("5")
                .load()
                .migrate();
        try (Connection db = DriverManager.getConnection(url, "postgres", "postgres")) {
            db.createStatement()
                    .execute(
                            "insert into conversation (id, owner, model, created_at, updated_at, turns, total_tokens)"
                                    + " values ('01930000-0000-7000-8000-000000000001', 'local', 'step-3.5-flash', now(), now(), 2, 300),"
                                    + " ('01930000-0000-7000-8000-000000000002', 'local', 'step-3.5-flash', now(), now(), 0, 0)");
        }
        Flyway.configure()
                .dataSource(url, "postgres", "postgres")
                .locations("classpath:db/migration")
                .load()
                .migrate();
        try (Connection db = DriverManager.getConnection(url, "postgres", "postgres");
                ResultSet rows = db.createStatement()
                        .executeQuery("select turns, cost, cost_complete from conversation order by id")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getBigDecimal("cost")).isEqualByComparingTo("0");
            assertThat(rows.getBoolean("cost_complete")).isFalse();
            assertThat(rows.next()).isTrue();
            assertThat(rows.getBoolean("cost_complete")).isTrue();
        }
    }
}
