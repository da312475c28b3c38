package dev.stepchat.model;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.OpenApiDocument.assertDocumented;
import static dev.stepchat.support.StepFunBodies.PATH;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.TokenCountingStepFun;

/**
 * The model catalogue and long conversations: a model with a tiny window (300 tokens) keeps working
 * over 20 turns, in English and in Chinese, with every request inside the limit by the service's
 * estimate and by the stub's own token count.
 */
@QuarkusTest
@TestProfile(ModelsAndContextTest.FreshCatalogue.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ModelsAndContextTest extends StepFunStubbedTest {

    /** StepFun's list is asked for on every use, so each step of the test sees StepFun as it is now. */
    public static class FreshCatalogue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("stepchat.models.cache-for", "0S", "stepchat.models.retry-after-failure", "0S");
        }
    }

    static final String MODELS = "/v1/models";
    static final String LISTED = """
            {"object":"list","data":[{"id":"step-3.5-flash","object":"model","created":1764064800,"owned_by":"stepfun"},
             {"id":"tiny","object":"model","created":1764064800,"owned_by":"stepfun"},
             {"id":"step-x","object":"model","created":1764064800,"owned_by":"stepfun"}]}""";
    /** The tiny model's window (300) less the reply room (a quarter of it). */
    static final int LIMIT = 225;

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

    private Response turn(String id, String content) {
        return assertDocumented(
                "POST",
                "/conversations/{id}/messages",
                given().contentType(ContentType.JSON)
                        .body(Map.of("content", content))
                        .when()
                        .post("/conversations/" + id + "/messages"));
    }

    private List<JsonNode> upstreamMessages() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<LoggedRequest> requests = stepFun.findAll(postRequestedFor(urlEqualTo(PATH)));
        List<JsonNode> out = new java.util.ArrayList<>();
        for (LoggedRequest request : requests) {
            out.add(json.readTree(request.getBodyAsString()).path("messages"));
        }
        return out;
    }

    private void longConversation(String system, String question, String answer) throws Exception {
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withTransformers(TokenCountingStepFun.NAME)
                        .withTransformerParameter("reply", answer)));
        String id = conversation("{\"model\":\"tiny\",\"system_prompt\":\"" + system + "\"}");
        int omitted = 0;
        for (int i = 1; i <= 20; i++) {
            JsonPath turn = turn(id, question + " " + i)
                    .then()
                    .statusCode(201)
                    .extract()
                    .jsonPath();
            assertThat(turn.getInt("context.estimated_prompt_tokens")).isLessThanOrEqualTo(LIMIT);
            assertThat(turn.getInt("context.messages_omitted")).isGreaterThanOrEqualTo(omitted);
            omitted = turn.getInt("context.messages_omitted");
        }
        assertThat(omitted).as("old exchanges were left out").isPositive();
        List<JsonNode> requests = upstreamMessages();
        assertThat(requests).hasSize(20);
        for (int i = 0; i < requests.size(); i++) {
            JsonNode messages = requests.get(i);
            assertThat(TokenCountingStepFun.count(messages))
                    .as("request %d by the stub's count", i + 1)
                    .isLessThanOrEqualTo(LIMIT);
            assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
            assertThat(messages.get(0).path("content").asText()).isEqualTo(system);
            assertThat(messages.get(messages.size() - 1).path("content").asText())
                    .isEqualTo(question + " " + (i + 1));
        }
    }

    @Test
    void anEnglishConversationOfTwentyTurnsStaysInsideATinyWindow() throws Exception {
        longConversation(
                "Be brief.",
                "Tell me one more thing about the history of the printing press, please",
                "Gutenberg's press used movable metal type and oil-based ink, which spread printing across Europe.");
    }

    @Test
    void aChineseConversationOfTwentyTurnsStaysInsideATinyWindow() throws Exception {
        longConversation("请简短回答。", "请再告诉我一点关于量子计算的历史和它的发展方向", "量子计算利用叠加和纠缠来处理信息，早期的理论由费曼等人在二十世纪八十年代提出。");
    }

    @Test
    void aMessageLargerThanTheWindowIsA413WithoutAnUpstreamCall() {
        String id = conversation("{\"model\":\"tiny\"}");
        turn(id, "word ".repeat(400))
                .then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("type", endsWith("/context-length-exceeded"));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .body("data[0].status", equalTo("failed"))
                .body("data[0].error.type", endsWith("/context-length-exceeded"));
    }

    @Test
    void stepFunRefusingTheLengthIsA413NotA502() {
        stepFun.stubFor(
                post(PATH)
                        .willReturn(
                                aResponse()
                                        .withStatus(400)
                                        .withBody(
                                                "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"type\":\"invalid_request_error\"}}")));
        String id = conversation("{}");
        turn(id, "hello").then().statusCode(413).body("type", endsWith("/context-length-exceeded"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .body("data[0].status", equalTo("failed"));
    }

    @Test
    void theCatalogueFollowsStepFunAndFallsBack() {
        // an unexpected body, then StepFun down, with nothing loaded yet: the configured models, any model accepted
        stepFun.stubFor(get(urlEqualTo(MODELS)).willReturn(okJson("{\"data\":\"surprise\"}")));
        JsonPath configured = assertDocumented("GET", "/models", given().when().get("/models"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(configured.getList("data.id", String.class))
                .contains("step-3.5-flash", "tiny")
                .doesNotContain("step-x");
        stepFun.stubFor(get(urlEqualTo(MODELS)).willReturn(aResponse().withStatus(503)));
        given().when()
                .get("/models")
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'tiny' }.context_window", equalTo(300));
        conversation("{\"model\":\"anything-goes\"}");

        // StepFun up: its list, with the configured facts
        stepFun.stubFor(get(urlEqualTo(MODELS)).willReturn(okJson(LISTED)));
        JsonPath listed = assertDocumented("GET", "/models", given().when().get("/models"))
                .then()
                .extract()
                .jsonPath();
        assertThat(listed.getList("data.id", String.class)).containsExactly("step-3.5-flash", "step-x", "tiny");
        assertThat(listed.getInt("data.find { it.id == 'step-3.5-flash' }.context_window"))
                .isEqualTo(262144);
        assertThat((Object) listed.get("data.find { it.id == 'step-x' }.context_window"))
                .isNull();
        // unknown models are refused on create, PATCH and turns, known ones pass
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"step-typo\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("type", endsWith("/unknown-model"))
                .body("detail", org.hamcrest.Matchers.containsString("step-3.5-flash"));
        String id = conversation("{\"model\":\"step-x\"}");
        given().contentType("application/merge-patch+json")
                .body("{\"model\":\"step-typo\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400)
                .body("type", endsWith("/unknown-model"));
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"hi\",\"model\":\"step-typo\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("model"));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));

        // StepFun down again: the last good list is served
        stepFun.stubFor(get(urlEqualTo(MODELS)).willReturn(aResponse().withStatus(500)));
        given().when().get("/models").then().statusCode(200).body("data.id", org.hamcrest.Matchers.hasItem("step-x"));
    }

    @Test
    void contextLimitIsValidatedAndApplied() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"tiny\",\"context_limit\":301}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("context_limit"));
        given().contentType(ContentType.JSON)
                .body("{\"context_limit\":0}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400);
        String id = conversation("{\"context_limit\":40}");
        given().when().get("/conversations/" + id).then().body("context_limit", equalTo(40));
        stepFun.stubFor(post(PATH).willReturn(aResponse().withTransformers(TokenCountingStepFun.NAME)));
        turn(id, "short").then().statusCode(201).body("context.messages_sent", equalTo(1));
        turn(id, "this one is a little longer than the first").then().statusCode(201);
        JsonPath third =
                turn(id, "and a third").then().statusCode(201).extract().jsonPath();
        assertThat(third.getInt("context.messages_omitted")).isPositive();
        given().contentType("application/merge-patch+json")
                .body("{\"context_limit\":null}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("context_limit", nullValue());
        given().contentType("application/merge-patch+json")
                .body("{\"context_limit\":\"big\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400);
    }
}
