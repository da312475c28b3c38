package dev.stepchat.idempotency;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.support.Concurrently;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.turn.AbandonedTurns;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SafeRetriesTest extends StepFunStubbedTest {

    static final String PROBLEM = "application/problem+json";

    private static String conversation() {
        return given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static Response turn(String id, String key, String content) {
        var request = given().contentType(ContentType.JSON).body(Map.of("content", content));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.when().post("/conversations/" + id + "/messages");
    }

    private void awaitUpstreamCalls(int calls) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size() >= calls);
    }

    private static List<String> contents(String id) {
        return given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .extract()
                .path("data.content");
    }

    @Test
    void theSameKeySentAgainWhileTheFirstRunsMakesOneTurn() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("once", 9, 1, 0)).withFixedDelay(1500)));
        String id = conversation();
        String key = UUID.randomUUID().toString();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Response> first = pool.submit(() -> turn(id, key, "hello"));
            // sequenced by the stub: the first request is at StepFun before the repeats are sent
            awaitUpstreamCalls(1);
            List<Response> repeats = Concurrently.run(4, i -> turn(id, key, "hello"));
            for (Response repeat : repeats) {
                repeat.then().statusCode(409).contentType(PROBLEM).body("type", endsWith("/idempotency-key-in-flight"));
            }
            first.get().then().statusCode(201);
            String body = first.get().asString();
            stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
            assertThat(contents(id)).containsExactly("hello", "once");

            // once finished, the key replays the first response
            Response replay = turn(id, key, "hello");
            replay.then().statusCode(201).header("Idempotent-Replayed", "true");
            assertThat(replay.asString()).isEqualTo(body);
        }
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
        given().when().get("/conversations/" + id).then().body("usage.turns", equalTo(1));
    }

    @Test
    void aKeyReusedWithAnotherBodyIs422() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 1, 1, 0))));
        String id = conversation();
        String key = UUID.randomUUID().toString();
        turn(id, key, "one").then().statusCode(201);
        turn(id, key, "two")
                .then()
                .statusCode(422)
                .contentType(PROBLEM)
                .body("type", endsWith("/idempotency-key-reused"));
        turn(conversation(), key, "one").then().statusCode(422);
        assertThat(contents(id)).containsExactly("one", "ok");
    }

    @Test
    void aFailedTurnIsReplayedToo() {
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"no\"}}")));
        String id = conversation();
        String key = UUID.randomUUID().toString();
        turn(id, key, "hi").then().statusCode(502).contentType(PROBLEM);
        turn(id, key, "hi")
                .then()
                .statusCode(502)
                .contentType(PROBLEM)
                .header("Idempotent-Replayed", "true")
                .body("type", endsWith("/upstream-bad-request"))
                .body("instance", equalTo("/conversations/" + id + "/messages"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
        assertThat(contents(id)).containsExactly("hi");
    }

    @Test
    void createWithAKeyIsReplayedWithItsLocation() {
        String key = UUID.randomUUID().toString();
        Response first = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{\"title\":\"once\"}")
                .when()
                .post("/conversations");
        first.then().statusCode(201);
        Response again = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{\"title\":\"once\"}")
                .when()
                .post("/conversations");
        again.then()
                .statusCode(201)
                .header("Location", first.header("Location"))
                .body("id", equalTo(first.path("id")));
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", "k".repeat(256))
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("Idempotency-Key"));
    }

    @Test
    void aSecondTurnWhileTheFirstRunsIs409() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("slow", 4, 2, 0)).withFixedDelay(1500)));
        String id = conversation();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Response> first = pool.submit(() -> turn(id, null, "q0"));
            awaitUpstreamCalls(1);
            turn(id, null, "q1")
                    .then()
                    .statusCode(409)
                    .contentType(PROBLEM)
                    .body("type", endsWith("/turn-in-progress"));
            first.get().then().statusCode(201);
        }
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("usage.total_tokens", equalTo(6))
                .body("usage.turns", equalTo(1))
                .body("message_count", equalTo(2));
        // the conversation is free again afterwards
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("next", 4, 2, 0))));
        turn(id, null, "later").then().statusCode(201);
    }

    @Test
    void aLeaseLeftByADeadInstanceExpires() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 1, 1, 0))));
        String id = conversation();
        setLease(id, "now() + interval '5 minutes'");
        turn(id, null, "blocked").then().statusCode(409).body("type", endsWith("/turn-in-progress"));
        setLease(id, "now() - interval '1 second'");
        turn(id, null, "free").then().statusCode(201);
        assertThat(contents(id)).containsExactly("free", "ok");
    }

    @Inject
    AbandonedTurns abandonedTurns;

    @Test
    void aTurnLeftInProgressByADeadInstanceIsMarkedFailed() {
        String id = conversation();
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery(
                                "insert into message (id, conversation_id, role, content, status, created_at)"
                                        + " values (gen_random_uuid(), :id, 'USER', 'lost?', 'IN_PROGRESS', now() - interval '1 hour')")
                        .setParameter("id", UUID.fromString(id))
                        .executeUpdate());
        abandonedTurns.close();
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .statusCode(200)
                .body("data[0].content", equalTo("lost?"))
                .body("data[0].status", equalTo("failed"))
                .body("data[0].error.type", endsWith("/turn-abandoned"));
    }

    @Test
    void aStreamedAnswerIsClosedIncompleteOnlyOnceItsLeaseHasExpired() {
        String id = conversation();
        UUID user = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager
                    .createNativeQuery("""
                            insert into message (id, conversation_id, role, content, status, created_at)
                            values (:user, :id, 'USER', 'tell me', 'IN_PROGRESS', now());
                            insert into message (id, conversation_id, parent_id, role, content, status, created_at)
                            values (gen_random_uuid(), :id, :user, 'ASSISTANT', 'half an ans', 'IN_PROGRESS', now());
                            update conversation set turn_lease_holder = :user, turn_lease_until = now() + interval '1 minute'
                            where id = :id""")
                    .setParameter("user", user)
                    .setParameter("id", UUID.fromString(id))
                    .executeUpdate();
        });
        abandonedTurns.close();
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .body("data.status", org.hamcrest.Matchers.contains("in_progress", "in_progress"));
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery(
                                "update conversation set turn_lease_until = now() - interval '1 second' where id = :id")
                        .setParameter("id", UUID.fromString(id))
                        .executeUpdate());
        abandonedTurns.close();
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .body("data.find { it.role == 'user' }.status", equalTo("completed"))
                .body("data.find { it.role == 'assistant' }.status", equalTo("incomplete"))
                .body("data.find { it.role == 'assistant' }.content", equalTo("half an ans"));
    }

    private void setLease(String id, String until) {
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("update conversation set turn_lease_until = " + until
                                + ", turn_lease_holder = gen_random_uuid()" + " where id = :id")
                        .setParameter("id", UUID.fromString(id))
                        .executeUpdate());
    }

    @Test
    void patchWithAStaleIfMatchIs412() {
        String id = conversation();
        String etag = given().when()
                .get("/conversations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .header("ETag");
        assertThat(etag).isNotBlank();
        String newer = given().contentType(ContentType.JSON)
                .header("If-Match", etag)
                .body("{\"title\":\"a\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .header("ETag");
        assertThat(newer).isNotEqualTo(etag);
        given().contentType(ContentType.JSON)
                .header("If-Match", etag)
                .body("{\"title\":\"b\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(412)
                .contentType(PROBLEM)
                .body("type", endsWith("/precondition-failed"));
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("title", equalTo("a"))
                .header("ETag", newer);
    }
}
