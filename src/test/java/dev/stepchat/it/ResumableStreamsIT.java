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
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.AuthOffResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.ScriptedStepFun;
import dev.stepchat.support.Sse;
import dev.stepchat.support.Sse.Event;

/**
 * Resumable streams and stop across two packaged replicas on one database (the native
 * executables with -Dnative): a stream begun on one replica is resumed and stopped on the other,
 * and the turn of a replica killed mid-stream is closed by the survivor.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(ScriptedStepFun.class)
@WithTestResource(AuthOffResource.class)
class ResumableStreamsIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void reset() {
        ScriptedStepFun.reset();
    }

    @Test
    void aStreamLeftOnOneReplicaIsResumedOnTheOtherWithEachCharacterOnce() throws Exception {
        CountDownLatch[] go = {
            new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)
        };
        then(events(
                chunk("Hel", "", 9, 1),
                await(go[0]),
                chunk("lo ", "", 9, 2),
                await(go[1]),
                chunk("wor", "", 9, 3),
                await(go[2]),
                chunk("ld", "", 9, 4),
                await(go[3]),
                chunk(", bye", "stop", 9, 6),
                done()));
        try (SecondInstance b = secondReplica(Map.of())) {
            String id = conversation(base());
            HttpResponse<InputStream> response = post(base(), id, "{\"content\":\"hi\"}");
            BufferedReader a = lines(response);
            Event start = next(a);
            assertThat(start.name()).isEqualTo("start");
            StringBuilder received = new StringBuilder();
            Event last = null;
            for (int i = 0; i < 3; i++) {
                last = next(a);
                assertThat(last.name()).isEqualTo("delta");
                received.append(last.data().getString("content"));
                go[i].countDown();
            }
            // hang up after three deltas; the turn goes on on A, and B takes over the reading
            response.body().close();
            String answer = start.data().getString("message.id");
            List<Event> rest = read(resume(b.base().toString(), id, answer, last.id()), go[3]::countDown);
            assertThat(rest.getLast().name()).isEqualTo("done");
            JsonPath stored = messages(base(), id);
            assertThat(received + text(rest))
                    .isEqualTo("Hello world, bye")
                    .isEqualTo(stored.getString("data[1].content"));
            assertThat(stored.getString("data[1].status")).isEqualTo("completed");

            // the same Turn from either replica, and from either after the end
            Event doneOnA = read(resume(base(), id, answer, null), null).getLast();
            assertThat((Object) rest.getLast().data().get(""))
                    .isEqualTo(doneOnA.data().get(""));
            assertThat(doneOnA.data().getString("message.content")).isEqualTo("Hello world, bye");
            assertThat(doneOnA.data().getInt("conversation_usage.total_tokens")).isEqualTo(15);

            // after the end: the missing text and done at once; without an id: everything
            List<Event> late = read(resume(b.base().toString(), id, answer, last.id()), null);
            assertThat(late).extracting(Event::name).containsExactly("delta", "done");
            assertThat(received + text(late)).isEqualTo("Hello world, bye");
            List<Event> all = read(resume(b.base().toString(), id, answer, null), null);
            assertThat(all).extracting(Event::name).containsExactly("start", "delta", "done");
            assertThat(text(all)).isEqualTo("Hello world, bye");
        }
    }

    @Test
    void aStopOnTheOtherReplicaCancelsTheUpstreamAndKeepsTheUsage() throws Exception {
        then(events(chunk("first ", "", 10, 1), trickleUntilClosed()));
        try (SecondInstance b = secondReplica(Map.of())) {
            String id = conversation(base());
            BufferedReader a = lines(post(base(), id, "{\"content\":\"hi\"}"));
            Event start = next(a);
            assertThat(next(a).name()).isEqualTo("delta");
            CompletableFuture<List<Event>> restOnA = CompletableFuture.supplyAsync(() -> readRest(a));
            String answer = start.data().getString("message.id");

            JsonPath stopped = given().baseUri(b.base().toString())
                    .when()
                    .post("/conversations/" + id + "/messages/" + answer + "/stop")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(stopped.getString("status")).isEqualTo("incomplete");
            assertThat(stopped.getString("finish_reason")).isEqualTo("stopped");
            assertThat(stopped.getString("content")).startsWith("first ");
            Awaitility.await().atMost(Duration.ofSeconds(1)).untilTrue(RECORDER.closedByService);

            List<Event> rest = restOnA.get();
            assertThat(rest.getLast().name()).isEqualTo("done");
            assertThat(rest.getLast().data().getString("message.finish_reason")).isEqualTo("stopped");
            assertThat(rest.getLast().data().getString("message.content")).isEqualTo(stopped.getString("content"));
            int total = stopped.getInt("usage.total_tokens");
            assertThat(total).isGreaterThanOrEqualTo(11);
            given().when()
                    .get("/conversations/" + id)
                    .then()
                    .statusCode(200)
                    .body("usage.total_tokens", equalTo(total))
                    .body("usage.turns", equalTo(1));
        }
    }

    @Test
    void theTurnOfAKilledReplicaIsClosedAndTheConversationGoesOn() throws Exception {
        then(events(chunk("kept ", "", 10, 1), trickleUntilClosed()));
        String id = conversation(base());
        String answer;
        try (SecondInstance b = secondReplica(Map.of("stepchat.turn-lease", "6S"))) {
            BufferedReader onB = lines(post(b.base().toString(), id, "{\"content\":\"hi\"}"));
            answer = next(onB).data().getString("message.id");
            assertThat(next(onB).name()).isEqualTo("delta");
            // its text reaches the database while it streams
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() ->
                            messages(base(), id).getString("data[1].content").startsWith("kept x"));
            b.kill();
        }
        String flushed = messages(base(), id).getString("data[1].content");
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> "incomplete".equals(messages(base(), id).getString("data[1].status")));
        JsonPath closed = messages(base(), id);
        assertThat(closed.getString("data[1].content")).startsWith(flushed);
        assertThat(closed.getString("data[0].status")).isEqualTo("completed");
        List<Event> resumed = read(resume(base(), id, answer, null), null);
        assertThat(resumed.getLast().name()).isEqualTo("error");
        assertThat(resumed.getLast().data().getString("type")).endsWith("/turn-abandoned");

        then(events(chunk("again", "stop", 12, 1), done()));
        List<Event> next = read(post(base(), id, "{\"content\":\"still there?\"}"), null);
        assertThat(next.getLast().name()).isEqualTo("done");
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.content[3]", equalTo("again"))
                .body("data.status[3]", equalTo("completed"));
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("message_count", equalTo(4))
                .body("current_message_id", endsWith(next.getLast().data().getString("message.id")));
    }

    // ---------------------------------------------------------------- helpers

    private static String base() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    private SecondInstance secondReplica(Map<String, String> extra) throws IOException {
        return SecondInstance.onTheTestDatabase(ScriptedStepFun.url(), extra);
    }

    private static String conversation(String base) {
        return given().baseUri(base)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static JsonPath messages(String base, String id) {
        return given().baseUri(base)
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private HttpResponse<InputStream> post(String base, String id, String body)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/conversations/" + id + "/messages"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private HttpResponse<InputStream> resume(String base, String id, String answer, String lastEventId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(base + "/conversations/" + id + "/messages/" + answer + "/events"))
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private static BufferedReader lines(HttpResponse<InputStream> response) {
        return Sse.lines(response.body());
    }

    private static List<Event> read(HttpResponse<InputStream> response, Runnable onFirstDelta) throws IOException {
        return Sse.read(lines(response), onFirstDelta);
    }

    private static List<Event> readRest(BufferedReader lines) {
        try {
            return Sse.read(lines, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
