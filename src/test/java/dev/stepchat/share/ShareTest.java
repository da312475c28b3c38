package dev.stepchat.share;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.TestClock;
import dev.stepchat.support.Tokens;

/**
 * Share links, authentication on: a copy taken when made, readable without a token with nothing
 * private in it, listed and revoked by its owner only, expiring, and ended with its conversation.
 */
@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ShareTest extends StepFunStubbedTest {

    private final String alice = Tokens.token("alice-" + System.nanoTime());
    private final String bob = Tokens.token("bob-" + System.nanoTime());

    @AfterEach
    void realTime() {
        TestClock.set(null);
    }

    private String conversationWithATurn(String token) {
        String id = Tokens.as(token)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"Kyoto\",\"system_prompt\":\"secret instructions\",\"metadata\":{\"team\":\"x\"}}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Day one: Fushimi Inari", 21, 7, 0))));
        Tokens.as(token)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"Plan three days in Kyoto\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        return id;
    }

    private String share(String token, String id, String body) {
        return OpenApiDocument.assertDocumented(
                        "POST",
                        "/conversations/{id}/shares",
                        Tokens.as(token)
                                .contentType(ContentType.JSON)
                                .body(body)
                                .when()
                                .post("/conversations/" + id + "/shares"))
                .then()
                .statusCode(201)
                .header("Location", matchesPattern(".*/shared/[A-Za-z0-9_-]{22}"))
                .body("object", equalTo("share"))
                .body("id", matchesPattern("[A-Za-z0-9_-]{22}"))
                .extract()
                .path("id");
    }

    @Test
    void aShareIsACopyOfTheBranchReadableWithoutATokenAndNothingPrivate() {
        String id = conversationWithATurn(alice);
        String shareId = share(alice, id, "{}");

        // later changes do not reach the copy
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"Renamed\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200);
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"And day four?\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);

        String shared = OpenApiDocument.assertDocumented(
                        "GET", "/shared/{share_id}", given().when().get("/shared/" + shareId))
                .then()
                .statusCode(200)
                .body("object", equalTo("shared_conversation"))
                .body("id", equalTo(shareId))
                .body("title", equalTo("Kyoto"))
                .body("messages", hasSize(2))
                .body("messages[0].role", equalTo("user"))
                .body("messages[0].content", equalTo("Plan three days in Kyoto"))
                .body("messages[1].role", equalTo("assistant"))
                .body("messages[1].content", equalTo("Day one: Fushimi Inari"))
                .extract()
                .asString();
        assertThat(shared).doesNotContain("secret instructions", "team", "usage", "cost", "alice", "tokens", "model");

        // the page of the link, with the chat page's fence
        given().when()
                .get("/s/" + shareId)
                .then()
                .statusCode(200)
                .contentType(ContentType.HTML)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .body(org.hamcrest.Matchers.containsString("/chat/share.js"));
    }

    @Test
    void onlyTheOwnerListsAndRevokesAndARevokedLinkIsGone() {
        String id = conversationWithATurn(alice);
        String first = share(alice, id, "{}");
        String second = share(alice, id, "{\"expires_in\":3600}");
        OpenApiDocument.assertDocumented(
                        "GET",
                        "/conversations/{id}/shares",
                        Tokens.as(alice).when().get("/conversations/" + id + "/shares"))
                .then()
                .statusCode(200)
                .body("data.id", org.hamcrest.Matchers.contains(first, second))
                .body("data[0].expires_at", org.hamcrest.Matchers.nullValue())
                .body("data[1].expires_at", org.hamcrest.Matchers.notNullValue());
        Tokens.as(bob).when().get("/conversations/" + id + "/shares").then().statusCode(404);
        Tokens.as(bob)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/shares")
                .then()
                .statusCode(404);
        OpenApiDocument.assertDocumented(
                        "DELETE", "/shares/{share_id}", Tokens.as(bob).when().delete("/shares/" + first))
                .then()
                .statusCode(404);
        given().when().delete("/shares/" + first).then().statusCode(401);

        OpenApiDocument.assertDocumented(
                        "DELETE", "/shares/{share_id}", Tokens.as(alice).when().delete("/shares/" + first))
                .then()
                .statusCode(204);
        OpenApiDocument.assertDocumented(
                        "GET", "/shared/{share_id}", given().when().get("/shared/" + first))
                .then()
                .statusCode(404);
        given().when().get("/shared/" + second).then().statusCode(200);
    }

    @Test
    void aLinkExpiresAndEndsWithItsConversation() {
        String id = conversationWithATurn(alice);
        String expiring = share(alice, id, "{\"expires_in\":60}");
        String lasting = share(alice, id, "{}");
        given().when().get("/shared/" + expiring).then().statusCode(200);
        TestClock.set(Instant.now().plus(Duration.ofMinutes(2)));
        given().when().get("/shared/" + expiring).then().statusCode(404);
        given().when().get("/shared/" + lasting).then().statusCode(200);

        Tokens.as(alice).when().delete("/conversations/" + id).then().statusCode(204);
        given().when().get("/shared/" + lasting).then().statusCode(404);
    }

    @Test
    void aShareUpToAnEarlierMessageAndRefusals() {
        String id = conversationWithATurn(alice);
        List<Map<String, Object>> messages = Tokens.as(alice)
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .extract()
                .path("data");
        String upToQuestion =
                share(alice, id, "{\"message_id\":\"" + messages.get(0).get("id") + "\"}");
        given().when().get("/shared/" + upToQuestion).then().statusCode(200).body("messages", hasSize(1));

        String empty = Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .extract()
                .path("id");
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + empty + "/shares")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("message_id"));
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"message_id\":\"" + messages.get(0).get("id") + "\"}")
                .when()
                .post("/conversations/" + empty + "/shares")
                .then()
                .statusCode(400);
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"expires_in\":0}")
                .when()
                .post("/conversations/" + id + "/shares")
                .then()
                .statusCode(400);
        given().when().get("/shared/nothing-here").then().statusCode(404);
        given().when().get("/s/nothing-here").then().statusCode(200); // the page says the link does not exist
    }
}
