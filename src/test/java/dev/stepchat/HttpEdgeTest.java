package dev.stepchat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** What the HTTP server used to answer by itself, and details a client notices at the edge. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class HttpEdgeTest extends StepFunStubbedTest {

    static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URI base;

    @Test
    void aPreflightFromAnOriginNotAllowedIsAProblem() {
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .when().options("/conversations")
                .then().statusCode(403).contentType(PROBLEM).body("type", endsWith("/origin-not-allowed"))
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://evil.example").when().get("/conversations")
                .then().statusCode(403).contentType(PROBLEM);
        // the configured origin still gets its CORS answer
        given().header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                .when().options("/conversations")
                .then().statusCode(200).header("Access-Control-Allow-Origin", "https://app.example");
    }

    @Test
    void headersLargerThanTheLimitAreA431Problem() {
        given().header("Authorization", "Bearer " + "a".repeat(200_000)).when().get("/conversations")
                .then().statusCode(431).contentType(PROBLEM).body("type", endsWith("/headers-too-large"));
        given().when().get("/conversations").then().statusCode(200);
    }

    @Test
    void anOrderWithAnythingAfterItIsRefused() throws IOException, InterruptedException {
        // sent as curl sends it, with a raw ';' in the query
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve("/conversations?order=asc;drop")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("order");
    }

    @Test
    void swaggerUiIsRevalidatedAfterAnUpgrade() {
        String cache = given().when().get("/q/swagger-ui/").then().statusCode(200).extract().header("Cache-Control");
        assertThat(cache).isEqualTo("no-cache");
    }

    @Test
    void anUntitledConversationIsTitledByItsFirstAnsweredTurnNotByAFailedOne() {
        String id = given().contentType(ContentType.JSON).body("{}").when().post("/conversations")
                .then().statusCode(201).extract().path("id");
        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"no\"}}")));
        given().contentType(ContentType.JSON).body("{\"content\":\"this one failed\"}")
                .when().post("/conversations/" + id + "/messages").then().statusCode(502);
        given().when().get("/conversations/" + id).then().body("title", nullValue());

        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 3, 1, 0))));
        given().contentType(ContentType.JSON).body("{\"content\":\"  Plan a trip\\n to   Kyoto \"}")
                .when().post("/conversations/" + id + "/messages").then().statusCode(201);
        given().when().get("/conversations/" + id).then().body("title", equalTo("Plan a trip to Kyoto"));
    }

    @Test
    void metricsNameOnlyConfiguredModels() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 3, 1, 0))));
        String id = given().contentType(ContentType.JSON).body("{}").when().post("/conversations")
                .then().statusCode(201).extract().path("id");
        String made = "client-made-model-" + System.nanoTime();
        given().contentType(ContentType.JSON).body("{\"content\":\"hi\",\"model\":\"" + made + "\"}")
                .when().post("/conversations/" + id + "/messages").then().statusCode(201);
        stepFun.stubFor(post(PATH).willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"no\"}}")));
        given().contentType(ContentType.JSON).body("{\"content\":\"hi\",\"model\":\"" + made + "\"}")
                .when().post("/conversations/" + id + "/messages").then().statusCode(502);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).doesNotContain(made).containsPattern("stepchat_turns_total\\{.*model=\"other\".*\\}");
    }
}
