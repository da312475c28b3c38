package dev.stepchat.observability;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ObservabilityTest extends StepFunStubbedTest {

    @Test
    void metricsCountTurnsTokensAndThePoolButNeverTheKeyOrContent() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("secret answer", 21, 4, 2))));
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"my secret question\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);

        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics)
                .containsPattern("stepchat_turns_total\\{.*mode=\"json\".*outcome=\"completed\".*\\} [1-9]")
                .containsPattern("stepchat_tokens_total\\{kind=\"prompt\",model=\"step-3.5-flash\".*\\} [1-9]")
                .contains(
                        "stepchat_upstream_seconds_count",
                        "agroal_active_count",
                        "ft_invocations_total",
                        "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"201\",uri=\"/conversations/{id}/messages\"}")
                .doesNotContain("test-key", "secret answer", "my secret question", id);
    }

    @Test
    void everyResponseCarriesARequestIdAndProblemsQuoteIt() {
        given().header("X-Request-Id", "trace-me-42")
                .when()
                .get("/conversations/nope")
                .then()
                .statusCode(404)
                .header("X-Request-Id", "trace-me-42")
                .body("request_id", equalTo("trace-me-42"));
        String made = given().when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .header("X-Request-Id");
        assertThat(made).matches("[0-9a-f-]{36}");
        given().header("X-Request-Id", "bad id with spaces")
                .when()
                .get("/nowhere")
                .then()
                .statusCode(404)
                .body("request_id", matchesPattern("[0-9a-f-]{36}"));
    }
}
