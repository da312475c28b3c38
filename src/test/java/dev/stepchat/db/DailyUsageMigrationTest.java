package dev.stepchat.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * V18 rebuilds the daily totals from the ledger with every token kind: the usage report by day
 * reads them, so they must agree with the ledger, days from before daily totals existed included.
 */
class DailyUsageMigrationTest {

    private static void ledger(Statement db, String at, int prompt, int completion, String cost) throws SQLException {
        db.execute("insert into usage_record (id, conversation_id, owner, model, prompt_tokens, completion_tokens,"
                + " total_tokens, cached_tokens, cost, created_at) values ('" + UUID.randomUUID() + "', '"
                + UUID.randomUUID() + "', 'alice', 'step-3.5-flash', " + prompt + ", " + completion + ", "
                + (prompt + completion) + ", 1, " + cost + ", '" + at + "')");
    }

    @Test
    void theDailyTotalsAreRebuiltFromTheLedgerWithEveryKind() throws SQLException {
        String url = MigrationDatabase.create();
        MigrationDatabase.flyway(url, "17").migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement()) {
            // two turns late on one UTC day (one unpriced), one on the next; the daily totals knew
            // only a part of it (written before they existed)
            ledger(db, "2030-01-01T23:00:00Z", 100, 10, "0.5");
            ledger(db, "2030-01-01T23:59:59Z", 200, 20, "null");
            ledger(db, "2030-01-02T00:00:00Z", 300, 30, "0.25");
            db.execute(
                    "insert into owner_usage_day (owner, day, total_tokens, cost) values ('alice', '2030-01-01', 7, 0)");
        }

        MigrationDatabase.flyway(url, "latest").migrate();

        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement();
                ResultSet rows = db.executeQuery("""
                        select day, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost, turns,
                               priced_turns
                        from owner_usage_day where owner = 'alice' order by day""")) {
            List<String> days = new ArrayList<>();
            while (rows.next()) {
                days.add(rows.getString(1) + " " + rows.getLong(2) + " " + rows.getLong(3) + " " + rows.getLong(4)
                        + " " + rows.getLong(5) + " "
                        + rows.getBigDecimal(6).stripTrailingZeros().toPlainString()
                        + " " + rows.getLong(7) + " " + rows.getLong(8));
            }
            assertThat(days).containsExactly("2030-01-01 300 30 330 2 0.5 2 1", "2030-01-02 300 30 330 1 0.25 1 1");
        }
    }
}
