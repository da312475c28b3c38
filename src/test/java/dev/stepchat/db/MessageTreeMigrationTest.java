package dev.stepchat.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * V3 turns every linear conversation written by the previous schema into the equivalent tree:
 * failed and incomplete turns included.
 */
class MessageTreeMigrationTest {

    /** Uuid v7-like ids in creation order, as the application made them. */
    private static UUID id(int n) {
        return UUID.fromString(String.format("01930000-0000-7000-8000-%012d", n));
    }

    @Test
    void linearConversationsBecomeTheEquivalentTree() throws SQLException {
        String url = MigrationDatabase.create();
        MigrationDatabase.flyway(url, "2").migrate();
        UUID conversation = id(1);
        // u1 a1 | u2 failed | u3 a3 (incomplete) | u4 a4 | u5 failed, as version 1 stored them
        String[][] messages = {
            {"10", "USER", "COMPLETED"},
            {"11", "ASSISTANT", "COMPLETED"},
            {"12", "USER", "FAILED"},
            {"13", "USER", "COMPLETED"},
            {"14", "ASSISTANT", "INCOMPLETE"},
            {"15", "USER", "COMPLETED"},
            {"16", "ASSISTANT", "COMPLETED"},
            {"17", "USER", "FAILED"}
        };
        UUID empty = id(2);
        try (Connection db = DriverManager.getConnection(url, "postgres", "postgres")) {
            for (UUID c : List.of(conversation, empty)) {
                db.createStatement()
                        .execute("insert into conversation (id, owner, model, created_at, updated_at)" + " values ('"
                                + c + "', 'local', 'step-3.5-flash', now(), now())");
            }
            for (String[] m : messages) {
                db.createStatement()
                        .execute("insert into message (id, conversation_id, role, content, status, created_at)"
                                + " values ('" + id(Integer.parseInt(m[0])) + "', '" + conversation + "', '" + m[1]
                                + "', 'm"
                                + m[0] + "', '" + m[2] + "', now())");
            }
        }

        MigrationDatabase.flyway(url, "latest").migrate();

        try (Connection db = DriverManager.getConnection(url, "postgres", "postgres")) {
            Map<UUID, UUID> parents = new HashMap<>();
            try (ResultSet rows = db.createStatement().executeQuery("select id, parent_id from message")) {
                while (rows.next()) {
                    parents.put(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class));
                }
            }
            assertThat(parents.get(id(10))).isNull();
            assertThat(parents.get(id(11))).isEqualTo(id(10));
            // a failed user message is a dead-end sibling of the next user message
            assertThat(parents.get(id(12))).isEqualTo(id(11));
            assertThat(parents.get(id(13))).isEqualTo(id(11));
            // an incomplete answer is an answer: the next user message follows it
            assertThat(parents.get(id(14))).isEqualTo(id(13));
            assertThat(parents.get(id(15))).isEqualTo(id(14));
            assertThat(parents.get(id(16))).isEqualTo(id(15));
            assertThat(parents.get(id(17))).isEqualTo(id(16));
            // the current message is the latest one; an empty conversation has none
            List<UUID> current = new ArrayList<>();
            try (ResultSet rows =
                    db.createStatement().executeQuery("select current_message_id from conversation order by id")) {
                while (rows.next()) {
                    current.add(rows.getObject(1, UUID.class));
                }
            }
            assertThat(current).containsExactly(id(17), null);
        }
    }
}
