package dev.stepchat.conversation;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.stepchat.conversation.service.Retention;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * Retention with a 30-day age: old unpinned conversations go with their messages and links, pinned
 * and recent ones stay, the ledger keeps their usage, and a replica that finds another running the
 * job leaves it alone. The job is run by hand here (its schedule is a day away).
 */
@QuarkusTest
@TestProfile(RetentionTest.ThirtyDays.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RetentionTest extends StepFunStubbedTest {

    public static class ThirtyDays implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "stepchat.retention.conversations", "30D",
                    "stepchat.retention.every", "24h",
                    "stepchat.retention.batch", "2");
        }
    }

    @Inject
    Retention retention;

    @Inject
    AgroalDataSource dataSource;

    private String conversation(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private void age(String id, int days) throws Exception {
        try (Connection connection = dataSource.getConnection();
                var update = connection.prepareStatement(
                        "update conversation set updated_at = now() - make_interval(days => ?) where id = ?")) {
            update.setInt(1, days);
            update.setObject(2, UUID.fromString(id));
            update.executeUpdate();
        }
    }

    private long ledgerTokens(String id) throws Exception {
        try (Connection connection = dataSource.getConnection();
                var query = connection.prepareStatement(
                        "select coalesce(sum(total_tokens), 0) from usage_record where conversation_id = ?")) {
            query.setObject(1, UUID.fromString(id));
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Test
    void oldUnpinnedConversationsGoPinnedAndRecentOnesStayAndTheLedgerKeepsTheirUsage() throws Exception {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 20, 5, 0))));
        String old = conversation("{}");
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"hello\"}")
                .when()
                .post("/conversations/" + old + "/messages")
                .then()
                .statusCode(201);
        String share = given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + old + "/shares")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String older = conversation("{}");
        String oldest = conversation("{}");
        String pinned = conversation("{}");
        given().contentType(ContentType.JSON)
                .body("{\"pinned\":true}")
                .when()
                .patch("/conversations/" + pinned)
                .then()
                .statusCode(200);
        String recent = conversation("{}");
        age(old, 40);
        age(older, 50);
        age(oldest, 60);
        age(pinned, 90);
        age(recent, 10);

        // three old ones, deleted two per transaction
        assertThat(retention.deleteOld()).isGreaterThanOrEqualTo(3);

        for (String gone : new String[] {old, older, oldest}) {
            given().when().get("/conversations/" + gone).then().statusCode(404);
        }
        given().when().get("/conversations/" + pinned).then().statusCode(200);
        given().when().get("/conversations/" + recent).then().statusCode(200);
        given().when().get("/shared/" + share).then().statusCode(404);
        assertThat(ledgerTokens(old)).isEqualTo(25);
    }

    @Test
    void aReplicaThatFindsTheJobRunningLeavesItAlone() throws Exception {
        String old = conversation("{}");
        age(old, 40);
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("select pg_advisory_xact_lock(7461220901)")) {
                lock.execute();
            }
            assertThat(retention.deleteOld()).isEqualTo(-1);
            given().when().get("/conversations/" + old).then().statusCode(200);
            other.rollback();
        }
        assertThat(retention.deleteOld()).isGreaterThanOrEqualTo(1);
        given().when().get("/conversations/" + old).then().statusCode(404);
    }
}
