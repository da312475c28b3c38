package dev.stepchat.turn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * POST /conversations/{id}/chat as the AI SDK's chat transport calls it: the UI message stream of
 * an ordinary, stored turn; regeneration; tool calls as dynamic tool parts; resume with none
 * running; refusals. (The AI SDK's own client drives it in DropInClientsIT.)
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class UiChatTest extends StepFunStubbedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    private static Response chat(String id, String chatId, String trigger, String role, String text) {
        return given().contentType(ContentType.JSON)
                .body(Map.of(
                        "id", chatId,
                        "messages",
                                List.of(Map.of(
                                        "id",
                                        "m1",
                                        "role",
                                        role,
                                        "parts",
                                        List.of(Map.of("type", "text", "text", text)))),
                        "trigger", trigger))
                .when()
                .post("/conversations/" + id + "/chat");
    }

    /** The stream's parts, in order; the last data line must be [DONE]. */
    private static List<JsonNode> parts(Response response) {
        List<String> data = response.asString()
                .lines()
                .filter(line -> line.startsWith("data: "))
                .map(line -> line.substring(6))
                .toList();
        assertThat(data).last().isEqualTo("[DONE]");
        return data.subList(0, data.size() - 1).stream()
                .map(line -> {
                    try {
                        return JSON.readTree(line);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(line, e);
                    }
                })
                .toList();
    }

    private static List<String> types(List<JsonNode> parts) {
        return parts.stream().map(part -> part.path("type").asText()).toList();
    }

    private void answers(String body) {
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(body)));
    }

    @Test
    void aSubmitIsAStoredTurnAnsweredAsAUiMessageStream() {
        answers(StepFunBodies.stream("Day one", ": Fushimi", " Inari"));
        String id = conversation("{}");

        Response response = OpenApiDocument.assertDocumented(
                "POST", "/conversations/{id}/chat", chat(id, id, "submit-message", "user", "Plan three days in Kyoto"));

        response.then().statusCode(200).contentType("text/event-stream").header("x-vercel-ai-ui-message-stream", "v1");
        List<JsonNode> parts = parts(response);
        // the deltas may come coalesced, as a reader's turn events do
        assertThat(String.join(",", types(parts)))
                .matches("start,start-step,text-start,(text-delta,)+text-end,finish-step,finish");
        assertThat(parts.stream()
                        .filter(p -> p.path("type").asText().equals("text-delta"))
                        .map(p -> p.path("delta").asText())
                        .collect(java.util.stream.Collectors.joining()))
                .isEqualTo("Day one: Fushimi Inari");
        assertThat(parts.getLast().path("finishReason").asText()).isEqualTo("stop");
        // the UI message's id is the stored answer's
        List<Map<String, Object>> stored = given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .path("data");
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0)).containsEntry("content", "Plan three days in Kyoto");
        assertThat(stored.get(1))
                .containsEntry("content", "Day one: Fushimi Inari")
                .containsEntry("id", parts.getFirst().path("messageId").asText());
    }

    @Test
    void aRegenerateAnswersTheBranchsLastUserMessageAgain() {
        answers(StepFunBodies.stream("first"));
        String id = conversation("{}");
        chat(id, id, "submit-message", "user", "Plan").then().statusCode(200);
        answers(StepFunBodies.stream("second"));

        Response again = chat(id, id, "regenerate-message", "assistant", "first");

        again.then().statusCode(200);
        assertThat(types(parts(again))).contains("start", "text-delta", "finish");
        List<Map<String, Object>> all = given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .extract()
                .path("data");
        assertThat(all).extracting(m -> m.get("content")).containsExactlyInAnyOrder("Plan", "first", "second");
        assertThat(all.get(1).get("parent_id")).isEqualTo(all.get(2).get("parent_id"));
    }

    @Test
    void theConversationsToolCallsAreDynamicToolParts() {
        answers(StepFunBodies.streamedToolCalls(
                3, new StepFunBodies.Call("call_1", "get_weather", "{\"city\":\"Kyoto\"}")));
        String id = conversation("""
                {"tools":[{"type":"function","function":{"name":"get_weather",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""");

        List<JsonNode> parts = parts(chat(id, id, "submit-message", "user", "Weather in Kyoto?"));

        JsonNode start = parts.stream()
                .filter(p -> p.path("type").asText().equals("tool-input-start"))
                .findFirst()
                .orElseThrow();
        assertThat(start.path("toolCallId").asText()).isEqualTo("call_1");
        assertThat(start.path("toolName").asText()).isEqualTo("get_weather");
        assertThat(start.path("dynamic").asBoolean()).isTrue();
        assertThat(parts.stream()
                        .filter(p -> p.path("type").asText().equals("tool-input-delta"))
                        .map(p -> p.path("inputTextDelta").asText())
                        .collect(java.util.stream.Collectors.joining()))
                .isEqualTo("{\"city\":\"Kyoto\"}");
        JsonNode available = parts.stream()
                .filter(p -> p.path("type").asText().equals("tool-input-available"))
                .findFirst()
                .orElseThrow();
        assertThat(available.path("input").path("city").asText()).isEqualTo("Kyoto");
        assertThat(parts.getLast().path("finishReason").asText()).isEqualTo("tool-calls");
    }

    @Test
    void resumingWithNoTurnRunningIsNoContent() {
        String id = conversation("{}");
        OpenApiDocument.assertDocumented(
                        "GET",
                        "/conversations/{id}/chat/stream",
                        given().when().get("/conversations/" + id + "/chat/stream"))
                .then()
                .statusCode(204);
        given().when()
                .get("/conversations/" + id + "/chat/" + id + "/stream")
                .then()
                .statusCode(204);
        OpenApiDocument.assertDocumented(
                        "GET",
                        "/conversations/{id}/chat/{chat_id}/stream",
                        given().when().get("/conversations/" + id + "/chat/another/stream"))
                .then()
                .statusCode(400);
    }

    @Test
    void aRequestForAnotherChatOrWithoutAUserMessageIsRefusedWithNothingStored() {
        String id = conversation("{}");
        OpenApiDocument.assertDocumented(
                        "POST", "/conversations/{id}/chat", chat(id, "another-chat", "submit-message", "user", "hi"))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("id"));
        chat(id, id, "submit-message", "assistant", "hi")
                .then()
                .statusCode(400)
                .body("type", endsWith("/validation-failed"));
        chat(id, id, "regenerate-message", "user", "hi").then().statusCode(400);
        chat(id, id, "resume-stream", "user", "hi").then().statusCode(400);
        assertThat(stepFun.getAllServeEvents()).isEmpty();
        given().when()
                .get("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("message_count", org.hamcrest.Matchers.equalTo(0));
    }
}
