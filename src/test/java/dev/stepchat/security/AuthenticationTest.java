package dev.stepchat.security;

import static dev.stepchat.support.Tokens.as;
import static dev.stepchat.support.Tokens.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.Tokens;

@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthenticationTest {

    @Test
    void conversationsBelongToTheTokensSubject() {
        String alice = token("alice-" + System.nanoTime());
        String bob = token("bob-" + System.nanoTime());
        String id = as(alice)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"private\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        as(alice).when().get("/conversations/" + id).then().statusCode(200).body("title", equalTo("private"));
        assertThat(as(alice)
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .containsExactly(id);

        as(bob).when().get("/conversations/" + id).then().statusCode(404).body("type", endsWith("/not-found"));
        as(bob).contentType(ContentType.JSON)
                .body("{\"title\":\"mine\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(404);
        as(bob).when().delete("/conversations/" + id).then().statusCode(404);
        as(bob).when().get("/conversations/" + id + "/messages").then().statusCode(404);
        as(bob).contentType(ContentType.JSON)
                .body("{\"content\":\"hi\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(404);
        as(bob).when().get("/conversations/" + id + "/usage").then().statusCode(404);
        as(bob).when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .body("data", equalTo(List.of()))
                .body("first_id", nullValue());

        as(alice).when().get("/conversations/" + id).then().statusCode(200).body("title", equalTo("private"));
    }

    @Test
    void badTokensAre401ProblemsWithABearerChallenge() throws Exception {
        PrivateKey otherKey = KeyUtils.readPrivateKey("test-jwt-other-private.pem");
        Map<String, String> tokens = Map.of(
                "missing", "",
                "expired",
                        Jwt.issuer("https://issuer.test")
                                .subject("a")
                                .audience("stepchat")
                                .issuedAt(Instant.now().minusSeconds(7200))
                                .expiresAt(Instant.now().minusSeconds(3600))
                                .sign(),
                "wrong signature",
                        Jwt.issuer("https://issuer.test")
                                .subject("a")
                                .audience("stepchat")
                                .sign(otherKey),
                "wrong issuer",
                        Jwt.issuer("https://elsewhere.test")
                                .subject("a")
                                .audience("stepchat")
                                .sign(),
                "wrong audience",
                        Jwt.issuer("https://issuer.test")
                                .subject("a")
                                .audience("another-api")
                                .sign(),
                "not a JWT", "garbage",
                // a subject no owner column can hold
                "subject of 300 characters", token("s".repeat(300)));
        for (var entry : tokens.entrySet()) {
            RequestSpecification request = entry.getValue().isEmpty() ? given() : as(entry.getValue());
            var response = request.when().get("/conversations");
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(401);
            assertThat(response.contentType()).as(entry.getKey()).isEqualTo("application/problem+json");
            assertThat(response.header("WWW-Authenticate")).as(entry.getKey()).startsWith("Bearer");
            assertThat((String) response.path("type")).as(entry.getKey()).endsWith("/unauthorized");
        }
        as(token("s".repeat(300)))
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void idempotencyKeysBelongToTheirCaller() {
        String alice = token("alice-" + System.nanoTime());
        String bob = token("bob-" + System.nanoTime());
        String key = "same-key-" + System.nanoTime();
        String forAlice = as(alice)
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"t\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String forBob = as(bob).header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"t\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", nullValue())
                .extract()
                .path("id");
        assertThat(forBob).isNotEqualTo(forAlice);
        as(bob).when().get("/conversations/" + forBob).then().statusCode(200);
    }

    @Test
    void platformEndpointsNeedNoToken() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void corsAllowsOnlyTheConfiguredOrigins() {
        given().header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "Authorization,Content-Type")
                .when()
                .options("/conversations")
                .then()
                .header("Access-Control-Allow-Origin", "https://app.example");
        given().header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .when()
                .options("/conversations")
                .then()
                .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void onlyTheAdminGroupSetsSpendingLimitsAndUsageIsPerCaller() {
        String owner = "limited-" + System.nanoTime();
        String body = "{\"limits\":[{\"window\":\"month\",\"unit\":\"cost\",\"limit\":\"25.00\"}]}";
        as(token("someone"))
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .put("/admin/owners/" + owner + "/limits")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("type", endsWith("/forbidden"));
        as(token("someone"))
                .when()
                .get("/admin/owners/" + owner + "/limits")
                .then()
                .statusCode(403);
        given().when().get("/admin/owners/" + owner + "/limits").then().statusCode(401);
        String admin = Jwt.issuer("https://issuer.test")
                .subject("ops")
                .audience("stepchat")
                .groups("stepchat-admin")
                .expiresIn(Duration.ofMinutes(5))
                .sign();
        as(admin)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .put("/admin/owners/" + owner + "/limits")
                .then()
                .statusCode(200)
                .body("limits.find { it.window == 'month' && it.unit == 'cost' }.limit", equalTo("25.00000000"));
        // the owner sees its limit in its own report, and nobody else's usage
        as(token(owner))
                .when()
                .get("/usage")
                .then()
                .statusCode(200)
                .body("limits[0].limit", equalTo("25.00000000"))
                .body("limits[0].used", equalTo("0.00000000"))
                .body("totals.turns", equalTo(0));
        given().when().get("/usage").then().statusCode(401);
    }
}
