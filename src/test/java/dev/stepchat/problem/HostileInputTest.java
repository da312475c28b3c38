package dev.stepchat.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;

/**
 * Input sent to hurt the service: bodies over their limit however they are sent, imports past
 * their caps or with values PostgreSQL cannot hold. (The body cap is 1 MB; the import's is 2 MB in
 * the tests.)
 */
@QuarkusTest
@TestProfile(HostileInputTest.SmallImportCaps.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class HostileInputTest {

    /** Import caps small enough to pass in a test: 3 conversations a file, 4 messages each. */
    public static class SmallImportCaps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "stepchat.limits.max-import-conversations",
                    "3",
                    "stepchat.limits.max-import-messages",
                    "4",
                    "stepchat.limits.max-content-length",
                    "50");
        }
    }

    /** A ChatGPT export's conversation titled {@code title} with these user and assistant texts, in turn. */
    private static String chatGpt(String title, String createTime, String... texts) {
        StringBuilder mapping = new StringBuilder();
        for (int i = 0; i < texts.length; i++) {
            mapping.append(i == 0 ? "" : ",")
                    .append("\"n")
                    .append(i)
                    .append("\":{\"parent\":")
                    .append(i == 0 ? "null" : "\"n" + (i - 1) + "\"")
                    .append(",\"message\":{\"author\":{\"role\":\"")
                    .append(i % 2 == 0 ? "user" : "assistant")
                    .append("\"},\"create_time\":")
                    .append(createTime)
                    .append(",\"content\":{\"parts\":[")
                    .append(texts[i])
                    .append("]}}}");
        }
        return "{\"title\":\"" + title + "\",\"mapping\":{" + mapping + "}}";
    }

    private static io.restassured.response.ValidatableResponse imported(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations/import")
                .then();
    }

    private static int titled(String title) {
        return given().queryParam("q", title)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data")
                .size();
    }

    @Test
    void anImportPastACapIsRefusedWholeNamingTheCap() {
        String run = "cap-" + System.nanoTime();
        String ok = chatGpt(run, "1764064800", "\"hello\"", "\"hi\"");
        // a fourth conversation: over max-import-conversations, after three were read and stored
        imported("[" + String.join(",", ok, ok, ok, ok) + "]")
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", endsWith("/import-too-large"))
                .body("detail", containsString("stepchat.limits.max-import-conversations"));
        assertThat(titled(run)).as("nothing of a refused import is kept").isZero();
        imported("[" + chatGpt(run, "1764064800", "\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"e\"") + "]")
                .statusCode(400)
                .body("type", endsWith("/import-too-large"))
                .body("detail", containsString("stepchat.limits.max-import-messages"));
        imported(chatGpt(run, "1764064800", "\"" + "x".repeat(51) + "\""))
                .statusCode(400)
                .body("type", endsWith("/import-too-large"))
                .body("detail", containsString("stepchat.limits.max-content-length"));
        imported("[" + String.join(",", ok, ok, ok) + "]").statusCode(201).body("data.size()", equalTo(3));
        assertThat(titled(run)).isEqualTo(3);
    }

    @Test
    void oddTimesAndCharactersInAnImportAreProblemsNotErrors() {
        String run = "odd-" + System.nanoTime();
        for (String time : List.of("1e20", "-1e20", "99999999999999")) {
            imported(chatGpt(run, time, "\"hello\""))
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", endsWith("/validation-failed"));
        }
        imported(chatGpt(run, "1764064800", "\"nul \\u0000 inside\""))
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", endsWith("/validation-failed"));
        imported("{\"object\":\"conversation_export\",\"conversation\":{\"created_at\":\"+10000-01-01T00:00:00Z\"},"
                        + "\"messages\":[]}")
                .statusCode(400)
                .contentType(PROBLEM);
        assertThat(titled(run)).isZero();
    }

    @Test
    void aLargeListOfEmptyObjectsIsRefusedAtItsFirstElement() throws Exception {
        HttpResponse<String> response = chunkedRaw(
                "POST",
                "/conversations/import",
                ("[" + "{},".repeat(500_000) + "{}]").getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JsonPath.from(response.body()).getString("errors[0].field")).startsWith("[0]");
    }

    static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A JSON body of about {@code bytes}, sent chunked: no Content-Length, so no early refusal. */
    private HttpResponse<String> chunked(String method, String path, int bytes)
            throws IOException, InterruptedException {
        return chunkedRaw(method, path, ("{\"title\":\"" + "a".repeat(bytes) + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> chunkedRaw(String method, String path, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "POST /conversations",
                "PATCH /conversations/{id}",
                "POST /conversations/{id}/messages",
                "POST /conversations/{id}/fork",
                "PUT /admin/owners/someone/limits"
            })
    void aChunkedBodyOverTheLimitIsA413WhateverTheEndpoint(String endpoint) throws Exception {
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String[] methodAndPath = endpoint.replace("{id}", id).split(" ");
        HttpResponse<String> response = chunked(methodAndPath[0], methodAndPath[1], 1_500_000);
        assertThat(response.statusCode()).as(endpoint).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JsonPath.from(response.body()).getString("type")).endsWith("/payload-too-large");
    }

    @Test
    void aChunkedImportIsHeldToItsOwnLargerLimit() throws Exception {
        // under the import's 2 MB: read and judged (not a list of conversations: 400); over it: 413
        assertThat(chunked("POST", "/conversations/import", 1_500_000).statusCode())
                .isEqualTo(400);
        HttpResponse<String> over = chunked("POST", "/conversations/import", 2_500_000);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(JsonPath.from(over.body()).getString("type")).endsWith("/payload-too-large");
    }

    @Test
    void oddValuesAnywhereAreProblemsNeverErrors() {
        String run = "odd-values-" + System.nanoTime();
        // a message whose lower case is longer than itself (İ) before the word a search finds
        imported(chatGpt(run, "1764064800", "\"İİİİİİİİİİ " + run + "\"")).statusCode(201);
        given().queryParam("q", run)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .body("data.size()", equalTo(1));
        given().queryParam("q", "İ").when().get("/conversations").then().statusCode(200);
        // a cost limit too large to hold, or with an exponent that would print a billion digits
        for (String limit : List.of("1e1000000000", "1e-1000000000", "100000000000000000000000000", "NaN", "-0")) {
            given().contentType(ContentType.JSON)
                    .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"cost\",\"limit\":\"" + limit + "\"}]}")
                    .when()
                    .put("/admin/owners/" + run + "/limits")
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", endsWith("/validation-failed"));
        }
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":1e400}]}")
                .when()
                .put("/admin/owners/" + run + "/limits")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        // JSON nested deeper than any real request
        given().contentType(ContentType.JSON)
                .body("{\"metadata\":" + "[".repeat(150) + "]".repeat(150) + "}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        // numbers longer than any real one
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"x\",\"temperature\":0." + "1".repeat(150) + "}")
                .when()
                .post("/conversations/"
                        + given().contentType(ContentType.JSON)
                                .body("{}")
                                .post("/conversations")
                                .then()
                                .extract()
                                .path("id")
                        + "/messages")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
    }
}
