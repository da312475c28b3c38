package dev.stepchat.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.dev.EmbeddedPostgres;
import dev.stepchat.support.AuthOffResource;
import dev.stepchat.support.Browser;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.InjectWireMock;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;

/**
 * The packaged application (prod profile: JVM jar here, the native executable with -Dnative)
 * end to end, and two replicas of it sharing one database.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(StepFunStub.class)
@WithTestResource(AuthOffResource.class)
class PackagedApplicationIT {

    @InjectWireMock
    WireMockServer stepFun;

    @BeforeEach
    void reset() {
        stepFun.resetAll();
    }

    private static String conversation(String base) {
        return given().baseUri(base)
                .contentType(ContentType.JSON)
                .body("{\"system_prompt\":\"Be brief\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void conversationTurnStreamUsageAndErrors() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Hi!", 12, 3, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{\"title\":\"it\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"Hello\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("Hi!"))
                .body("conversation_usage.total_tokens", equalTo(15))
                // 12 x 0.10 + 3 x 0.30 per million tokens, exact
                .body("usage.cost", equalTo("0.00000210"))
                .body("conversation_usage.cost_complete", equalTo(true));
        given().when()
                .get("/usage?group_by=conversation")
                .then()
                .statusCode(200)
                .body("groups.find { it.key == '" + id + "' }.cost", equalTo("0.00000210"));

        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody("""
                data: {"id":"c","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"","content":"Str"},"finish_reason":""}],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}}

                data: {"id":"c","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"","content":"eam"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":2,"total_tokens":22}}

                data: [DONE]

                """)));
        String events = given().contentType(ContentType.JSON)
                .accept("text/event-stream")
                .body("{\"content\":\"Again\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(events).contains("event: delta", "event: done", "\"content\":\"Stream\"");

        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .statusCode(200)
                .body("total_tokens", equalTo(37))
                .body("turns", equalTo(2));
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.content", org.hamcrest.Matchers.contains("Hello", "Hi!", "Again", "Stream"));

        given().when().get("/conversations/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        given().when().get("/nowhere").then().statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body("{oops")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.not(containsString("Exception")));
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void aStreamedToolCallAndItsResultsWorkAsOnTheJvm() {
        String id = given().contentType(ContentType.JSON)
                .body("""
                        {"tools":[{"type":"function","function":{"name":"get_weather",
                         "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .body("tools[0].function.name", equalTo("get_weather"))
                .extract()
                .path("id");
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.streamedToolCalls(
                                3, new StepFunBodies.Call("call_n", "get_weather", "{\"city\":\"Nara\"}")))));
        String events = given().contentType(ContentType.JSON)
                .accept("text/event-stream")
                .body("{\"content\":\"Weather in Nara?\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(events)
                .contains("\"tool_calls\":[{\"index\":0,\"id\":\"call_n\"", "event: done")
                .contains("\"finish_reason\":\"tool_calls\"");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Mild in Nara.", 30, 4, 0))));
        given().contentType(ContentType.JSON)
                .body("{\"tool_results\":[{\"tool_call_id\":\"call_n\",\"content\":\"18 C\"}]}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("Mild in Nara."))
                .body("tool_messages[0].tool_call_id", equalTo("call_n"));
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.role", org.hamcrest.Matchers.contains("user", "assistant", "tool", "assistant"))
                .body("data[1].tool_calls[0].function.arguments", equalTo("{\"city\":\"Nara\"}"));
    }

    @Test
    void theChatPageTalksToThePackagedApplication() {
        // the page, its scripts and the Markdown and sanitizer libraries from their jars
        given().when()
                .get("/")
                .then()
                .statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"));
        for (String asset : List.of(
                "/chat/app.js",
                "/chat/api.js",
                "/chat/markdown.js",
                "/chat/chat.css",
                "/_static/marked/lib/marked.esm.js",
                "/_static/dompurify/dist/purify.es.mjs")) {
            given().when().get(asset).then().statusCode(200);
        }
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody("""
                data: {"id":"c","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"","content":"**Packaged**"},"finish_reason":""}],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}}

                data: {"id":"c","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"","content":" and well"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":3,"total_tokens":23}}

                data: [DONE]

                """)));
        Browser browser = Browser.start();
        try {
            browser.open(URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/"));
            browser.driver().findElement(By.id("new-conversation")).click();
            browser.waitUntil(
                    d -> d.findElement(By.cssSelector("#messages .hint")).isDisplayed());
            browser.driver().findElement(By.id("composer-input")).sendKeys("Are you there?", Keys.ENTER);
            browser.waitUntil(d -> d.findElement(By.cssSelector("#messages li.message.assistant .body"))
                    .getText()
                    .equals("Packaged and well"));
            assertThat(browser.driver()
                            .findElement(By.cssSelector("#messages li.message.assistant strong"))
                            .getText())
                    .isEqualTo("Packaged");
            assertThat(browser.severeConsoleErrors()).isEmpty();
        } finally {
            browser.screenshot("packaged-application-chat-page");
            browser.quit();
        }
    }

    @Test
    void twoReplicasShareIdempotencyKeysAndTurnLeases() throws Exception {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("one", 5, 1, 0)).withFixedDelay(1500)));
        try (SecondInstance second = secondReplica(Map.of())) {
            String first = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
            String other = second.base().toString();
            String id = conversation(first);
            String key = UUID.randomUUID().toString();

            // the same key sent to both replicas at once: one turn
            List<Response> keyed = both(
                    first,
                    other,
                    base -> given().baseUri(base)
                            .contentType(ContentType.JSON)
                            .header("Idempotency-Key", key)
                            .body("{\"content\":\"hello\"}")
                            .when()
                            .post("/conversations/" + id + "/messages"));
            assertThat(keyed).extracting(Response::statusCode).contains(201).containsOnly(201, 409);
            stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));

            // two turns on one conversation through both replicas: one 201, one 409
            String shared = conversation(first);
            List<Response> turns = both(
                    first,
                    other,
                    base -> given().baseUri(base)
                            .contentType(ContentType.JSON)
                            .body("{\"content\":\"hi\"}")
                            .when()
                            .post("/conversations/" + shared + "/messages"));
            assertThat(turns).extracting(Response::statusCode).containsExactlyInAnyOrder(201, 409);
            given().baseUri(other)
                    .when()
                    .get("/conversations/" + shared)
                    .then()
                    .statusCode(200)
                    .body("usage.turns", equalTo(1))
                    .body("message_count", equalTo(2));
        }
    }

    @Test
    void aStoppedInstanceFinishesItsTurnsAndRefusesNewOnes() throws Exception {
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("finished", 5, 1, 0)).withFixedDelay(2500)));
        String first = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
        try (SecondInstance second = secondReplica(Map.of("quarkus.shutdown.delay", "2S"));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String other = second.base().toString();
            String id = conversation(first);
            String idle = conversation(first);
            Future<Response> inFlight = pool.submit(() -> given().baseUri(other)
                    .contentType(ContentType.JSON)
                    .body("{\"content\":\"slow one\"}")
                    .when()
                    .post("/conversations/" + id + "/messages"));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() ->
                            !stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).isEmpty());

            second.terminate();
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(2))
                    .until(() ->
                            given().baseUri(other).when().get("/q/health/ready").statusCode() == 503);
            given().baseUri(other)
                    .contentType(ContentType.JSON)
                    .body("{\"content\":\"too late\"}")
                    .when()
                    .post("/conversations/" + idle + "/messages")
                    .then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", endsWith("/shutting-down"));

            inFlight.get().then().statusCode(201).body("message.content", equalTo("finished"));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(second::exited);
            given().when()
                    .get("/conversations/" + id + "/messages")
                    .then()
                    .statusCode(200)
                    .body("data.content", org.hamcrest.Matchers.contains("slow one", "finished"));
            given().when().get("/conversations/" + idle).then().body("message_count", equalTo(0));
        }
    }

    @Test
    void upstreamErrorsAreMappedAndRetriedLikeOnTheJvm() {
        String id = conversation(base());
        stepFun.stubFor(post(PATH)
                .inScenario("429")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "0")
                        .withBody(error("rate_limit_error", "slow down")))
                .willSetStateTo("ok"));
        stepFun.stubFor(post(PATH)
                .inScenario("429")
                .whenScenarioStateIs("ok")
                .willReturn(okJson(completion("after a retry", 7, 3, 0))));
        send(id, "{\"content\":\"one\"}").then().statusCode(201).body("message.content", equalTo("after a retry"));
        stepFun.verify(2, postRequestedFor(urlEqualTo(PATH)));

        stepFun.resetAll();
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(401).withBody(error("authentication_error", "bad key"))));
        send(id, "{\"content\":\"two\"}")
                .then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("type", endsWith("/upstream-authentication"));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(400).withBody(error("content_filter", "sensitive"))));
        send(id, "{\"content\":\"three\"}").then().statusCode(422).body("type", endsWith("/content-refused"));
        // the failed turns' problems are stored with their messages and read back (dead-end branches)
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .statusCode(200)
                .body("data.status", org.hamcrest.Matchers.contains("completed", "completed", "failed", "failed"))
                .body("data[2].error.type", endsWith("/upstream-authentication"))
                .body("data[3].error.status", equalTo(422));
    }

    @Test
    void jsonValidationMergePatchAndReplayWorkAsOnTheJvm() {
        String id = conversation(base());
        send(id, "{\"content\": 5}").then().statusCode(400).body("errors[0].field", equalTo("content"));
        send(id, "{\"content\": \"hi\", \"max_tokens\": 50.7}").then().statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"a\"}}}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"" + "t".repeat(300) + "\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("title"));
        send(id, "{\"content\": \"\"}").then().statusCode(400).body("errors[0].field", equalTo("content"));

        given().contentType("application/merge-patch+json")
                .body("{\"title\":\"patched\",\"metadata\":{\"k\":\"v\"}}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("title", equalTo("patched"))
                .body("metadata.k", equalTo("v"))
                .header("ETag", org.hamcrest.Matchers.notNullValue());
        given().contentType("application/merge-patch+json")
                .body("{\"metadata\":{\"k\":null}}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("metadata.size()", equalTo(0));

        stepFun.stubFor(post(PATH).willReturn(okJson(completion("once", 4, 1, 0))));
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{\"content\":\"hi\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .extract()
                .asString();
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{\"content\":\"hi\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", "true")
                .body(equalTo(first));
        stepFun.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void operationsEndpointsAndEdgeProblemsWorkAsOnTheJvm() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("counted", 4, 1, 0))));
        send(conversation(base()), "{\"content\":\"hi\"}").then().statusCode(201);
        assertThat(given().when()
                        .get("/q/metrics")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .contains("stepchat_turns_total", "stepchat_tokens_total", "agroal_active_count");
        given().when().get("/q/health/live").then().statusCode(200);
        given().queryParam("format", "json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths.'/conversations/{id}/messages'.post.operationId", equalTo("sendMessage"));
        given().when()
                .get("/q/swagger-ui/")
                .then()
                .statusCode(200)
                .header("Cache-Control", "no-cache")
                .body(containsString("swagger"));
        given().header("Authorization", "Bearer " + "a".repeat(40_000))
                .when()
                .get("/conversations")
                .then()
                .statusCode(431)
                .contentType("application/problem+json");
        given().header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST")
                .when()
                .options("/conversations")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void theScheduledJobsRun() throws Exception {
        String id = conversation(base());
        UUID stale = UUID.randomUUID();
        try (Connection db = DriverManager.getConnection(EmbeddedPostgres.jdbcUrl(""), "postgres", "postgres")) {
            try (var insert = db.prepareStatement(
                    "insert into message (id, conversation_id, role, content, status, created_at)"
                            + " values (gen_random_uuid(), ?, 'USER', 'lost?', 'IN_PROGRESS', now() - interval '1 hour')")) {
                insert.setObject(1, UUID.fromString(id));
                insert.executeUpdate();
            }
            try (var insert = db.prepareStatement(
                    "insert into idempotency_key (owner, idempotency_key, fingerprint, status,"
                            + " created_at, locked_until) values ('local', ?, 'f', 201, now() - interval '3 days', now() - interval '3 days')")) {
                insert.setString(1, stale.toString());
                insert.executeUpdate();
            }
            try (SecondInstance jobs = secondReplica(Map.of(
                    "stepchat.jobs.delay",
                    "0s",
                    "stepchat.jobs.abandoned-turns-every",
                    "1s",
                    "stepchat.idempotency.purge-every",
                    "1s"))) {
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(20))
                        .untilAsserted(() -> given().when()
                                .get("/conversations/" + id + "/messages?branch=all")
                                .then()
                                .body("data[0].status", equalTo("failed"))
                                .body("data[0].error.type", endsWith("/turn-abandoned")));
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(20))
                        .until(() -> {
                            try (var count = db.prepareStatement(
                                    "select count(*) from idempotency_key where idempotency_key = ?")) {
                                count.setString(1, stale.toString());
                                var rows = count.executeQuery();
                                rows.next();
                                return rows.getInt(1) == 0;
                            }
                        });
            }
        }
    }

    @Test
    void modelsAndContextFittingWorkAsOnTheJvm() {
        stepFun.stubFor(
                com.github.tomakehurst.wiremock.client.WireMock.get("/v1/models")
                        .willReturn(
                                okJson(
                                        "{\"object\":\"list\",\"data\":[{\"id\":\"step-3.5-flash\",\"object\":\"model\"},{\"id\":\"step-x\",\"object\":\"model\"}]}")));
        given().when()
                .get("/models")
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'step-3.5-flash' }.context_window", equalTo(262144))
                .body("data.find { it.id == 'step-x' }.context_window", org.hamcrest.Matchers.nullValue());
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"step-typo\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("type", endsWith("/unknown-model"));
        String id = given().contentType(ContentType.JSON)
                .body("{\"context_limit\":30}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("fine", 5, 1, 0))));
        send(id, "{\"content\":\"量子计算\"}").then().statusCode(201).body("context.messages_sent", equalTo(1));
        send(id, "{\"content\":\"" + "word ".repeat(100) + "\"}")
                .then()
                .statusCode(413)
                .body("type", endsWith("/context-length-exceeded"));
    }

    @Test
    void branchesWorkAsOnTheJvm() {
        String id = conversation(base());
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("a1", 3, 1, 0))));
        var first = send(id, "{\"content\":\"u1\"}")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String a1 = first.getString("message.id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("a2", 3, 1, 0))));
        var second = send(id, "{\"content\":\"u2\"}")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("a2 edited", 3, 1, 0))));
        var edited = send(id, "{\"content\":\"u2 edited\",\"parent_id\":\"" + a1 + "\"}")
                .then()
                .statusCode(201)
                .body("user_message.parent_id", equalTo(a1))
                .extract()
                .jsonPath();
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("again", 3, 1, 0))));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + edited.getString("user_message.id") + "/regenerate")
                .then()
                .statusCode(201)
                .body("message.parent_id", equalTo(edited.getString("user_message.id")));
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.content", org.hamcrest.Matchers.contains("u1", "a1", "u2 edited", "again"));
        given().when()
                .get("/conversations/" + id + "/messages?branch=all")
                .then()
                .body("data.size()", equalTo(7));
        given().contentType("application/merge-patch+json")
                .body("{\"current_message_id\":\"" + second.getString("user_message.id") + "\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("current_message_id", equalTo(second.getString("message.id")));
        given().contentType(ContentType.JSON)
                .body("{\"message_id\":\"" + a1 + "\"}")
                .when()
                .post("/conversations/" + id + "/fork")
                .then()
                .statusCode(201)
                .body("message_count", equalTo(2))
                .body("forked_from.message_id", equalTo(a1));
        given().when()
                .delete("/conversations/" + id + "/messages/" + edited.getString("user_message.id"))
                .then()
                .statusCode(204);
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("message_count", equalTo(4))
                .body("usage.turns", equalTo(4));
    }

    @Test
    void searchExportAndImport() {
        String tag = "zi" + Long.toString(System.nanoTime(), 36);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("关于量子计算的回答 " + tag, 8, 4, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{\"title\":\"Packaged " + tag + "\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        send(id, "{\"content\":\"tell me\"}").then().statusCode(201);
        given().queryParam("q", "量子计算 " + tag)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(List.of(id)))
                .body("data[0].match.snippet", containsString("量子计算"));
        String exported = given().when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .body("messages.content", equalTo(List.of("tell me", "关于量子计算的回答 " + tag)))
                .extract()
                .asString();
        given().queryParam("format", "markdown")
                .when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .body(containsString("# Packaged " + tag));
        String copy = given().contentType(ContentType.JSON)
                .body(exported)
                .when()
                .post("/conversations/import")
                .then()
                .statusCode(201)
                .extract()
                .path("data[0].id");
        given().when()
                .get("/conversations/" + copy + "/messages")
                .then()
                .statusCode(200)
                .body("data.content", equalTo(List.of("tell me", "关于量子计算的回答 " + tag)));
    }

    private static String base() {
        return io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
    }

    private static Response send(String id, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/conversations/" + id + "/messages");
    }

    /** Another replica on the same database and StepFun stub as the one under test. */
    private SecondInstance secondReplica(Map<String, String> extra) throws java.io.IOException {
        return SecondInstance.onTheTestDatabase(stepFun.baseUrl() + "/v1", extra);
    }

    interface Call {
        Response on(String base);
    }

    private static List<Response> both(String a, String b, Call call) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> call.on(a)));
            futures.add(pool.submit(() -> call.on(b)));
            List<Response> responses = new ArrayList<>();
            for (Future<Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        }
    }
}
