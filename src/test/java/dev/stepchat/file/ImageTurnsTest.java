package dev.stepchat.file;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Images;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.TestClock;
import dev.stepchat.support.Tokens;

/**
 * Turns with image parts, authentication on: the image's bytes reach StepFun intact as a data URL,
 * the message keeps its parts, refusals come before anything is stored, and a deleted file leaves
 * its messages readable.
 */
@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ImageTurnsTest extends StepFunStubbedTest {

    private final String alice = Tokens.token("alice-eyes-" + System.nanoTime());
    private final String bob = Tokens.token("bob-eyes-" + System.nanoTime());

    private String upload(String token, byte[] image) {
        return FilesTest.upload(token, "photo", "application/octet-stream", image)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private String conversation(String token, String model) {
        return Tokens.as(token)
                .contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static String parts(String text, String fileId) {
        return "{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"},{\"type\":\"image_file\",\"file_id\":\""
                + fileId + "\"}]}";
    }

    private int messageCount(String token, String conversation) {
        return Tokens.as(token)
                .when()
                .get("/conversations/" + conversation + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data")
                .size();
    }

    @Test
    void aVisionTurnSendsTheImageBytesIntactAndKeepsTheParts() {
        byte[] png = Images.png();
        String file = upload(alice, png);
        String id = conversation(alice, "eye");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("A gradient, blue at the bottom.", 1700, 9, 0))));

        JsonPath turn = OpenApiDocument.assertDocumented(
                        "POST",
                        "/conversations/{id}/messages",
                        Tokens.as(alice)
                                .contentType(ContentType.JSON)
                                .body(parts("What is in this picture?", file))
                                .when()
                                .post("/conversations/" + id + "/messages"))
                .then()
                .statusCode(201)
                .body("user_message.content", equalTo("What is in this picture?"))
                .body("user_message.parts", hasSize(2))
                .body("user_message.parts[1].type", equalTo("image_file"))
                .body("user_message.parts[1].file_id", equalTo(file))
                .body("message.content", equalTo("A gradient, blue at the bottom."))
                .extract()
                .jsonPath();
        // the image counts in the estimate (the tests' 1,600 tokens an image)
        assertThat(turn.getInt("context.estimated_prompt_tokens")).isGreaterThan(1600);

        List<LoggedRequest> sent = stepFun.findAll(postRequestedFor(urlEqualTo(PATH)));
        JsonPath upstream = JsonPath.from(sent.getLast().getBodyAsString());
        assertThat(upstream.getString("messages[-1].content[0].type")).isEqualTo("text");
        assertThat(upstream.getString("messages[-1].content[0].text")).isEqualTo("What is in this picture?");
        assertThat(upstream.getString("messages[-1].content[1].type")).isEqualTo("image_url");
        assertThat(upstream.getString("messages[-1].content[1].image_url.url"))
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(png));

        // a text-only follow-up still sends the earlier image; the older reader sees the text
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"And the colours?\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("user_message.parts", nullValue());
        stepFun.verify(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath(
                        "$.messages[0].content[1].image_url.url",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                                "data:image/png;base64," + Base64.getEncoder().encodeToString(png))))
                .withRequestBody(matchingJsonPath(
                        "$.messages[2].content",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("And the colours?"))));
    }

    @jakarta.inject.Inject
    Files files;

    @Test
    void unusedFilesGoAfterTheirTimeAndAForkKeepsItsImages() {
        String unused = upload(alice, Images.png());
        String used = upload(alice, Images.webp());
        String first = conversation(alice, "eye");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("A dot.", 1700, 2, 0))));
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body(parts("What is this?", used))
                .when()
                .post("/conversations/" + first + "/messages")
                .then()
                .statusCode(201);
        String fork = Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + first + "/fork")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Tokens.as(alice).when().delete("/conversations/" + first).then().statusCode(204);
        try {
            // a day and an hour later: the unused file goes, the one the fork uses stays
            TestClock.set(java.time.Instant.now().plus(java.time.Duration.ofHours(25)));
            assertThat(files.deleteUnused()).isPositive();
            Tokens.as(alice).when().get("/files/" + unused).then().statusCode(404);
            Tokens.as(alice).when().get("/files/" + used + "/content").then().statusCode(200);
            // once no message uses it, it goes too
            Tokens.as(alice).when().delete("/conversations/" + fork).then().statusCode(204);
            files.deleteUnused();
            Tokens.as(alice).when().get("/files/" + used).then().statusCode(404);
        } finally {
            TestClock.set(null);
        }
    }

    @Test
    void imagesAloneAreAMessage() {
        String file = upload(alice, Images.jpeg());
        String id = conversation(alice, "eye");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("A photo.", 1700, 3, 0))));
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"content\":[{\"type\":\"image_file\",\"file_id\":\"" + file + "\"}]}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("user_message.content", equalTo(""))
                .body("user_message.parts", hasSize(1));
    }

    @Test
    void aModelWithoutVisionIsRefusedBeforeAnythingIsStored() {
        String file = upload(alice, Images.png());
        String id = conversation(alice, "step-3.5-flash");
        OpenApiDocument.assertDocumented(
                        "POST",
                        "/conversations/{id}/messages",
                        Tokens.as(alice)
                                .contentType(ContentType.JSON)
                                .body(parts("Look", file))
                                .when()
                                .post("/conversations/" + id + "/messages"))
                .then()
                .statusCode(400)
                .body("type", equalTo("https://stepchat.dev/problems/model-cannot-see"));
        assertThat(messageCount(alice, id)).isZero();
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        // the models say which see
        OpenApiDocument.assertDocumented(
                        "GET", "/models", Tokens.as(alice).when().get("/models"))
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'step-3.5-flash' }.capabilities.vision", equalTo(false))
                .body("data.find { it.id == 'step-3.5-flash' }.capabilities.tools", equalTo(true))
                .body("data.find { it.id == 'step-3.5-flash' }.capabilities.reasoning", equalTo(true))
                .body("data.find { it.id == 'step-3.7-flash' }.capabilities.vision", equalTo(true));
    }

    @Test
    void anotherOwnersFileInATurnIsNotFoundAndNothingIsStored() {
        String alicesFile = upload(alice, Images.png());
        String bobs = conversation(bob, "eye");
        Tokens.as(bob)
                .contentType(ContentType.JSON)
                .body(parts("Whose is this?", alicesFile))
                .when()
                .post("/conversations/" + bobs + "/messages")
                .then()
                .statusCode(404)
                .body("type", equalTo("https://stepchat.dev/problems/not-found"));
        assertThat(messageCount(bob, bobs)).isZero();
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        // malformed parts are 400s
        StringBuilder seventeen = new StringBuilder("{\"content\":[");
        for (int i = 0; i < 17; i++) {
            seventeen
                    .append(i == 0 ? "" : ",")
                    .append("{\"type\":\"image_file\",\"file_id\":\"")
                    .append(alicesFile)
                    .append("\"}");
        }
        Tokens.as(bob)
                .contentType(ContentType.JSON)
                .body(seventeen.append("]}").toString())
                .when()
                .post("/conversations/" + bobs + "/messages")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("content"));
        Tokens.as(bob)
                .contentType(ContentType.JSON)
                .body("{\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}")
                .when()
                .post("/conversations/" + bobs + "/messages")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("content[0].type"));
    }

    @Test
    void aDeletedFileLeavesItsMessageReadableAndMarked() {
        String file = upload(alice, Images.gif());
        String id = conversation(alice, "eye");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("A small picture.", 1700, 4, 0))));
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body(parts("Describe it", file))
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        Tokens.as(alice).when().delete("/files/" + file).then().statusCode(204);

        Tokens.as(alice)
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data[0].content", equalTo("Describe it"))
                .body("data[0].parts[1].file_id", equalTo(file))
                .body("data[0].parts[1].deleted", equalTo(true));
        // the next turn tells the model in words
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"What was it again?\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        stepFun.verify(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath(
                        "$.messages[0].content[1].text",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("(an image, deleted since)"))));
        // and a deleted file cannot be sent again
        Tokens.as(alice)
                .contentType(ContentType.JSON)
                .body(parts("Again", file))
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(404);
    }
}
