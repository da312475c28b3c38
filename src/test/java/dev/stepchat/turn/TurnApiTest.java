package dev.stepchat.turn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static dev.stepchat.support.StepFunBodies.error;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.Concurrently;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TurnApiTest extends StepFunStubbedTest {

    static final String PROBLEM = "application/problem+json";

    private void answer(String content, int prompt, int completion) {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion(content, prompt, completion, 0))));
    }

    private static String conversation(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static io.restassured.response.Response turn(String id, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/conversations/" + id + "/messages");
    }

    /** Every stored message: failed turns are dead-end branches, off the current branch. */
    private static JsonPath messages(String id) {
        return given().queryParam("limit", 100)
                .queryParam("branch", "all")
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void aTurnStoresBothMessagesAndReturnsTheTurn() {
        String id = conversation(Map.of("system_prompt", "Be brief"));
        stepFun.stubFor(post(PATH).willReturn(okJson("""
                {"id":"chatcmpl-9","object":"chat.completion","created":1764064800,"model":"step-3.5-flash-2603",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!","reasoning":"greet back"},
                 "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":83,"completion_tokens":176,"total_tokens":259,"cached_tokens":12},
                 "some_future_field":{"x":1}}""")));

        JsonPath answered = turn(id, Map.of("content", "Hello", "temperature", 0.7, "top_p", 0.9, "max_tokens", 300))
                .then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .body("object", equalTo("turn"))
                .body("user_message.role", equalTo("user"))
                .body("user_message.content", equalTo("Hello"))
                .body("user_message.status", equalTo("completed"))
                .body("message.role", equalTo("assistant"))
                .body("message.content", equalTo("Hi!"))
                .body("message.status", equalTo("completed"))
                .body("message.model", equalTo("step-3.5-flash-2603"))
                .body("message.finish_reason", equalTo("stop"))
                .body("message.usage.prompt_tokens", equalTo(83))
                .body("message.usage.cached_tokens", equalTo(12))
                .body("usage.total_tokens", equalTo(259))
                .body("conversation_usage.total_tokens", equalTo(259))
                .body("conversation_usage.turns", equalTo(1))
                .extract()
                .jsonPath();

        stepFun.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("Authorization", WireMock.equalTo("Bearer test-key"))
                        .withRequestBody(equalToJson("""
                        {"model":"step-3.5-flash","temperature":0.7,"top_p":0.9,"max_tokens":300,
                         "messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Hello"}]}""")));

        JsonPath stored = messages(id);
        assertThat(stored.getList("data.role")).containsExactly("user", "assistant");
        assertThat(stored.getList("data.content")).containsExactly("Hello", "Hi!");
        // the turn's answer is what every later read gives, field for field (times to the microsecond)
        assertThat(stored.getMap("data[0]")).isEqualTo(answered.getMap("user_message"));
        assertThat(stored.getMap("data[1]")).isEqualTo(answered.getMap("message"));
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("title", equalTo("Hello"))
                .body("message_count", equalTo(2))
                .body("usage.total_tokens", equalTo(259));
    }

    @Test
    void historyIsSentInOrderWithoutFailedTurnsAndTheConversationModel() {
        String id = conversation(Map.of("model", "step-2-mini"));
        answer("one", 10, 1);
        turn(id, Map.of("content", "first")).then().statusCode(201);
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody(error("invalid_request_error", "bad"))));
        turn(id, Map.of("content", "refused")).then().statusCode(502);
        answer("three", 10, 1);
        turn(id, Map.of("content", "third", "model", "step-3")).then().statusCode(201);

        List<LoggedRequest> requests = stepFun.findAll(postRequestedFor(urlEqualTo(PATH)));
        JsonPath last = JsonPath.from(requests.getLast().getBodyAsString());
        assertThat(last.getString("model")).isEqualTo("step-3");
        assertThat(last.getList("messages.content")).containsExactly("first", "one", "third");
        assertThat(last.getList("messages.role")).containsExactly("user", "assistant", "user");
        assertThat(JsonPath.from(requests.getFirst().getBodyAsString()).getString("model"))
                .isEqualTo("step-2-mini");
        assertThat(messages(id).getList("data.status"))
                .containsExactly("completed", "completed", "failed", "completed", "completed");
    }

    @Test
    void usageTotalsAreTheExactSumOfTurns() {
        String id = conversation(Map.of());
        int[][] usages = {{83, 176}, {300, 40}, {512, 7}};
        for (int[] u : usages) {
            answer("ok", u[0], u[1]);
            turn(id, Map.of("content", "q")).then().statusCode(201);
        }
        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .statusCode(200)
                .body("prompt_tokens", equalTo(83 + 300 + 512))
                .body("completion_tokens", equalTo(176 + 40 + 7))
                .body("total_tokens", equalTo(83 + 176 + 300 + 40 + 512 + 7))
                .body("turns", equalTo(3))
                .body("by_model[0].model", equalTo("step-3.5-flash"))
                .body("by_model[0].turns", equalTo(3));
    }

    @Test
    void concurrentTurnsLeaveTotalsEqualToTheLedger() throws Exception {
        answer("ok", 7, 3);
        List<String> ids =
                List.of(conversation(Map.of()), conversation(Map.of()), conversation(Map.of()), conversation(Map.of()));
        // one turn at a time per conversation: the others are refused with 409, never half-counted
        List<Integer> statuses = Concurrently.run(
                40, i -> turn(ids.get(i % 4), Map.of("content", "n" + i)).statusCode());
        assertThat(statuses).containsOnly(201, 409).contains(201);
        for (String id : ids) {
            int answered =
                    given().when().get("/conversations/" + id).then().extract().path("usage.turns");
            given().when()
                    .get("/conversations/" + id)
                    .then()
                    .body("usage.prompt_tokens", equalTo(7 * answered))
                    .body("usage.completion_tokens", equalTo(3 * answered))
                    .body("message_count", equalTo(2 * answered));
            Object[] ledger = (Object[]) entityManager
                    .createQuery("""
                            select sum(r.promptTokens), sum(r.completionTokens), count(r)
                            from UsageRecord r where r.conversationId = :id""")
                    .setParameter("id", UUID.fromString(id))
                    .getSingleResult();
            assertThat(ledger).containsExactly(7L * answered, 3L * answered, (long) answered);
        }
        assertThat(statuses.stream().filter(s -> s == 201).count())
                .isEqualTo(stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size());
    }

    @Test
    void moreConcurrentTurnsThanDatabaseConnectionsAllSucceed() throws Exception {
        // 4 pooled connections, 2 s to get one: a connection held across the 1 s call would fail this
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("slow", 5, 5, 0)).withFixedDelay(1000)));
        String id = conversation(Map.of());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ids.add(conversation(Map.of()));
        }
        List<Integer> statuses = Concurrently.run(
                16, i -> turn(ids.get(i), Map.of("content", "hi")).statusCode());
        assertThat(statuses).containsOnly(201);
        assertThat(id).isNotNull();
    }

    @Test
    void rateLimitIsRetriedHonouringRetryAfter() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH)
                .inScenario("429")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "1")
                        .withBody(error("rate_limit_error", "slow down")))
                .willSetStateTo("second"));
        stepFun.stubFor(post(PATH)
                .inScenario("429")
                .whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("ok"));
        stepFun.stubFor(post(PATH)
                .inScenario("429")
                .whenScenarioStateIs("ok")
                .willReturn(okJson(completion("finally", 10, 2, 0))));

        turn(id, Map.of("content", "hi")).then().statusCode(201).body("message.content", equalTo("finally"));

        List<LoggedRequest> calls = stepFun.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(calls).hasSize(3);
        for (int i = 1; i < calls.size(); i++) {
            assertThat(calls.get(i).getLoggedDate().getTime()
                            - calls.get(i - 1).getLoggedDate().getTime())
                    .as("waited for Retry-After before attempt %d", i + 1)
                    .isGreaterThanOrEqualTo(1000);
        }
        assertThat(messages(id).getList("data.content")).containsExactly("hi", "finally");
    }

    @Test
    void rateLimitAfterTheRetriesIs429WithRetryAfter() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")));
        turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(429)
                .contentType(PROBLEM)
                .header("Retry-After", "1")
                .body("type", endsWith("/upstream-rate-limited"));
        stepFun.verify(4, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void requestsStepFunRefusesAreNotRetried() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody(error("invalid_request_error", "max_tokens is too large"))));
        turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(502)
                .contentType(PROBLEM)
                .body("type", endsWith("/upstream-bad-request"))
                .body("detail", containsString("max_tokens is too large"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));

        stepFun.resetAll();
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(401)
                        .withBody(error("authentication_error", "Incorrect API key provided: test-key"))));
        turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(502)
                .contentType(PROBLEM)
                .body("type", endsWith("/upstream-authentication"))
                .body("detail", not(containsString("test-key")));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));

        stepFun.resetAll();
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse().withStatus(451).withBody(error("content_filter", "The content was refused"))));
        turn(id, Map.of("content", "hi")).then().statusCode(422).body("type", endsWith("/content-refused"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));

        JsonPath stored = messages(id);
        assertThat(stored.getList("data.status")).containsOnly("failed");
        assertThat(stored.getList("data.error.type", String.class))
                .containsExactly(
                        "https://stepchat.dev/problems/upstream-bad-request",
                        "https://stepchat.dev/problems/upstream-authentication",
                        "https://stepchat.dev/problems/content-refused");
    }

    @Test
    void overloadedUntilRetriesAreSpentIs503() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH).willReturn(serviceUnavailable().withHeader("Retry-After", "0")));
        turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(503)
                .contentType(PROBLEM)
                .header("Retry-After", "1")
                .body("type", endsWith("/upstream-unavailable"));
        stepFun.verify(4, postRequestedFor(urlEqualTo(PATH)));
        assertThat(messages(id).getList("data.status")).containsExactly("failed");
    }

    @Test
    void noAnswerWithinTheTimeoutIs504() {
        String id = conversation(Map.of());
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("late", 1, 1, 0)).withFixedDelay(3000)));
        turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(504)
                .contentType(PROBLEM)
                .body("type", endsWith("/upstream-timeout"));
        JsonPath stored = messages(id);
        assertThat(stored.getList("data.status")).containsExactly("failed");
        assertThat(stored.getString("data[0].error.type")).endsWith("/upstream-timeout");
        given().when().get("/conversations/" + id).then().body("usage.turns", equalTo(0));
    }

    @Test
    void aRunOfFailuresOpensTheCircuit() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(500)));
        turn(id, Map.of("content", "hi")).then().statusCode(502).body("type", endsWith("/upstream-error"));
        int calls = stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size();

        turn(id, Map.of("content", "again"))
                .then()
                .statusCode(503)
                .contentType(PROBLEM)
                .header("Retry-After", not(equalTo(null)))
                .body("type", endsWith("/upstream-circuit-open"));
        stepFun.verify(calls, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void malformedAnswersAndDroppedConnectionsAreMappedAndTheMessageKept() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": \"x\", \"choices\": [")));
        turn(id, Map.of("content", "first"))
                .then()
                .statusCode(502)
                .contentType(PROBLEM)
                .body("type", endsWith("/upstream-bad-response"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));

        reset();
        stepFun.stubFor(post(PATH).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        turn(id, Map.of("content", "second"))
                .then()
                .statusCode(502)
                .contentType(PROBLEM)
                .body("type", endsWith("/upstream-error"));
        stepFun.verify(4, postRequestedFor(urlEqualTo(PATH)));

        JsonPath stored = messages(id);
        assertThat(stored.getList("data.content")).containsExactly("first", "second");
        assertThat(stored.getList("data.status")).containsExactly("failed", "failed");
        assertThat(stored.getString("data[0].error.type")).endsWith("/upstream-bad-response");
        assertThat(stored.getString("data[1].error.type")).endsWith("/upstream-error");
    }

    @Test
    void invalidTurnsAreRejectedBeforeAnythingIsStored() {
        String id = conversation(Map.of());
        turn(id, Map.of("content", "  ")).then().statusCode(400).body("errors[0].field", equalTo("content"));
        turn(id, Map.of()).then().statusCode(400).body("errors[0].field", equalTo("content"));
        turn(id, Map.of("content", "x", "temperature", 2.5, "top_p", -0.1, "max_tokens", 0))
                .then()
                .statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("max_tokens", "temperature", "top_p"));
        turn(id, Map.of("content", "x".repeat(100_001)))
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", endsWith("/payload-too-large"));
        turn(UUID.randomUUID().toString(), Map.of("content", "x")).then().statusCode(404);
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        assertThat(messages(id).getList("data")).isEmpty();
    }

    @Test
    void theApiKeyNeverAppearsInResponses() {
        String id = conversation(Map.of());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withStatus(403)
                        .withBody(error("permission_error", "key test-key is not allowed"))));
        String body = turn(id, Map.of("content", "hi"))
                .then()
                .statusCode(502)
                .extract()
                .asString();
        assertThat(body).doesNotContain("test-key");
        assertThat(given().when().get("/q/openapi").then().extract().asString()).doesNotContain("test-key");
        stepFun.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(matchingJsonPath("$.messages[0].content", WireMock.equalTo("hi"))));
    }
}
