package dev.stepchat.turn;

import static dev.stepchat.support.ScriptedStepFun.RECORDER;
import static dev.stepchat.support.ScriptedStepFun.await;
import static dev.stepchat.support.ScriptedStepFun.chunk;
import static dev.stepchat.support.ScriptedStepFun.cut;
import static dev.stepchat.support.ScriptedStepFun.done;
import static dev.stepchat.support.ScriptedStepFun.events;
import static dev.stepchat.support.ScriptedStepFun.status;
import static dev.stepchat.support.ScriptedStepFun.then;
import static dev.stepchat.support.ScriptedStepFun.trickleUntilClosed;
import static dev.stepchat.support.Sse.next;
import static dev.stepchat.support.Sse.text;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.ScriptedStepFun;
import dev.stepchat.support.Sse;
import dev.stepchat.support.Sse.Event;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ScriptedStepFun.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StreamingTurnTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    CircuitBreakerMaintenance circuitBreakers;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void reset() {
        ScriptedStepFun.reset();
        circuitBreakers.resetAll();
    }

    private static String conversation() {
        return given().contentType(ContentType.JSON)
                .body("{\"system_prompt\":\"Be brief\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private HttpResponse<InputStream> open(String id, String body, String accept) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve("conversations/" + id + "/messages"))
                        .header("Content-Type", "application/json")
                        .header("Accept", accept)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    private static List<Event> read(HttpResponse<InputStream> response, Runnable onFirstDelta) throws Exception {
        return Sse.read(Sse.lines(response.body()), onFirstDelta);
    }

    private HttpResponse<InputStream> resume(String id, String message, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        base.resolve("conversations/" + id + "/messages/" + message + "/events"))
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        // a new connection, as a reloaded page or a client that lost its network has: the stream it
        // left was reset on the old one, which the JDK client may still be tearing down
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static JsonPath messages(String id) {
        return given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void deltasArriveBeforeTheUpstreamFinishesAndTheReplyIsStoredWithTheLastUsage() throws Exception {
        CountDownLatch firstDeltaSeen = new CountDownLatch(1);
        // running usage totals: summing them would give 10+10+10 prompt tokens
        then(events(
                chunk("Hel", "", 10, 1),
                await(firstDeltaSeen),
                chunk("lo ", "", 10, 2),
                chunk("there", "stop", 10, 4),
                done()));
        String id = conversation();

        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        // the stub holds its last chunks until this test has read the first delta: a buffered
        // stream would never show one, and the stub would give up and cut the stream
        List<Event> events = read(response, firstDeltaSeen::countDown);

        assertThat(events.getFirst().name()).isEqualTo("start");
        assertThat(events.getFirst().data().getString("message.status")).isEqualTo("in_progress");
        assertThat(events.getFirst().data().getString("user_message.content")).isEqualTo("hi");
        assertThat(events.getLast().data().getString("message.id"))
                .isEqualTo(events.getFirst().data().getString("message.id"));
        assertThat(events).extracting(Event::id).doesNotContainNull().doesNotHaveDuplicates();
        List<Event> deltas =
                events.stream().filter(e -> "delta".equals(e.name())).toList();
        // the first delta came while StepFun held the rest; later chunks may arrive together as one delta
        assertThat(deltas.getFirst().data().getString("content")).isEqualTo("Hel");
        assertThat(text(events)).isEqualTo("Hello there");
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("done");
        assertThat(last.data().getString("object")).isEqualTo("turn");
        assertThat(last.data().getString("message.content")).isEqualTo("Hello there");
        assertThat(last.data().getString("message.status")).isEqualTo("completed");
        assertThat(last.data().getString("message.finish_reason")).isEqualTo("stop");
        assertThat(last.data().getInt("usage.prompt_tokens")).isEqualTo(10);
        assertThat(last.data().getInt("usage.completion_tokens")).isEqualTo(4);
        assertThat(last.data().getInt("conversation_usage.total_tokens")).isEqualTo(14);

        JsonPath stored = messages(id);
        assertThat(stored.getList("data.content")).containsExactly("hi", "Hello there");
        assertThat(stored.getInt("data[1].usage.total_tokens")).isEqualTo(14);
        assertThat(JsonPath.from(RECORDER.bodies.getFirst()).getBoolean("stream"))
                .isTrue();

        // the thread goes on without streaming, and the streamed reply is in its history
        then(status(200, Map.of(), """
                {"id":"c2","model":"step-3.5-flash","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},
                "finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}}"""));
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"more\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        JsonPath history = JsonPath.from(RECORDER.bodies.getLast());
        assertThat(history.getList("messages.content")).containsExactly("Be brief", "hi", "Hello there", "more");
        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .statusCode(200)
                .body("total_tokens", org.hamcrest.Matchers.equalTo(35))
                .body("turns", org.hamcrest.Matchers.equalTo(2));
    }

    @Test
    void aRepeatedStreamWithTheSameKeyIsReplayedWithoutAnUpstreamCall() throws Exception {
        then(events(chunk("Once ", "", 6, 1), chunk("only", "stop", 6, 2), done()));
        String id = conversation();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("conversations/" + id + "/messages"))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .header("Idempotency-Key", "stream-key-" + id)
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"hi\"}"));
        List<Event> first = read(http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()), null);
        assertThat(first.getLast().name()).isEqualTo("done");

        // the first response is stored once its stream has ended
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.send(request.build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 200);
        HttpResponse<InputStream> again = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        List<Event> replayed = read(again, null);
        assertThat(replayed).extracting(Event::name).containsExactly("start", "delta", "done");
        assertThat(replayed.get(1).data().getString("content")).isEqualTo("Once only");
        assertThat(replayed.getLast().data().getString("message.id"))
                .isEqualTo(first.getLast().data().getString("message.id"));
        assertThat(RECORDER.bodies).hasSize(1);
        assertThat(messages(id).getList("data.content")).containsExactly("hi", "Once only");
    }

    @Test
    void aQuietStreamGetsKeepAliveCommentsThatAreNotEvents() throws Exception {
        CountDownLatch keptAlive = new CountDownLatch(1);
        then(events(chunk("Thinking", "", 10, 1), await(keptAlive), chunk(" done", "stop", 10, 2), done()));
        String id = conversation();

        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        BufferedReader lines = Sse.lines(response.body());
        List<String> seen = new ArrayList<>();
        String line;
        // StepFun holds its next chunk until this test has seen a keep-alive comment (300 ms in tests)
        while ((line = lines.readLine()) != null && !line.equals(": keep-alive")) {
            seen.add(line);
        }
        assertThat(line).isEqualTo(": keep-alive");
        assertThat(seen).contains("event: delta");
        keptAlive.countDown();
        List<Event> rest = Sse.read(lines, null);
        assertThat(rest.getLast().name()).isEqualTo("done");
        assertThat(rest.getLast().data().getString("message.content")).isEqualTo("Thinking done");
    }

    @Test
    void streamTrueInTheBodyStreamsToo() throws Exception {
        then(events(chunk("yes", "stop", 3, 1), done()));
        List<Event> events = read(open(conversation(), "{\"content\":\"hi\",\"stream\":true}", "*/*"), null);
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "done");
    }

    @Test
    void rateLimitBeforeTheFirstChunkIsRetried() throws Exception {
        then(status(
                429, Map.of("Retry-After", "0"), "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}"));
        then(events(chunk("fine", "stop", 5, 1), done()));
        String id = conversation();
        List<Event> events = read(open(id, "{\"content\":\"hi\"}", "text/event-stream"), null);
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "done");
        assertThat(RECORDER.bodies).hasSize(2);
        assertThat(messages(id).getList("data.content")).containsExactly("hi", "fine");
    }

    @Test
    void failureBeforeTheFirstChunkIsAProblemResponse() throws Exception {
        then(status(400, Map.of(), "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}"));
        String id = conversation();
        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(messages(id).getList("data.status")).containsExactly("failed");
    }

    @Test
    void aCutStreamEndsWithAnErrorAndKeepsThePartialReply() throws Exception {
        then(events(chunk("par", "", 8, 1), chunk("tial", "", 8, 2), cut()));
        String id = conversation();
        List<Event> events = read(open(id, "{\"content\":\"hi\"}", "text/event-stream"), null);
        // a reader gets what has arrived since its last event: the two chunks may come as one delta
        assertThat(events.getFirst().name()).isEqualTo("start");
        assertThat(events.getLast().name()).isEqualTo("error");
        assertThat(text(events)).isEqualTo("partial");
        assertThat(events.getLast().data().getString("type")).startsWith("https://stepchat.dev/problems/upstream-");
        assertThat(events.getLast().data().getInt("status")).isGreaterThanOrEqualTo(500);

        JsonPath stored = messages(id);
        assertThat(stored.getList("data.content")).containsExactly("hi", "partial");
        assertThat(stored.getString("data[1].status")).isEqualTo("incomplete");
        assertThat(stored.getInt("data[1].usage.total_tokens")).isEqualTo(10);
        given().when().get("/conversations/" + id).then().body("usage.total_tokens", org.hamcrest.Matchers.equalTo(10));
        assertThat(RECORDER.bodies).as("no retry once text reached the caller").hasSize(1);
    }

    private static double metric(String name) {
        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return metrics.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aCallerThatHangsUpIsNoticedAtOnceTheTurnGoesOnAndStopEndsIt() throws Exception {
        then(events(chunk("first ", "", 10, 1), trickleUntilClosed()));
        String id = conversation();
        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        Event start = next(lines);
        assertThat(start.name()).isEqualTo("start");
        assertThat(next(lines).name()).isEqualTo("delta");
        String answer = start.data().getString("message.id");
        assertThat(metric("stepchat_streams_readers")).isEqualTo(1.0);
        response.body().close();

        // the connection is released while StepFun still streams: the turn goes on without it
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("stepchat_streams_readers") == 0.0);
        assertThat(RECORDER.closedByService).isFalse();
        assertThat(metric("stepchat_turns_streaming")).isEqualTo(1.0);
        // its text reaches the database while it runs, and it is the current message
        await().atMost(Duration.ofSeconds(10))
                .until(() -> messages(id).getString("data[1].content").length() > "first ".length());
        JsonPath running = messages(id);
        assertThat(running.getString("data[1].id")).isEqualTo(answer);
        assertThat(running.getString("data[1].status")).isEqualTo("in_progress");
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("current_message_id", org.hamcrest.Matchers.equalTo(answer));

        JsonPath stopped = given().when()
                .post("/conversations/" + id + "/messages/" + answer + "/stop")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(stopped.getString("status")).isEqualTo("incomplete");
        assertThat(stopped.getString("finish_reason")).isEqualTo("stopped");
        assertThat(stopped.getString("content")).startsWith("first x");
        int total = stopped.getInt("usage.total_tokens");
        assertThat(total).isGreaterThan(11);
        await().atMost(Duration.ofSeconds(1)).untilTrue(RECORDER.closedByService);
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("usage.total_tokens", org.hamcrest.Matchers.equalTo(total));
        // stopping what has ended answers it as it is
        given().when()
                .post("/conversations/" + id + "/messages/" + answer + "/stop")
                .then()
                .statusCode(200)
                .body("finish_reason", org.hamcrest.Matchers.equalTo("stopped"));
        assertThat(metric("stepchat_turns_streaming")).isEqualTo(0.0);
    }

    @Test
    void aResumedStreamDeliversEachCharacterOnce() throws Exception {
        CountDownLatch left = new CountDownLatch(1);
        CountDownLatch resumed = new CountDownLatch(1);
        then(events(
                chunk("Hel", "", 10, 1),
                await(left),
                chunk("lo ", "", 10, 2),
                await(resumed),
                chunk("there", "stop", 10, 4),
                done()));
        String id = conversation();
        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        Event start = next(lines);
        Event first = next(lines);
        assertThat(first.data().getString("content")).isEqualTo("Hel");
        response.body().close();
        // the turn goes on while nobody reads it
        left.countDown();
        String answer = start.data().getString("message.id");

        HttpResponse<InputStream> again = resume(id, answer, first.id());
        assertThat(again.statusCode()).isEqualTo(200);
        List<Event> rest = read(again, resumed::countDown);
        assertThat(rest.getFirst().name()).isEqualTo("delta");
        assertThat(rest.getLast().name()).isEqualTo("done");
        assertThat(first.data().getString("content") + text(rest)).isEqualTo("Hello there");
        JsonPath stored = messages(id);
        assertThat(stored.getString("data[1].content")).isEqualTo("Hello there");
        assertThat(stored.getString("data[1].status")).isEqualTo("completed");

        // after the end: the missing text and done at once, the same Turn
        List<Event> late = read(resume(id, answer, first.id()), null);
        assertThat(late).extracting(Event::name).containsExactly("delta", "done");
        assertThat(first.data().getString("content") + text(late)).isEqualTo("Hello there");
        assertThat((Object) late.getLast().data().get(""))
                .isEqualTo(rest.getLast().data().get(""));
        // without an id: everything; after the final event: nothing
        List<Event> all = read(resume(id, answer, null), null);
        assertThat(all).extracting(Event::name).containsExactly("start", "delta", "done");
        assertThat(text(all)).isEqualTo("Hello there");
        assertThat(read(resume(id, answer, all.getLast().id()), null)).isEmpty();
    }

    @Test
    void onlyAnswersHaveAStream() throws Exception {
        then(events(chunk("yes", "stop", 3, 1), done()));
        String id = conversation();
        List<Event> events = read(open(id, "{\"content\":\"hi\"}", "text/event-stream"), null);
        String user = events.getFirst().data().getString("user_message.id");
        String answer = events.getFirst().data().getString("message.id");
        HttpResponse<String> ofUser = http.send(
                HttpRequest.newBuilder(base.resolve("conversations/" + id + "/messages/" + user + "/events"))
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ofUser.statusCode()).isEqualTo(400);
        assertThat(ofUser.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(resume(id, java.util.UUID.randomUUID().toString(), null).statusCode())
                .isEqualTo(404);
        assertThat(resume(id, answer, "not-an-id").statusCode()).isEqualTo(400);
        given().when()
                .post("/conversations/" + id + "/messages/" + user + "/stop")
                .then()
                .statusCode(400);
        given().when()
                .post("/conversations/" + id + "/messages/" + java.util.UUID.randomUUID() + "/stop")
                .then()
                .statusCode(404);
        given().when()
                .post("/conversations/" + id + "/messages/" + answer + "/stop")
                .then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"));
    }

    @Test
    void aRegeneratedStreamResumesTheSameWay() throws Exception {
        then(events(chunk("one", "stop", 3, 1), done()));
        String id = conversation();
        String user = read(open(id, "{\"content\":\"hi\"}", "text/event-stream"), null)
                .getFirst()
                .data()
                .getString("user_message.id");
        CountDownLatch resumed = new CountDownLatch(1);
        then(events(chunk("t", "", 3, 1), await(resumed), chunk("wo", "stop", 3, 2), done()));
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(base.resolve("conversations/" + id + "/messages/" + user + "/regenerate"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        Event start = next(lines);
        assertThat(start.data().getString("user_message.id")).isEqualTo(user);
        response.body().close();
        List<Event> all = read(resume(id, start.data().getString("message.id"), null), resumed::countDown);
        assertThat(all).extracting(Event::name).startsWith("start").endsWith("done");
        assertThat(text(all)).isEqualTo("two");
        assertThat(all.getLast().data().getString("message.id"))
                .isEqualTo(start.data().getString("message.id"));
    }

    @Test
    void theTextOfARunningAnswerReachesTheDatabaseWholeWhateverItsCharacters() throws Exception {
        CountDownLatch more = new CountDownLatch(1);
        CountDownLatch last = new CountDownLatch(1);
        String first = "h\u00e9llo \ud83c\udf89 ";
        String second = first + "\u65e5\u672c";
        then(events(
                chunk("h\u00e9llo ", "", 5, 1),
                chunk("\ud83c\udf89 ", "", 5, 2),
                await(more),
                chunk("\u65e5\u672c", "", 5, 3),
                await(last),
                chunk(" end", "stop", 5, 4),
                done()));
        String id = conversation();
        HttpResponse<InputStream> response = open(id, "{\"content\":\"hi\"}", "text/event-stream");
        BufferedReader lines = Sse.lines(response.body());
        next(lines);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first.equals(messages(id).getString("data[1].content")));
        more.countDown();
        // appended to what was flushed before, never written twice
        await().atMost(Duration.ofSeconds(10))
                .until(() -> second.equals(messages(id).getString("data[1].content")));
        last.countDown();
        List<Event> rest = Sse.read(lines, null);
        assertThat(rest.getLast().data().getString("message.content")).isEqualTo(second + " end");
        assertThat(messages(id).getString("data[1].content")).isEqualTo(second + " end");
    }
}
