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
 * V19 indexes the pairs of neighbouring Chinese, Japanese and Korean characters of every message,
 * those stored before it and those written after: a two-character word is found by the caller's
 * entries in that index, wherever it sits in a run and whatever surrounds it.
 */
class CjkPairsMigrationTest {

    private static final UUID ALICES = UUID.nameUUIDFromBytes("alice".getBytes());
    private static final UUID BOBS = UUID.nameUUIDFromBytes("bob".getBytes());

    private static void message(Statement db, UUID conversation, String content) throws SQLException {
        db.execute("insert into message (id, conversation_id, role, content, status, created_at) values ('"
                + UUID.randomUUID() + "', '" + conversation + "', 'USER', '" + content + "', 'COMPLETED', now())");
    }

    /** What the service's search asks of messages for a two-character word: the index alone. */
    private static List<String> found(Statement db, String owner, String word) throws SQLException {
        List<String> contents = new ArrayList<>();
        try (ResultSet rows = db.executeQuery("select content from message where owner = '" + owner
                + "' and search_may_contain(content, '" + word + "') order by content")) {
            while (rows.next()) {
                contents.add(rows.getString(1));
            }
        }
        return contents;
    }

    @Test
    void twoCharacterWordsOfStoredAndNewMessagesAreFoundThroughTheCallersPairs() throws SQLException {
        String url = MigrationDatabase.create();
        MigrationDatabase.flyway(url, "18").migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement()) {
            for (var c : List.of(ALICES, BOBS)) {
                db.execute("insert into conversation (id, owner, model, created_at, updated_at) values ('" + c + "', '"
                        + (c == ALICES ? "alice" : "bob") + "', 'step-3.5-flash', now(), now())");
            }
            message(db, ALICES, "麒麟出现在古老的传说里。");
            message(db, BOBS, "他们的麒麟");
        }

        MigrationDatabase.flyway(url, "latest").migrate();

        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres");
                Statement db = connection.createStatement()) {
            message(db, ALICES, "a note: 麒麟 in Latin text");
            message(db, ALICES, "東京タワーの夜景");
            message(db, ALICES, "서울의 날씨");
            message(db, ALICES, "麒 and 麟 apart");
            db.execute("set enable_seqscan = off");

            assertThat(found(db, "alice", "麒麟"))
                    .as("at a run's start, and a run of its own between Latin words; never bob's")
                    .containsExactly("a note: 麒麟 in Latin text", "麒麟出现在古老的传说里。");
            assertThat(found(db, "alice", "传说")).as("inside a run").containsExactly("麒麟出现在古老的传说里。");
            assertThat(found(db, "alice", "タワ")).as("katakana").containsExactly("東京タワーの夜景");
            assertThat(found(db, "alice", "京タ")).as("Han next to kana").containsExactly("東京タワーの夜景");
            assertThat(found(db, "alice", "날씨")).as("Hangul").containsExactly("서울의 날씨");
            assertThat(found(db, "bob", "麒麟")).containsExactly("他们的麒麟");

            // on six rows the planner may as well take the trigram index for the owner alone: out of
            // the way here, so that the plan shows whether the pairs index can answer the question
            db.execute("drop index message_owner_content_trgm_idx");
            String plan = MigrationDatabase.plan(
                    db, "select id from message where owner = 'alice' and search_may_contain(content, '麒麟')");
            assertThat(plan)
                    .as("the function is inlined into the indexed expression, and the owner narrows the scan")
                    .contains("message_owner_cjk_pairs_idx")
                    .containsPattern("Index Cond: .*owner.*search_cjk_pairs");
        }
    }
}
