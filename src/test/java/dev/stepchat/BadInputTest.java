package dev.stepchat;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Every endpoint fed garbage: always a 4xx problem, never a 500, and nothing stored. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BadInputTest {

    @Inject
    EntityManager entityManager;

    record Case(String method, String path, String contentType, byte[] body, int status) {
        static Case of(String method, String path, String body, int status) {
            return new Case(method, path, "application/json", body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                    status);
        }
    }

    @Test
    void badInputIsAlwaysA4xxProblemAndChangesNothing() {
        String id = given().contentType("application/json").body("{\"title\":\"keep\"}").when().post("/conversations")
                .then().statusCode(201).extract().path("id");
        String conv = "/conversations/" + id;
        String turn = conv + "/messages";
        String huge = "x".repeat(2_000_000);
        List<Case> cases = new ArrayList<>(List.of(
                Case.of("POST", "/conversations", "{", 400),
                Case.of("POST", "/conversations", "[1,2]", 400),
                Case.of("POST", "/conversations", "{\"title\": 5}", 201 /* numbers coerce to strings */),
                Case.of("POST", "/conversations", "{\"title\": {\"a\":1}}", 400),
                Case.of("POST", "/conversations", "{\"metadata\": \"x\"}", 400),
                Case.of("POST", "/conversations", "{\"metadata\": {\"k\": null}}", 400),
                Case.of("POST", "/conversations", "{\"title\": \"a\\u0000b\"}", 400),
                Case.of("POST", "/conversations", "{\"system_prompt\": \"" + "y".repeat(40_000) + "\"}", 400),
                Case.of("POST", "/conversations", "{\"title\": \"" + "t".repeat(300) + "\"}", 400),
                Case.of("POST", "/conversations", "{\"model\": \"\"}", 400),
                Case.of("POST", "/conversations", "{\"title\": \"" + huge + "\"}", 413),
                new Case("POST", "/conversations", "application/json", new byte[]{'{', '"', 't', 'i', 't', 'l', 'e', '"',
                        ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, 400),
                Case.of("PATCH", conv, "[]", 400),
                Case.of("PATCH", conv, "{\"title\": true}", 400),
                Case.of("PATCH", conv, "{\"metadata\": {\"k\": 5}}", 400),
                Case.of("PATCH", conv, "{\"system_prompt\": \"\\u0000\"}", 400),
                Case.of("PATCH", "/conversations/123", "{}", 404),
                Case.of("GET", "/conversations?limit=-5", null, 400),
                Case.of("GET", "/conversations?limit=99999999999999999999", null, 400),
                Case.of("GET", "/conversations?order=random", null, 400),
                Case.of("GET", "/conversations?after=xyz", null, 400),
                Case.of("GET", turn + "?limit=0", null, 400),
                Case.of("GET", "/conversations/%00", null, 404),
                Case.of("POST", turn, "{\"content\": \"\"}", 400),
                Case.of("POST", turn, "{\"content\": \"a\\u0000\"}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"temperature\": \"hot\"}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"temperature\": 1e308}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"max_tokens\": 99999999999}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"max_tokens\": -1}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"top_p\": 1.5}", 400),
                Case.of("POST", turn, "{\"content\": \"hi\", \"stream\": \"yes please\"}", 400),
                Case.of("POST", turn, "{\"content\": \"" + "c".repeat(100_001) + "\"}", 413),
                Case.of("POST", turn, null, 400),
                Case.of("POST", "/conversations/not-a-uuid/messages", "{\"content\": \"hi\"}", 404)));
        for (Case c : cases) {
            var request = given().contentType(c.contentType());
            if (c.body() != null) {
                request.body(c.body());
            }
            Response response = request.when().request(c.method(), c.path());
            String what = c.method() + " " + c.path().substring(0, Math.min(60, c.path().length())) + " "
                    + (c.body() == null ? "" : new String(c.body(), 0, Math.min(60, c.body().length), StandardCharsets.UTF_8));
            if (c.status() == 201) {
                assertThat(response.statusCode()).as(what).isEqualTo(201);
                continue;
            }
            assertThat(response.statusCode()).as(what).isEqualTo(c.status());
            assertThat(response.contentType()).as(what).isEqualTo("application/problem+json");
            assertThat(response.asString()).as(what).doesNotContain("Exception", "\tat ", "com.fasterxml");
        }
        given().when().get(conv).then().statusCode(200).body("title", org.hamcrest.Matchers.equalTo("keep"))
                .body("message_count", org.hamcrest.Matchers.equalTo(0));
    }
}
