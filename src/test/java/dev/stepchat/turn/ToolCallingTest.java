package dev.stepchat.turn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static dev.stepchat.support.StepFunBodies.streamedToolCalls;
import static dev.stepchat.support.StepFunBodies.toolCalls;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Sse;
import dev.stepchat.support.Sse.Event;
import dev.stepchat.support.StepFunBodies.Call;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** Tool calling end to end: tools offered, calls stored and streamed, results answered, the loop closed. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ToolCallingTest extends StepFunStubbedTest {

    static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"The weather in a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    static final String TIME = """
            {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}""";

    @TestHTTPResource("/")
    URI base;

    private static String conversation(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static Response turn(String id, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/conversations/" + id + "/messages");
    }

    private static JsonPath conversationOf(String id) {
        return given().when()
                .get("/conversations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private List<JsonPath> upstreamBodies() {
        List<JsonPath> bodies = new ArrayList<>();
        for (LoggedRequest request : stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))) {
            bodies.add(JsonPath.from(request.getBodyAsString()));
        }
        return bodies;
    }

    /**
     * What StepFun refuses with a 400 (as OpenAI does): a tool message that does not follow the
     * assistant message whose call it answers (or another of its results), and an assistant message
     * with tool calls not followed by one result per call.
     */
    static void assertToolUnitsWhole(JsonPath request) {
        List<Map<String, Object>> messages = request.getList("messages");
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> m = messages.get(i);
            if ("tool".equals(m.get("role"))) {
                int j = i - 1;
                while (j >= 0 && "tool".equals(messages.get(j).get("role"))) {
                    j--;
                }
                assertThat(j)
                        .as("a tool message at %d follows an assistant message", i)
                        .isGreaterThanOrEqualTo(0);
                assertThat(messages.get(j).get("tool_calls"))
                        .as("the message before the results at %d", i)
                        .isNotNull();
            }
            if (m.get("tool_calls") != null) {
                List<?> calls = (List<?>) m.get("tool_calls");
                for (int k = 1; k <= calls.size(); k++) {
                    assertThat(i + k).as("results of the calls at %d", i).isLessThan(messages.size());
                    assertThat(messages.get(i + k).get("role")).isEqualTo("tool");
                }
            }
        }
    }

    @Test
    void theModelCallsFunctionsTheClientAnswersAndTheModelGoesOn() {
        String id = conversation("{\"system_prompt\":\"Use tools\",\"tools\":[" + WEATHER + "," + TIME + "]}");
        assertThat(conversationOf(id).getList("tools")).hasSize(2);

        stepFun.stubFor(post(PATH)
                .willReturn(okJson(toolCalls(
                        "The user wants weather and time.",
                        new Call("call_1", "get_weather", "{\"city\":\"Kyoto\"}"),
                        new Call("call_2", "get_time", "{}")))));
        JsonPath calling = turn(id, "{\"content\":\"Weather and time in Kyoto?\"}")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(calling.getString("message.finish_reason")).isEqualTo("tool_calls");
        assertThat(calling.getString("message.status")).isEqualTo("completed");
        assertThat(calling.getList("message.tool_calls.id")).containsExactly("call_1", "call_2");
        assertThat(calling.getString("message.tool_calls[0].function.arguments"))
                .isEqualTo("{\"city\":\"Kyoto\"}");
        assertThat(calling.getInt("usage.total_tokens")).isEqualTo(32);
        JsonPath offered = upstreamBodies().getLast();
        assertThat(offered.getList("tools.function.name")).containsExactly("get_weather", "get_time");

        // text while the calls wait for their results: a 409 naming them
        turn(id, "{\"content\":\"never mind\"}")
                .then()
                .statusCode(409)
                .body("type", equalTo("https://stepchat.dev/problems/tool-results-required"))
                .body("detail", containsString("call_1"))
                .body("detail", containsString("call_2"));

        stepFun.resetRequests();
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Sunny, 21 °C, and it is 14:00.", 60, 9, 0))));
        JsonPath answered = turn(id, """
                        {"tool_results":[{"tool_call_id":"call_1","content":"{\\"sky\\":\\"sunny\\",\\"c\\":21}"},
                                         {"tool_call_id":"call_2","content":"14:00"}]}""").then().statusCode(201).extract().jsonPath();
        assertThat(answered.getString("message.content")).isEqualTo("Sunny, 21 °C, and it is 14:00.");
        assertThat(answered.getString("user_message.role")).isEqualTo("tool");
        assertThat(answered.getString("user_message.tool_call_id")).isEqualTo("call_2");
        assertThat(answered.getString("user_message.status")).isEqualTo("completed");
        assertThat(answered.getList("tool_messages.tool_call_id")).containsExactly("call_1", "call_2");
        assertThat(answered.getString("tool_messages[0].parent_id")).isEqualTo(calling.getString("message.id"));
        assertThat(answered.getString("tool_messages[1].parent_id"))
                .isEqualTo(answered.getString("tool_messages[0].id"));
        assertThat(answered.getString("message.parent_id")).isEqualTo(answered.getString("tool_messages[1].id"));

        // what StepFun was sent back: the call message with its reasoning, then one result per call
        JsonPath sent = upstreamBodies().getLast();
        assertThat(sent.getList("messages.role")).containsExactly("system", "user", "assistant", "tool", "tool");
        assertThat(sent.getString("messages[2].reasoning")).isEqualTo("The user wants weather and time.");
        assertThat(sent.getList("messages[2].tool_calls.id")).containsExactly("call_1", "call_2");
        assertThat(sent.getList("messages.tool_call_id")).containsExactly(null, null, null, "call_1", "call_2");
        assertToolUnitsWhole(sent);

        JsonPath thread = given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .extract()
                .jsonPath();
        assertThat(thread.getList("data.role")).containsExactly("user", "assistant", "tool", "tool", "assistant");
        assertThat(conversationOf(id).getInt("message_count")).isEqualTo(5);
        assertThat(conversationOf(id).getInt("usage.turns")).isEqualTo(2);

        // and the conversation goes on with text, the tool exchange in its history
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("You are welcome.", 80, 4, 0))));
        turn(id, "{\"content\":\"thanks\"}").then().statusCode(201);
        assertToolUnitsWhole(upstreamBodies().getLast());
    }

    @Test
    void resultsThatDoNotAnswerEveryCallOnceAreRefusedAndNothingIsStored() {
        String id = conversation("{\"tools\":[" + WEATHER + "," + TIME + "]}");
        stepFun.stubFor(post(PATH)
                .willReturn(okJson(toolCalls(
                        null,
                        new Call("c1", "get_weather", "{\"city\":\"Oslo\"}"),
                        new Call("c2", "get_time", "{}")))));
        turn(id, "{\"content\":\"both please\"}").then().statusCode(201);
        int before = conversationOf(id).getInt("message_count");
        for (String results : List.of(
                "[{\"tool_call_id\":\"c1\",\"content\":\"rain\"}]",
                "[{\"tool_call_id\":\"c1\",\"content\":\"rain\"},{\"tool_call_id\":\"c9\",\"content\":\"?\"},"
                        + "{\"tool_call_id\":\"c2\",\"content\":\"9:00\"}]",
                "[{\"tool_call_id\":\"c1\",\"content\":\"rain\"},{\"tool_call_id\":\"c1\",\"content\":\"rain\"},"
                        + "{\"tool_call_id\":\"c2\",\"content\":\"9:00\"}]")) {
            turn(id, "{\"tool_results\":" + results + "}")
                    .then()
                    .statusCode(400)
                    .body("type", equalTo("https://stepchat.dev/problems/tool-results-invalid"));
        }
        turn(id, "{\"content\":\"hi\",\"tool_results\":[{\"tool_call_id\":\"c1\",\"content\":\"x\"}]}")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("content"));
        assertThat(conversationOf(id).getInt("message_count")).isEqualTo(before);
        // results for an answer that called nothing
        String plain = conversation("{}");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("hello", 5, 1, 0))));
        turn(plain, "{\"content\":\"hi\"}").then().statusCode(201);
        turn(plain, "{\"tool_results\":[{\"tool_call_id\":\"c1\",\"content\":\"x\"}]}")
                .then()
                .statusCode(400)
                .body("type", equalTo("https://stepchat.dev/problems/tool-results-invalid"));
    }

    @Test
    void toolsAreCheckedAndBuiltInOnesPassThrough() {
        given().contentType(ContentType.JSON)
                .body("{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"no spaces allowed\"}}]}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("tools[0].function.name"));
        given().contentType(ContentType.JSON)
                .body(
                        "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"string\"}}}]}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("tools[0].function.parameters"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 129; i++) {
            many.append(i == 0 ? "" : ",").append("{\"type\":\"function\",\"function\":{\"name\":\"f" + i + "\"}}");
        }
        given().contentType(ContentType.JSON)
                .body("{\"tools\":[" + many + "]}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("tools"));

        String id = conversation("{}");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("found it", 5, 2, 0))));
        String webSearch = "{\"type\":\"web_search\",\"function\":{\"description\":\"search the web\"}}";
        turn(id, "{\"content\":\"news?\",\"tools\":[" + webSearch + "],\"tool_choice\":\"auto\"}")
                .then()
                .statusCode(201);
        JsonPath sent = upstreamBodies().getLast();
        assertThat(sent.getString("tools[0].type")).isEqualTo("web_search");
        assertThat(sent.getString("tools[0].function.description")).isEqualTo("search the web");
        assertThat(sent.getString("tool_choice")).isEqualTo("auto");
        turn(id, "{\"content\":\"again\",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}}")
                .then()
                .statusCode(400);

        // a model whose facts say it takes no tools
        turn(id, "{\"content\":\"x\",\"model\":\"tiny\",\"tools\":[" + WEATHER + "]}")
                .then()
                .statusCode(400)
                .body("type", equalTo("https://stepchat.dev/problems/model-cannot-use-tools"));
        // PATCH null clears the conversation's tools
        String withTools = conversation("{\"tools\":[" + WEATHER + "]}");
        given().contentType("application/merge-patch+json")
                .body("{\"tools\":null}")
                .when()
                .patch("/conversations/" + withTools)
                .then()
                .statusCode(200)
                .body("tools", equalTo(null));
    }

    @Test
    void aStreamedToolCallArrivesInPiecesOnceAndIsStoredAssembled() throws Exception {
        String id = conversation("{\"tools\":[" + WEATHER + "," + TIME + "]}");
        String arguments = "{\"city\":\"Reykjavík\",\"units\":\"metric\"}";
        stepFun.stubFor(post(PATH)
                .withRequestBody(
                        matchingJsonPath("$.stream", com.github.tomakehurst.wiremock.client.WireMock.equalTo("true")))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(streamedToolCalls(
                                4,
                                new Call("call_a", "get_weather", arguments),
                                new Call("call_b", "get_time", "{}")))));
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("conversations/" + id + "/messages"))
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"weather and time\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        List<Event> events = Sse.read(Sse.lines(response.body()), null);
        assertThat(events.getLast().name()).isEqualTo("done");
        JsonPath done = events.getLast().data();
        assertThat(done.getString("message.finish_reason")).isEqualTo("tool_calls");
        assertThat(done.getList("message.tool_calls.id")).containsExactly("call_a", "call_b");
        assertThat(done.getString("message.tool_calls[0].function.arguments")).isEqualTo(arguments);
        // the pieces of the deltas, put together as OpenAI's clients do, give the calls once
        assertThat(assemble(
                        events.stream().filter(e -> "delta".equals(e.name())).toList()))
                .containsExactly("call_a get_weather " + arguments, "call_b get_time {}");

        // resumed from any delta, the pieces after it arrive once and complete the calls
        String answer = done.getString("message.id");
        List<Event> deltas =
                events.stream().filter(e -> "delta".equals(e.name())).toList();
        for (Event from : deltas) {
            HttpResponse<InputStream> resumed = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            base.resolve("conversations/" + id + "/messages/" + answer + "/events"))
                                    .header("Accept", "text/event-stream")
                                    .header("Last-Event-ID", from.id())
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            List<Event> rest = Sse.read(Sse.lines(resumed.body()), null);
            List<Event> before = deltas.subList(0, deltas.indexOf(from) + 1);
            List<Event> all = new ArrayList<>(before);
            all.addAll(rest.stream().filter(e -> "delta".equals(e.name())).toList());
            assertThat(assemble(all)).containsExactly("call_a get_weather " + arguments, "call_b get_time {}");
        }

        // the stored answer takes results like a whole one
        stepFun.stubFor(post(PATH)
                .withRequestBody(
                        matchingJsonPath("$.stream", com.github.tomakehurst.wiremock.client.WireMock.equalTo("false")))
                .willReturn(okJson(completion("Cold and late.", 40, 4, 0))));
        stepFun.stubFor(post(PATH)
                .withRequestBody(matchingJsonPath("$.stream", com.github.tomakehurst.wiremock.client.WireMock.absent()))
                .willReturn(okJson(completion("Cold and late.", 40, 4, 0))));
        turn(id, """
                        {"tool_results":[{"tool_call_id":"call_a","content":"-2 C"},{"tool_call_id":"call_b","content":"23:10"}]}""").then().statusCode(201).body("message.content", equalTo("Cold and late."));
        assertToolUnitsWhole(upstreamBodies().getLast());
    }

    /** Tool-call pieces put together by index: "id name arguments" per call. */
    private static List<String> assemble(List<Event> deltas) {
        List<String[]> calls = new ArrayList<>();
        for (Event delta : deltas) {
            List<Map<String, Object>> pieces = delta.data().getList("tool_calls");
            if (pieces == null) {
                continue;
            }
            for (Map<String, Object> piece : pieces) {
                int index = (Integer) piece.get("index");
                while (calls.size() <= index) {
                    calls.add(new String[] {"", "", ""});
                }
                String[] call = calls.get(index);
                if (piece.get("id") != null) {
                    assertThat(call[0])
                            .as("the id of call %d comes once", index)
                            .isEmpty();
                    call[0] = (String) piece.get("id");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> function = (Map<String, Object>) piece.get("function");
                if (function != null) {
                    if (function.get("name") != null) {
                        call[1] += function.get("name");
                    }
                    if (function.get("arguments") != null) {
                        call[2] += function.get("arguments");
                    }
                }
            }
        }
        return calls.stream()
                .map(call -> call[0] + " " + call[1] + " " + call[2])
                .toList();
    }

    @Test
    void toolUnitsAreLeftOutWholeWhenTheContextIsShort() {
        // a small context limit: the oldest exchanges must go, a tool exchange among them
        String id = conversation("{\"context_limit\":400,\"tools\":[" + WEATHER + "]}");
        String padding = "word ".repeat(60);
        stepFun.stubFor(post(PATH)
                .inScenario("short")
                .whenScenarioStateIs(STARTED)
                .willReturn(okJson(toolCalls(null, new Call("w1", "get_weather", "{\"city\":\"Lima\"}"))))
                .willSetStateTo("answered"));
        stepFun.stubFor(post(PATH)
                .inScenario("short")
                .whenScenarioStateIs("answered")
                .willReturn(okJson(completion("ok " + padding.trim(), 100, 60, 0))));
        turn(id, "{\"content\":\"" + padding + "\"}").then().statusCode(201);
        turn(id, "{\"tool_results\":[{\"tool_call_id\":\"w1\",\"content\":\"" + padding + "\"}]}")
                .then()
                .statusCode(201);
        for (int i = 0; i < 3; i++) {
            JsonPath later = turn(id, "{\"content\":\"more " + i + " " + padding + "\"}")
                    .then()
                    .statusCode(201)
                    .extract()
                    .jsonPath();
            assertToolUnitsWhole(upstreamBodies().getLast());
            if (i == 2) {
                assertThat(later.getInt("context.messages_omitted")).isPositive();
            }
        }
    }

    @Test
    void aToolCallAnswerIsRegeneratedAndAResultsTurnReplaysByItsKey() {
        String id = conversation("{\"tools\":[" + WEATHER + "]}");
        stepFun.stubFor(
                post(PATH).willReturn(okJson(toolCalls(null, new Call("r1", "get_weather", "{\"city\":\"Rome\"}")))));
        JsonPath calling = turn(id, "{\"content\":\"Rome?\"}")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String userId = calling.getString("user_message.id");

        stepFun.stubFor(post(PATH).willReturn(okJson(completion("I will not look it up.", 10, 5, 0))));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + userId + "/regenerate")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("I will not look it up."))
                .body("message.tool_calls", equalTo(null));
        // back to the calling answer, then answer it, twice with one key: one turn
        given().contentType("application/merge-patch+json")
                .body("{\"current_message_id\":\"" + calling.getString("message.id") + "\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200);
        stepFun.resetRequests();
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Rome: 25 °C.", 30, 4, 0))));
        String body = "{\"tool_results\":[{\"tool_call_id\":\"r1\",\"content\":\"25\"}]}";
        JsonPath first = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", "tools-" + id)
                .body(body)
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", "tools-" + id)
                .body(body)
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", "true")
                .body("message.id", equalTo(first.getString("message.id")))
                .body("tool_messages[0].tool_call_id", equalTo("r1"));
        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(1);

        // regenerating the answer to the results: the tool message plays the user message's part
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Rome is warm.", 30, 3, 0))));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + first.getString("user_message.id") + "/regenerate")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("Rome is warm."))
                .body("message.parent_id", equalTo(first.getString("user_message.id")));
        assertToolUnitsWhole(upstreamBodies().getLast());
    }

    @Test
    void exportImportAndForkCarryToolCallsAndResults() {
        String id = conversation("{\"tools\":[" + WEATHER + "]}");
        stepFun.stubFor(
                post(PATH).willReturn(okJson(toolCalls(null, new Call("e1", "get_weather", "{\"city\":\"Bern\"}")))));
        turn(id, "{\"content\":\"Bern?\"}").then().statusCode(201);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Snow.", 20, 1, 0))));
        turn(id, "{\"tool_results\":[{\"tool_call_id\":\"e1\",\"content\":\"snow\"}]}")
                .then()
                .statusCode(201);

        String export = given().when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonPath imported = given().contentType(ContentType.JSON)
                .body(export)
                .when()
                .post("/conversations/import")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String copy = imported.getString("data[0].id");
        assertThat(imported.getList("data[0].tools")).hasSize(1);
        JsonPath messages = given().when()
                .get("/conversations/" + copy + "/messages")
                .then()
                .extract()
                .jsonPath();
        assertThat(messages.getList("data.role")).containsExactly("user", "assistant", "tool", "assistant");
        assertThat(messages.getString("data[1].tool_calls[0].id")).isEqualTo("e1");
        assertThat(messages.getString("data[2].tool_call_id")).isEqualTo("e1");

        String fork = given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/fork")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        JsonPath forked = given().when()
                .get("/conversations/" + fork + "/messages")
                .then()
                .extract()
                .jsonPath();
        assertThat(forked.getList("data.role")).containsExactly("user", "assistant", "tool", "assistant");
        assertThat(forked.getString("data[2].tool_call_id")).isEqualTo("e1");
        assertThat(conversationOf(fork).getList("tools")).hasSize(1);
    }
}
