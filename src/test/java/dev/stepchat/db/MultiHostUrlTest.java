package dev.stepchat.db;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.TwoHostPostgresResource;

/**
 * A multi-host JDBC URL with {@code targetServerType=primary}, as for a primary that fails over,
 * whose first host is gone: migrations, the pool and the turn's transactions find the primary.
 * (What happens during a real failover is measured by {@code bash bench/run.sh failover}.)
 */
@QuarkusTest
@WithTestResource(value = TwoHostPostgresResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MultiHostUrlTest extends StepFunStubbedTest {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @Test
    void theServiceRunsOnTheHostThatIsThePrimary() {
        assertThat(url).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+,[^/]+/.*targetServerType=primary.*");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Answered through the second host", 9, 4, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"Hello\"}")
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("message.content", equalTo("Answered through the second host"))
                .body("conversation_usage.total_tokens", equalTo(13));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
