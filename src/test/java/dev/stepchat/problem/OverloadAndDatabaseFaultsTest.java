package dev.stepchat.problem;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.support.Concurrently;
import dev.stepchat.support.RestartablePostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * Overload and database faults: refused early with a 503 before StepFun is called, and an answer
 * StepFun gave is never dropped. A pool of 2 connections, on a PostgreSQL the test stops and
 * starts.
 */
@QuarkusTest
@TestProfile(OverloadAndDatabaseFaultsTest.SmallPool.class)
@WithTestResource(RestartablePostgresResource.class)
@WithTestResource(StepFunStub.class)
class OverloadAndDatabaseFaultsTest extends StepFunStubbedTest {

    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.jdbc.max-size",
                    "2",
                    "quarkus.datasource.jdbc.min-size",
                    "0",
                    "quarkus.datasource.jdbc.acquisition-timeout",
                    "2S",
                    // 20 turns in flight at most, and a short wait for a place
                    "stepchat.admission.turns-per-connection",
                    "10",
                    "stepchat.admission.max-wait",
                    "200MS",
                    // a database that stops answering: given up on after 3 s (30 s in production)
                    "quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout",
                    "3");
        }
    }

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

    private static Response turn(String id, String content) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .when()
                .post("/conversations/" + id + "/messages");
    }

    private long ledgerTokens() {
        return QuarkusTransaction.requiringNew()
                .call(() -> ((Number) entityManager
                                .createNativeQuery("select coalesce(sum(total_tokens), 0) from usage_record")
                                .getSingleResult())
                        .longValue());
    }

    private long totalsTokens() {
        return QuarkusTransaction.requiringNew()
                .call(() -> ((Number) entityManager
                                .createNativeQuery("select coalesce(sum(total_tokens), 0) from conversation")
                                .getSingleResult())
                        .longValue());
    }

    private long count(String sql) {
        return QuarkusTransaction.requiringNew()
                .call(() -> ((Number) entityManager.createNativeQuery(sql).getSingleResult()).longValue());
    }

    @Test
    void fiftyTurnsOnTwoConnectionsAreAnsweredOrRefusedBeforeTheCall() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("answer", 5, 2, 0)).withFixedDelay(500)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(conversation());
        }
        long repliesBefore = count("select count(*) from message where role = 'ASSISTANT'");
        long ledgerBefore = ledgerTokens();
        List<Response> responses = Concurrently.run(50, i -> turn(ids.get(i), "hello " + i));

        long answered = responses.stream().filter(r -> r.statusCode() == 201).count();
        for (Response response : responses) {
            assertThat(response.statusCode()).as(response.asString()).isIn(201, 503);
            if (response.statusCode() == 503) {
                assertThat(response.contentType()).isEqualTo(PROBLEM);
                assertThat(response.header("Retry-After")).isNotBlank();
                assertThat((String) response.path("type")).matches(".*/(overloaded|database-unavailable)");
            }
        }
        assertThat(answered).isPositive();
        // every call StepFun answered is a stored reply, and nothing else called it
        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize((int) answered);
        assertThat(count("select count(*) from message where role = 'ASSISTANT'") - repliesBefore)
                .isEqualTo(answered);
        assertThat(ledgerTokens() - ledgerBefore).isEqualTo(7 * answered);
        assertThat(totalsTokens()).isEqualTo(ledgerTokens());
        assertThat(count("select count(*) from message where status = 'IN_PROGRESS'"))
                .isZero();
    }

    @Test
    void aTurnBeyondTheCapacityIsRefusedAtOnceWithoutCallingStepFun() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("slow", 1, 1, 0)).withFixedDelay(1500)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            ids.add(conversation());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> running = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = ids.get(i);
                running.add(pool.submit(() -> turn(id, "fills a place")));
            }
            // sequenced by the stub: all 20 places are taken
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size() == 20);
            turn(ids.get(20), "one too many")
                    .then()
                    .statusCode(503)
                    .contentType(PROBLEM)
                    .header("Retry-After", "2")
                    .body("type", org.hamcrest.Matchers.endsWith("/overloaded"));
            assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(20);
            given().when().get("/conversations/" + ids.get(20)).then().body("message_count", equalTo(0));
            for (Future<Response> response : running) {
                assertThat(response.get().statusCode()).isEqualTo(201);
            }
        }
        // the places are given back
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("fine", 1, 1, 0))));
        turn(ids.get(20), "now").then().statusCode(201);
        assertThat(given().when().get("/q/metrics").then().extract().asString())
                .containsPattern("stepchat_refusals_total\\{reason=\"overloaded\"\\} [1-9]");
    }

    @Test
    void aCompletingTransactionThatFailsOnceIsStoredOnRetry() {
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager.createNativeQuery("""
                create sequence if not exists fault_once;
                create or replace function fail_once() returns trigger language plpgsql as $$
                begin
                  if new.role = 'ASSISTANT' and new.content = 'stored on retry' and nextval('fault_once') = 1 then
                    raise exception 'injected connection failure' using errcode = '08006';
                  end if;
                  return new;
                end $$;
                drop trigger if exists fail_once on message;
                create trigger fail_once before insert on message for each row execute function fail_once();
                """).executeUpdate());
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("stored on retry", 6, 3, 0))));
        String id = conversation();
        turn(id, "hi")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("stored on retry"))
                .body("conversation_usage.total_tokens", equalTo(9));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .body("data.content", org.hamcrest.Matchers.contains("hi", "stored on retry"))
                .body("data.status", org.hamcrest.Matchers.contains("completed", "completed"));
        assertThat(count("select count(*) from usage_record where conversation_id = '" + id + "'"))
                .isEqualTo(1);
    }

    @Test
    void aDatabaseThatStopsAnsweringIsA503NotARequestThatNeverEnds() throws Exception {
        String id = conversation();
        // both pooled connections used just now, so the next request borrows one without validating
        // it (idle connections are validated first, and that check has its own timeout)
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> made = List.of(
                    pool.submit(OverloadAndDatabaseFaultsTest::conversation),
                    pool.submit(OverloadAndDatabaseFaultsTest::conversation));
            for (Future<String> one : made) {
                one.get();
            }
        }
        RestartablePostgresResource.freezeServer();
        Response answer;
        try {
            // the client gives up after a minute: without the socket timeout the request would wait for good
            answer = given().config(io.restassured.RestAssured.config()
                            .httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                                    .setParam("http.socket.timeout", 60_000)))
                    .when()
                    .get("/conversations/" + id);
        } finally {
            RestartablePostgresResource.thawServer();
        }
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.contentType()).isEqualTo(PROBLEM);
        assertThat(answer.jsonPath().getString("type")).endsWith("/database-unavailable");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> given().when().get("/conversations/" + id).then().statusCode(200));
    }

    @Test
    void turnsInFlightWhenTheDatabaseRestartsAreStoredOrRefusedAndNothingStaysLocked() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("survived", 4, 4, 0)).withFixedDelay(1500)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(conversation());
        }
        List<Future<Response>> inFlight = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 5; i++) {
                String id = ids.get(i);
                inFlight.add(pool.submit(() -> turn(id, "during the restart")));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size() == 5);
            RestartablePostgresResource.stopServer();
            // with the database away, a new turn is refused before StepFun is called
            turn(ids.get(5), "refused")
                    .then()
                    .statusCode(503)
                    .contentType(PROBLEM)
                    .body("type", org.hamcrest.Matchers.endsWith("/database-unavailable"));
            RestartablePostgresResource.startServer();

            for (Future<Response> response : inFlight) {
                assertThat(response.get().statusCode())
                        .as(response.get().asString())
                        .isIn(201, 503);
            }
        }
        // every conversation takes a new turn within seconds, and nothing is left in progress
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("after", 1, 1, 0))));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(turn(id, "after the restart").statusCode()).isEqualTo(201);
            }
        });
        assertThat(count("select count(*) from message where status = 'IN_PROGRESS'"))
                .isZero();
        // what StepFun answered during the restart is all in the ledger (5 × 8 tokens), and totals agree
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        count("select coalesce(sum(total_tokens), 0) from usage_record where total_tokens = 8") == 40);
        assertThat(totalsTokens()).isEqualTo(ledgerTokens());
        String metrics = given().when().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern("stepchat_usage_unrecorded_tokens_total(\\{[^}]*\\})? 0\\.0");
    }
}
