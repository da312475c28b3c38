package dev.stepchat.problem;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * Every endpoint fed garbage: always a 4xx problem, never a 500, nothing stored and StepFun never
 * called. Values of the wrong JSON type are refused, not converted, and so is text after the JSON.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BadInputTest extends StepFunStubbedTest {

    /** In paths, replaced by the conversation the cases must leave unchanged. */
    private static final String CONV = "{conv}";

    private static final String TURN = CONV + "/messages";
    private static final String HUGE = "x".repeat(2_000_000);

    private static String keep;

    static Stream<Arguments> cases() {
        return Stream.of(
                badJson("POST", "/conversations", "{", 400, null),
                badJson("POST", "/conversations", "[1,2]", 400, null),
                badJson("POST", "/conversations", "{\"title\":\"a\"}}}}", 400, null),
                badJson("POST", "/conversations", "{\"title\":\"a\"} {\"title\":\"b\"}", 400, null),
                badJson("POST", "/conversations", "{\"title\": 5}", 400, "title"),
                badJson("POST", "/conversations", "{\"title\": true}", 400, "title"),
                badJson("POST", "/conversations", "{\"title\": {\"a\":1}}", 400, "title"),
                badJson("POST", "/conversations", "{\"model\": 3.5}", 400, "model"),
                badJson("POST", "/conversations", "{\"metadata\": \"x\"}", 400, "metadata"),
                badJson("POST", "/conversations", "{\"metadata\": {\"a\": 1}}", 400, "metadata.a"),
                badJson("POST", "/conversations", "{\"metadata\": {\"a\": false}}", 400, "metadata.a"),
                badJson("POST", "/conversations", "{\"metadata\": {\"k\": null}}", 400, null),
                badJson("POST", "/conversations", "{\"title\": \"a\\u0000b\"}", 400, null),
                badJson("POST", "/conversations", "{\"system_prompt\": \"" + "y".repeat(40_000) + "\"}", 400, null),
                badJson("POST", "/conversations", "{\"title\": \"" + "t".repeat(300) + "\"}", 400, null),
                badJson("POST", "/conversations", "{\"model\": \"\"}", 400, null),
                badJson("POST", "/conversations", "{\"title\": \"" + HUGE + "\"}", 413, null),
                Arguments.of(
                        "POST",
                        "/conversations",
                        new byte[] {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
                        },
                        400,
                        null),
                badJson("PATCH", CONV, "[]", 400, null),
                badJson("PATCH", CONV, "{\"title\": true}", 400, null),
                badJson("PATCH", CONV, "{\"title\": \"x\"} trailing", 400, null),
                badJson("PATCH", CONV, "{\"metadata\": {\"k\": 5}}", 400, null),
                badJson("PATCH", CONV, "{\"system_prompt\": \"\\u0000\"}", 400, null),
                badJson("PATCH", "/conversations/123", "{}", 404, null),
                badJson("GET", "/conversations?limit=-5", null, 400, "limit"),
                badJson("GET", "/conversations?limit=2.5", null, 400, "limit"),
                badJson("GET", "/conversations?limit=99999999999999999999", null, 400, "limit"),
                badJson("GET", "/conversations?order=random", null, 400, "order"),
                badJson("GET", "/conversations?order=asc;drop", null, 400, "order"),
                badJson("GET", "/conversations?order=ASC", null, 400, "order"),
                badJson("GET", "/conversations?after=xyz", null, 400, "after"),
                badJson("GET", TURN + "?limit=0", null, 400, "limit"),
                badJson("GET", "/conversations/%00", null, 404, null),
                badJson("POST", TURN, "{\"content\": \"\"}", 400, "content"),
                badJson("POST", TURN, "{\"content\": 5}", 400, "content"),
                badJson("POST", TURN, "{\"content\": true}", 400, "content"),
                badJson("POST", TURN, "{\"content\": [\"hi\"]}", 400, "content"),
                badJson("POST", TURN, "{\"content\": \"a\\u0000\"}", 400, "content"),
                badJson("POST", TURN, "{\"content\": \"hi\"}]", 400, null),
                badJson("POST", TURN, "{\"content\": \"hi\", \"temperature\": \"0.5\"}", 400, "temperature"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"temperature\": \"hot\"}", 400, "temperature"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"temperature\": 1e308}", 400, "temperature"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"max_tokens\": 50.7}", 400, "max_tokens"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"max_tokens\": \"50\"}", 400, "max_tokens"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"max_tokens\": 99999999999}", 400, "max_tokens"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"max_tokens\": -1}", 400, "max_tokens"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"top_p\": 1.5}", 400, "top_p"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"stream\": \"yes please\"}", 400, "stream"),
                badJson("POST", TURN, "{\"content\": \"hi\", \"stream\": 1}", 400, "stream"),
                badJson("POST", TURN, "{\"content\": \"" + "c".repeat(100_001) + "\"}", 413, "content"),
                badJson("POST", TURN, null, 400, null),
                badJson("POST", "/conversations/not-a-uuid/messages", "{\"content\": \"hi\"}", 404, null));
    }

    private static Arguments badJson(String method, String path, String body, int status, String field) {
        return Arguments.of(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, field);
    }

    @ParameterizedTest(name = "{0} {1} {4}")
    @MethodSource("cases")
    void isA4xxProblemAndChangesNothing(String method, String path, byte[] body, int status, String field) {
        if (keep == null) {
            keep = given().contentType("application/json")
                    .body("{\"title\":\"keep\"}")
                    .when()
                    .post("/conversations")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
        }
        String conv = "/conversations/" + keep;
        var request = given().contentType("application/json");
        if (body != null) {
            request.body(body);
        }
        Response response = request.when().request(method, path.replace(CONV, conv));

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.asString()).doesNotContain("Exception", "\tat ", "com.fasterxml");
        if (field != null) {
            assertThat(response.asString()).contains(field);
        }
        given().when()
                .get(conv)
                .then()
                .statusCode(200)
                .body("title", equalTo("keep"))
                .body("message_count", equalTo(0));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }
}
