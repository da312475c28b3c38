package dev.stepchat.turn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Sse;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.Tokens;

/**
 * One owner's share of the service, with authentication on: turns in flight (the default 4),
 * turns per minute (5 here) and open streams (3 here), refused with a 429 before anything is
 * stored, other owners untouched.
 */
@QuarkusTest
@TestProfile(OwnerLimitsTest.PerMinute.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OwnerLimitsTest extends StepFunStubbedTest {

    public static class PerMinute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "stepchat.auth.enabled",
                    "true",
                    "stepchat.owners.turns-per-minute",
                    "5",
                    "stepchat.owners.stream-readers",
                    "3");
        }
    }

    static final String PATH = "/v1/chat/completions";

    @TestHTTPResource("/")
    java.net.URI base;

    @Inject
    CircuitBreakerMaintenance circuitBreakers;

    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();

    private static String conversation(String token) {
        return Tokens.as(token)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static Response turn(String token, String id, String content) {
        return Tokens.as(token)
                .contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .when()
                .post("/conversations/" + id + "/messages");
    }

    private int storedMessages(String token, String id) {
        return Tokens.as(token)
                .when()
                .get("/conversations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("message_count");
    }

    private long running(String owner) {
        return QuarkusTransaction.requiringNew()
                .call(() -> ((Number) entityManager
                                .createNativeQuery(
                                        "select count(*) from conversation where owner = :owner and turn_lease_until > now()")
                                .setParameter("owner", owner)
                                .getSingleResult())
                        .longValue());
    }

    @Test
    void tenSlowTurnsOfOneOwnerTakeTheirShareAndNoMore() {
        String aliceSubject = "alice-" + System.nanoTime();
        String alice = Tokens.token(aliceSubject);
        String bob = Tokens.token("bob-" + System.nanoTime());
        // alice's answers take long; bob's come at once
        stepFun.stubFor(post(PATH)
                .withRequestBody(containing("slow"))
                .willReturn(aResponse()
                        .withFixedDelay(8_000)
                        .withHeader("Content-Type", "application/json")
                        .withBody(StepFunBodies.completion("late", 5, 1, 0))));
        stepFun.stubFor(post(PATH)
                .withRequestBody(containing("quick"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(StepFunBodies.completion("now", 5, 1, 0))));
        List<String> conversations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            conversations.add(conversation(alice));
        }
        // sent at once, each on its own connection
        List<CompletableFuture<java.net.http.HttpResponse<String>>> first = new ArrayList<>();
        for (String id : conversations.subList(0, 4)) {
            first.add(http.sendAsync(
                    java.net.http.HttpRequest.newBuilder(base.resolve("/conversations/" + id + "/messages"))
                            .header("Authorization", "Bearer " + alice)
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"content\":\"slow\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        // the four are running: they hold their conversations' turn leases
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> running(aliceSubject) == 4);

        for (String id : conversations.subList(4, 10)) {
            turn(alice, id, "slow " + id)
                    .then()
                    .statusCode(429)
                    .contentType("application/problem+json")
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                    .body("type", endsWith("/owner-rate-limited"));
            assertThat(storedMessages(alice, id))
                    .as("a refused turn stores nothing")
                    .isZero();
        }
        turn(bob, conversation(bob), "quick").then().statusCode(201);
        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(5);
        first.forEach(CompletableFuture::join);
        // their places are given back when they end, on this replica as in the database (the slow
        // answers outlived the test's upstream timeout and opened the circuit: closed again here)
        circuitBreakers.resetAll();
        turn(alice, conversations.get(4), "quick").then().statusCode(201);
    }

    @Test
    void turnsPerMinuteAreCountedOverTheLastSixtySeconds() {
        String carol = Tokens.token("carol-" + System.nanoTime());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(StepFunBodies.completion("now", 5, 1, 0))));
        String id = conversation(carol);
        for (int i = 0; i < 5; i++) {
            turn(carol, id, "quick " + i).then().statusCode(201);
        }
        Response refused = turn(carol, id, "quick 5");
        refused.then().statusCode(429).body("type", endsWith("/owner-rate-limited"));
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        assertThat(storedMessages(carol, id)).isEqualTo(10);
        String dave = Tokens.token("dave-" + System.nanoTime());
        turn(dave, conversation(dave), "quick").then().statusCode(201);
    }

    private java.net.http.HttpResponse<java.io.InputStream> open(String token, String path, String body)
            throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        request = body == null
                ? request.GET()
                : request.header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void theStreamsOfOneOwnerAreCountedTheTurnsOwnAndItsResumes() throws Exception {
        String erin = Tokens.token("erin-" + System.nanoTime());
        String frank = Tokens.token("frank-" + System.nanoTime());
        // an answer written over 8 seconds
        String[] pieces = new String[16];
        java.util.Arrays.fill(pieces, "word ");
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.stream(pieces))
                        .withChunkedDribbleDelay(16, 8_000)));
        String id = conversation(erin);
        var own = open(erin, "/conversations/" + id + "/messages", "{\"content\":\"write long\"}");
        assertThat(own.statusCode()).isEqualTo(200);
        java.io.BufferedReader ownEvents = Sse.lines(own.body());
        String answer = Sse.next(ownEvents).data().getString("message.id");
        String events = "/conversations/" + id + "/messages/" + answer + "/events";
        var first = open(erin, events, null);
        var second = open(erin, events, null);
        assertThat(List.of(first.statusCode(), second.statusCode())).containsOnly(200);

        var fourth = open(erin, events, null);
        assertThat(fourth.statusCode()).as("a fourth open stream of one owner").isEqualTo(429);
        assertThat(fourth.headers().firstValue("Retry-After")).isPresent();
        assertThat(new String(fourth.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("/owner-rate-limited");
        // another owner is untouched
        var franks = open(frank, "/conversations/" + conversation(frank) + "/messages", "{\"content\":\"mine\"}");
        assertThat(franks.statusCode()).isEqualTo(200);

        // once the answer ends, its streams end and give their places back
        for (var stream : List.of(own, first, second, franks)) {
            Sse.read(Sse.lines(stream.body()), null);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            var again = open(erin, events, null);
            again.body().close();
            return again.statusCode() == 200;
        });
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anOwnersTurnsWaitingToStartHoldNothingTheOthersNeed() throws Exception {
        String ginaSubject = "gina-" + System.nanoTime();
        String gina = Tokens.token(ginaSubject);
        String hank = Tokens.token("hank-" + System.nanoTime());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(StepFunBodies.completion("now", 5, 1, 0))));
        String firstId = conversation(gina);
        String secondId = conversation(gina);
        // gina's owner check cannot run: another session holds her lock, as a slow replica would
        try (java.sql.Connection holder = dataSource.getConnection();
                var lock = holder.prepareStatement("select pg_advisory_lock(hashtextextended(?, 20261207))")) {
            lock.setString(1, ginaSubject);
            lock.execute();
            CompletableFuture<java.net.http.HttpResponse<String>> first =
                    http.sendAsync(request(gina, firstId, "quick"), java.net.http.HttpResponse.BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(this::waitingOnALock);

            // her next turn waits behind the first on this replica, then is refused: it never
            // reaches the database, so it holds no connection while it waits
            var second = http.sendAsync(
                            request(gina, secondId, "quick"), java.net.http.HttpResponse.BodyHandlers.ofString())
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(second.headers().firstValue("Retry-After")).isPresent();
            assertThat(second.body()).contains("/owner-rate-limited", "starting at once");
            // another owner's turn is answered meanwhile
            turn(hank, conversation(hank), "quick").then().statusCode(201);

            try (var unlock = holder.prepareStatement("select pg_advisory_unlock(hashtextextended(?, 20261207))")) {
                unlock.setString(1, ginaSubject);
                unlock.execute();
            }
            assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode())
                    .isEqualTo(201);
        }
        assertThat(storedMessages(gina, firstId)).isEqualTo(2);
        assertThat(storedMessages(gina, secondId))
                .as("a refused turn stores nothing")
                .isZero();
    }

    private java.net.http.HttpRequest request(String token, String id, String content) {
        return java.net.http.HttpRequest.newBuilder(base.resolve("/conversations/" + id + "/messages"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}"))
                .build();
    }

    private boolean waitingOnALock() throws java.sql.SQLException {
        try (java.sql.Connection connection = dataSource.getConnection();
                var waiting = connection.createStatement();
                var rows = waiting.executeQuery(
                        "select count(*) from pg_locks where locktype = 'advisory' and not granted")) {
            rows.next();
            return rows.getLong(1) > 0;
        }
    }
}
