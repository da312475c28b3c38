package dev.stepchat.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * V17 gives every message its conversation's owner, the messages already stored and every one
 * written later, whoever writes it: search's index starts with the owner.
 */
class SearchByOwnerMigrationTest {

    private static void conversationWithMessage(Statement db, int n, String owner) throws SQLException {
        db.execute("insert into conversation (id, owner, model, created_at, updated_at) values ('"
                + UUID.nameUUIDFromBytes(("c" + n).getBytes()) + "', '" + owner + "', 'step-3.5-flash', now(), now())");
        message(db, n, n);
    }

    private static void message(Statement db, int conversation, int n) throws SQLException {
        db.execute("insert into message (id, conversation_id, role, content, status, created_at) values ('"
                + UUID.nameUUIDFromBytes(("m" + n).getBytes()) + "', '"
                + UUID.nameUUIDFromBytes(("c" + conversation).getBytes()) + "', 'USER', 'hello " + n
                + "', 'COMPLETED', now())");
    }

    private static Map<String, String> ownerByContent(Statement db) throws SQLException {
        Map<String, String> owners = new HashMap<>();
        try (ResultSet rows = db.executeQuery("select content, owner from message")) {
            while (rows.next()) {
                owners.put(rows.getString(1), rows.getString(2));
            }
        }
        return owners;
    }

    @Test
    void storedMessagesAndNewOnesCarryTheirConversationsOwner() throws SQLException {
        String url = MigrationDatabase.create();
        MigrationDatabase.flyway(url, "16").migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement()) {
            conversationWithMessage(db, 1, "alice");
            conversationWithMessage(db, 2, "bob");
        }

        MigrationDatabase.flyway(url, "latest").migrate();

        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement()) {
            assertThat(ownerByContent(db))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("hello 1", "alice", "hello 2", "bob"));
            // a writer that does not name the owner (or names another) still stores the conversation's
            message(db, 2, 3);
            db.execute("insert into message (id, conversation_id, role, content, status, created_at, owner) values ('"
                    + UUID.randomUUID() + "', '" + UUID.nameUUIDFromBytes("c1".getBytes())
                    + "', 'USER', 'hello 4', 'COMPLETED', now(), 'mallory')");
            assertThat(ownerByContent(db)).containsEntry("hello 3", "bob").containsEntry("hello 4", "alice");

            // a word too short for trigrams is still looked up by the caller's index entries
            db.execute("set enable_seqscan = off");
            String plan =
                    MigrationDatabase.plan(db, "select id from message where owner = 'alice' and content ilike '%he%'");
            assertThat(plan)
                    .as("an index that starts with the owner: the trigrams' or, from V19, the pairs'")
                    .containsPattern("Index Scan on message_owner_\\w+_idx")
                    .containsPattern("Index Cond: .*owner");
        }
    }
}
