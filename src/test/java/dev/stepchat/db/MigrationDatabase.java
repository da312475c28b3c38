package dev.stepchat.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;

import dev.stepchat.dev.EmbeddedPostgres;

/** A fresh database on the embedded server, migrated step by step by a migration test. */
final class MigrationDatabase {

    private MigrationDatabase() {}

    /** The JDBC URL of a new, empty database. */
    static String create() throws SQLException {
        String server = EmbeddedPostgres.jdbcUrl("");
        String name = "migration_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(server, "postgres", "postgres")) {
            admin.createStatement().execute("create database " + name);
        }
        return server.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    /** Flyway on that database with the service's migrations, up to {@code target} ("latest" for all). */
    static Flyway flyway(String url, String target) {
        return Flyway.configure()
                .dataSource(url, "postgres", "postgres")
                .locations("classpath:db/migration")
                .target(target)
                .load();
    }

    /** PostgreSQL's plan of {@code query}, one line of EXPLAIN after another. */
    static String plan(Statement db, String query) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rows = db.executeQuery("explain " + query)) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }
}
