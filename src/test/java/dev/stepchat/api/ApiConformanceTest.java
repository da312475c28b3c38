package dev.stepchat.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.OpenApiDocument.assertDocumented;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static dev.stepchat.support.StepFunBodies.error;
import static dev.stepchat.support.StepFunBodies.stream;
import static dev.stepchat.support.StepFunBodies.toolCalls;
import static io.restassured.RestAssured.given;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunBodies.Call;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * Real responses of every operation, successes and problems, validated against the OpenAPI document
 * the service publishes: a status it does not document, or a body its schema does not allow (a
 * null where the schema has none, a missing required field), fails here.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ApiConformanceTest extends StepFunStubbedTest {

    private static final String CONVERSATIONS = "/conversations";
    private static final String CONVERSATION = "/conversations/{id}";
    private static final String MESSAGES = "/conversations/{id}/messages";
    private static final String USAGE = "/conversations/{id}/usage";

    private static Response json(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(CONVERSATIONS);
    }

    private static Response send(String id, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/conversations/" + id + "/messages");
    }

    @Test
    void conversationsAndTheirProblemsMatchTheDocument() {
        Response created =
                assertDocumented("POST", CONVERSATIONS, json("{\"title\":\"doc\",\"metadata\":{\"k\":\"v\"}}"));
        String id = created.path("id");
        assertDocumented("POST", CONVERSATIONS, given().when().post(CONVERSATIONS));
        assertDocumented("POST", CONVERSATIONS, json("{\"title\": 5}"));
        assertDocumented("POST", CONVERSATIONS, json("{\"title\": \"" + "t".repeat(300) + "\"}"));
        assertDocumented(
                "POST",
                CONVERSATIONS,
                given().contentType(ContentType.TEXT).body("x").when().post(CONVERSATIONS));
        String key = UUID.randomUUID().toString();
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{}")
                .when()
                .post(CONVERSATIONS);
        assertDocumented(
                "POST",
                CONVERSATIONS,
                given().contentType(ContentType.JSON)
                        .header("Idempotency-Key", key)
                        .body("{\"title\":\"other\"}")
                        .when()
                        .post(CONVERSATIONS));

        assertDocumented("GET", CONVERSATIONS, given().when().get(CONVERSATIONS + "?limit=2"));
        assertDocumented("GET", CONVERSATIONS, given().when().get(CONVERSATIONS + "?limit=0"));
        Response read = assertDocumented("GET", CONVERSATION, given().when().get("/conversations/" + id));
        assertDocumented("GET", CONVERSATION, given().when().get("/conversations/" + UUID.randomUUID()));

        assertDocumented(
                "PATCH",
                CONVERSATION,
                given().contentType("application/merge-patch+json")
                        .body("{\"title\":\"renamed\",\"system_prompt\":null}")
                        .when()
                        .patch("/conversations/" + id));
        assertDocumented(
                "PATCH",
                CONVERSATION,
                given().contentType(ContentType.JSON)
                        .header("If-Match", read.header("ETag"))
                        .body("{\"title\":\"stale\"}")
                        .when()
                        .patch("/conversations/" + id));
        assertDocumented(
                "PATCH",
                CONVERSATION,
                given().contentType(ContentType.JSON).body("[]").when().patch("/conversations/" + id));

        assertDocumented("GET", USAGE, given().when().get("/conversations/" + id + "/usage"));
        assertDocumented("GET", USAGE, given().when().get("/conversations/" + UUID.randomUUID() + "/usage"));
        assertDocumented("DELETE", CONVERSATION, given().when().delete("/conversations/" + id));
        assertDocumented("DELETE", CONVERSATION, given().when().delete("/conversations/" + id));
    }

    @Test
    void turnsMessagesAndTheirProblemsMatchTheDocument() {
        String id = json("{}").path("id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Hello there", 12, 3, 0))));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"hi\"}"));
        assertDocumented("GET", MESSAGES, given().when().get("/conversations/" + id + "/messages"));
        assertDocumented("GET", MESSAGES, given().when().get("/conversations/" + id + "/messages?order=up"));
        assertDocumented("GET", MESSAGES, given().when().get("/conversations/" + UUID.randomUUID() + "/messages"));
        assertDocumented("GET", USAGE, given().when().get("/conversations/" + id + "/usage"));

        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"\"}"));
        assertDocumented("POST", MESSAGES, send(UUID.randomUUID().toString(), "{\"content\":\"hi\"}"));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"" + "c".repeat(100_001) + "\"}"));

        // a failed turn: the user message with its error, as stored
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(401).withBody(error("authentication_error", "bad key"))));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"fails\"}"));
        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(451).withBody(error("content_filter", "no"))));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"refused\"}"));
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "0")
                        .withBody(error("rate_limit_error", "slow down"))));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"limited\"}"));
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("late", 1, 1, 0)).withFixedDelay(3000)));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"slow\"}"));
        assertDocumented("GET", MESSAGES, given().when().get("/conversations/" + id + "/messages?order=desc"));

        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(503)));
        Response unavailable = send(id, "{\"content\":\"overloaded\"}");
        assertDocumented("POST", MESSAGES, unavailable);

        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream("str", "eamed"))));
        // the streamed form is documented as text/event-stream
        assertDocumented(
                "POST",
                MESSAGES,
                given().contentType(ContentType.JSON)
                        .accept("text/event-stream")
                        .body("{\"content\":\"stream\"}")
                        .when()
                        .post("/conversations/" + id + "/messages"));
    }

    @Test
    void toolCallsResultsAndTheirProblemsMatchTheDocument() {
        String weather = """
                {"type":"function","function":{"name":"get_weather","description":"Weather",
                 "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}""";
        Response created = assertDocumented(
                "POST", CONVERSATIONS, json("{\"tools\":[" + weather + ",{\"type\":\"web_search\"}]}"));
        String id = created.path("id");
        assertDocumented("POST", CONVERSATIONS, json("{\"tools\":[{\"type\":\"function\",\"function\":{}}]}"));
        assertDocumented("GET", CONVERSATION, given().when().get("/conversations/" + id));

        stepFun.stubFor(post(PATH)
                .willReturn(okJson(toolCalls("thinking", new Call("d1", "get_weather", "{\"city\":\"Kyoto\"}")))));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"weather?\"}"));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"ignore it\"}"));
        assertDocumented(
                "POST", MESSAGES, send(id, "{\"tool_results\":[{\"tool_call_id\":\"nope\",\"content\":\"x\"}]}"));
        assertDocumented("POST", MESSAGES, send(id, "{\"content\":\"x\",\"model\":\"tiny\"}"));
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Sunny.", 30, 2, 0))));
        assertDocumented(
                "POST", MESSAGES, send(id, "{\"tool_results\":[{\"tool_call_id\":\"d1\",\"content\":\"sunny\"}]}"));
        assertDocumented("GET", MESSAGES, given().when().get("/conversations/" + id + "/messages?branch=all"));
    }

    @Test
    void resumedStreamsStopsAndTheirProblemsMatchTheDocument() {
        String id = json("{}").path("id");
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream("str", "eamed"))));
        String streamed = given().contentType(ContentType.JSON)
                .accept("text/event-stream")
                .body("{\"content\":\"stream\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        java.util.Map<String, String> data = new java.util.HashMap<>();
        String event = null;
        for (String line : streamed.split("\n")) {
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.put(event, line.substring(5).strip());
            }
        }
        // each event's data is one of the document's schemas
        io.restassured.path.json.JsonPath start = io.restassured.path.json.JsonPath.from(data.get("start"));
        OpenApiDocument.assertMatchesSchema("Message", part(data.get("start"), "message"));
        OpenApiDocument.assertMatchesSchema("Message", part(data.get("start"), "user_message"));
        OpenApiDocument.assertMatchesSchema("Turn", data.get("done"));
        String answer = start.getString("message.id");
        String user = start.getString("user_message.id");

        String events = "/conversations/{id}/messages/{message_id}/events";
        String stop = "/conversations/{id}/messages/{message_id}/stop";
        String base = "/conversations/" + id + "/messages/";
        assertDocumented(
                "GET", events, given().accept("text/event-stream").when().get(base + answer + "/events"));
        assertDocumented(
                "GET", events, given().accept("text/event-stream").when().get(base + user + "/events"));
        assertDocumented(
                "GET", events, given().accept("text/event-stream").when().get(base + UUID.randomUUID() + "/events"));
        assertDocumented(
                "GET",
                events,
                given().accept("text/event-stream")
                        .header("Last-Event-ID", "x")
                        .when()
                        .get(base + answer + "/events"));
        assertDocumented("GET", events, given().accept(ContentType.JSON).when().get(base + answer + "/events"));
        assertDocumented("POST", stop, given().when().post(base + answer + "/stop"));
        assertDocumented("POST", stop, given().when().post(base + user + "/stop"));
        assertDocumented("POST", stop, given().when().post(base + UUID.randomUUID() + "/stop"));
    }

    private static String part(String json, String field) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(json)
                    .path(field)
                    .toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
