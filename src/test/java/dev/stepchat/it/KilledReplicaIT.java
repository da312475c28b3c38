package dev.stepchat.it;

import static dev.stepchat.support.ScriptedStepFun.RECORDER;
import static dev.stepchat.support.ScriptedStepFun.await;
import static dev.stepchat.support.ScriptedStepFun.chunk;
import static dev.stepchat.support.ScriptedStepFun.done;
import static dev.stepchat.support.ScriptedStepFun.events;
import static dev.stepchat.support.ScriptedStepFun.then;
import static dev.stepchat.support.ScriptedStepFun.trickleUntilClosed;
import static dev.stepchat.support.Sse.next;
import static dev.stepchat.support.Sse.text;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.dev.EmbeddedPostgres;
import dev.stepchat.support.AuthOffResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.ScriptedStepFun;
import dev.stepchat.support.Sse;
import dev.stepchat.support.Sse.Event;

/**
 * A replica killed (SIGKILL) mid-stream, and what the user does next on the replicas left, before
 * the abandoned-turns job has run (it is off here): the next message follows the killed exchange
 * and the model is sent it, two replicas racing to take the turn close it once, and the killed
 * request repeated with its Idempotency-Key replays what the turn left instead of a 409.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(ScriptedStepFun.class)
@WithTestResource(AuthOffResource.class)
@WithTestResource(KilledReplicaIT.NoAbandonedTurnsJob.class)
class KilledReplicaIT {

    /** The job would close the turn on its own; here only what the user does next may. */
    public static class NoAbandonedTurnsJob implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("stepchat.jobs.abandoned-turns-every", "off");
        }

        @Override
        public void stop() {}
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void reset() {
        ScriptedStepFun.reset();
    }

    @Test
    void theNextMessageFollowsTheKilledAnswerAndItsKeyReplaysIt() throws Exception {
        // Y has an earlier exchange; X's killed turn is its first
        String x = conversation();
        String y = conversation();
        then(events(chunk("Earlier answer", "stop", 8, 2), done()));
        assertThat(Sse.read(Sse.lines(stream(base(), y, "Y first", null).body()), null)
                        .getLast()
                        .name())
                .isEqualTo("done");

        String xAnswer;
        String yAnswer;
        String xFlushed;
        String yFlushed;
        try (SecondInstance c = replica(Map.of())) {
            try (SecondInstance b = replica(Map.of("stepchat.turn-lease", "10S"))) {
                then(events(chunk("X kept ", "", 10, 1), trickleUntilClosed()));
                BufferedReader onB = Sse.lines(
                        stream(b.base().toString(), x, "X question", "key-x").body());
                xAnswer = next(onB).data().getString("message.id");
                assertThat(next(onB).name()).isEqualTo("delta");
                then(events(chunk("Y kept ", "", 10, 1), trickleUntilClosed()));
                BufferedReader yOnB = Sse.lines(
                        stream(b.base().toString(), y, "Y question", "key-y").body());
                yAnswer = next(yOnB).data().getString("message.id");
                assertThat(next(yOnB).name()).isEqualTo("delta");
                // their text reaches the database while they stream
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> stored(xAnswer).content().startsWith("X kept x")
                                && stored(yAnswer).content().startsWith("Y kept x"));
                b.kill();
            }
            xFlushed = stored(xAnswer).content();
            yFlushed = stored(yAnswer).content();

            // while the dead replica's lease holds, its request is in flight
            given().contentType(ContentType.JSON)
                    .header("Idempotency-Key", "key-y")
                    .body(Map.of("content", "Y question"))
                    .when()
                    .post("/conversations/" + y + "/messages")
                    .then()
                    .statusCode(409)
                    .body("type", org.hamcrest.Matchers.endsWith("/idempotency-key-in-flight"));

            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> leaseExpired(x) && leaseExpired(y));
            assertThat(stored(xAnswer).status())
                    .as("the job is off: nothing closed it yet")
                    .isEqualTo("IN_PROGRESS");

            // two replicas race for X's next turn: one takes it and closes the killed turn, the other is refused
            // (the winner's answer waits until the loser has been answered, so that they overlap)
            CountDownLatch refused = new CountDownLatch(1);
            then(events(await(refused), chunk("X next answer", "stop", 30, 3), done()));
            CompletableFuture<HttpResponse<String>> onA = send(base(), x, "X next question");
            CompletableFuture<HttpResponse<String>> onC = send(c.base().toString(), x, "X next question");
            HttpResponse<?> lost =
                    (HttpResponse<?>) CompletableFuture.anyOf(onA, onC).join();
            assertThat(lost.statusCode()).isEqualTo(409);
            assertThat(lost.body().toString()).contains("/turn-in-progress");
            refused.countDown();
            HttpResponse<String> won = onA.join() == lost ? onC.join() : onA.join();
            assertThat(won.statusCode()).isEqualTo(200);
            List<Event> xNext = Sse.read(
                    Sse.lines(new java.io.ByteArrayInputStream(won.body().getBytes())), null);
            assertThat(xNext.getFirst().data().getString("user_message.parent_id"))
                    .isEqualTo(xAnswer);
            assertThat(xNext.getLast().name()).isEqualTo("done");
            assertThat(upstreamMessages("X next question"))
                    .containsExactly("user: X question", "assistant: " + xFlushed, "user: X next question");

            then(events(chunk("Y next answer", "stop", 40, 3), done()));
            List<Event> yNext = Sse.read(
                    Sse.lines(stream(base(), y, "Y next question", null).body()), null);
            assertThat(yNext.getFirst().data().getString("user_message.parent_id"))
                    .isEqualTo(yAnswer);
            assertThat(upstreamMessages("Y next question"))
                    .containsExactly(
                            "user: Y first",
                            "assistant: Earlier answer",
                            "user: Y question",
                            "assistant: " + yFlushed,
                            "user: Y next question");
        }

        // the current branches list every earlier message; the killed answers are incomplete with their text
        JsonPath xList = messages(x);
        assertThat(xList.getList("data.content", String.class))
                .containsExactly("X question", xFlushed, "X next question", "X next answer");
        assertThat(xList.getList("data.status", String.class))
                .containsExactly("completed", "incomplete", "completed", "completed");
        JsonPath yList = messages(y);
        assertThat(yList.getList("data.content", String.class))
                .containsExactly(
                        "Y first", "Earlier answer", "Y question", yFlushed, "Y next question", "Y next answer");
        assertThat(yList.getString("data[3].status")).isEqualTo("incomplete");
        assertThat(stored(xAnswer).problem()).endsWith("/turn-abandoned");

        // the killed request repeated with its key: what its turn left, streamed or not, not a 409
        HttpResponse<InputStream> replay = stream(base(), x, "X question", "key-x");
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        List<Event> replayed = Sse.read(Sse.lines(replay.body()), null);
        assertThat(replayed.getFirst().data().getString("message.id")).isEqualTo(xAnswer);
        assertThat(text(replayed)).isEqualTo(xFlushed);
        assertThat(replayed.getLast().name()).isEqualTo("error");
        assertThat(replayed.getLast().data().getString("type")).endsWith("/turn-abandoned");
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", "key-y")
                .body(Map.of("content", "Y question"))
                .when()
                .post("/conversations/" + y + "/messages")
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", "true")
                .body("message.id", org.hamcrest.Matchers.equalTo(yAnswer))
                .body("message.status", org.hamcrest.Matchers.equalTo("incomplete"))
                .body("message.content", org.hamcrest.Matchers.equalTo(yFlushed));
    }

    // ---------------------------------------------------------------- helpers

    private static String base() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    /** Another replica on the same database and stub, its abandoned-turns job off as well. */
    private static SecondInstance replica(Map<String, String> extra) throws IOException {
        Map<String, String> config = new java.util.HashMap<>(extra);
        config.put("stepchat.jobs.abandoned-turns-every", "off");
        return SecondInstance.onTheTestDatabase(ScriptedStepFun.url(), config);
    }

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

    private static JsonPath messages(String id) {
        return given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static HttpRequest turn(String base, String id, String content, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/conversations/" + id + "/messages"))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}"));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.build();
    }

    private HttpResponse<InputStream> stream(String base, String id, String content, String key)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response =
                http.send(turn(base, id, content, key), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private CompletableFuture<HttpResponse<String>> send(String base, String id, String content) {
        return http.sendAsync(turn(base, id, content, null), HttpResponse.BodyHandlers.ofString());
    }

    /** The messages of the upstream request whose last message is {@code last}, as "role: content". */
    private static List<String> upstreamMessages(String last) {
        for (String body : RECORDER.bodies) {
            JsonPath request = JsonPath.from(body);
            List<String> contents = request.getList("messages.content", String.class);
            if (contents.getLast().equals(last)) {
                List<String> roles = request.getList("messages.role", String.class);
                List<String> messages = new ArrayList<>();
                for (int i = 0; i < roles.size(); i++) {
                    messages.add(roles.get(i) + ": " + contents.get(i));
                }
                return messages;
            }
        }
        throw new AssertionError("No upstream request ends with " + last + ": " + RECORDER.bodies);
    }

    private record Row(String status, String content, String problem) {}

    /** An answer as stored, read past the service (a list through it would close an abandoned turn). */
    private static Row stored(String answer) throws SQLException {
        try (Connection db = database();
                PreparedStatement query = db.prepareStatement(
                        "select status, content, stream_outcome -> 'problem' ->> 'type' from message where id = ?::uuid")) {
            query.setString(1, answer);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                return new Row(row.getString(1), row.getString(2), String.valueOf(row.getString(3)));
            }
        }
    }

    /** Whether the conversation's turn lease is there and has expired (database clock). */
    private static boolean leaseExpired(String conversation) throws SQLException {
        try (Connection db = database();
                PreparedStatement query =
                        db.prepareStatement("select turn_lease_until < now() from conversation where id = ?::uuid")) {
            query.setString(1, conversation);
            try (ResultSet row = query.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private static Connection database() throws SQLException {
        return DriverManager.getConnection(EmbeddedPostgres.jdbcUrl(""), "postgres", "postgres");
    }
}
