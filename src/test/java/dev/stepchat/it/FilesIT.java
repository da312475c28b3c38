package dev.stepchat.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.AuthOffResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Images;
import dev.stepchat.support.InjectWireMock;
import dev.stepchat.support.StepFunStub;

/**
 * The packaged application (the native executable with -Dnative): uploads read by their bytes (Tika's
 * magic numbers, a resource the image must carry), a disguised file refused, and a vision turn whose
 * image reaches StepFun intact; then the file deleted and its message still readable.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(StepFunStub.class)
@WithTestResource(AuthOffResource.class)
class FilesIT {

    @InjectWireMock
    WireMockServer stepFun;

    private static String upload(byte[] bytes, String name) {
        return given().multiPart("file", name, bytes, "application/octet-stream")
                .when()
                .post("/files")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void uploadReadAVisionTurnAndDelete() {
        byte[] jpeg = Images.jpeg();
        String jpegId = upload(jpeg, "photo.jpg");
        given().get("/files/" + jpegId).then().statusCode(200).body("content_type", equalTo("image/jpeg"));
        assertThat(given().get("/files/" + jpegId + "/content")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray())
                .isEqualTo(jpeg);
        given().multiPart(
                        "file",
                        "cat.png",
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8),
                        "image/png")
                .when()
                .post("/files")
                .then()
                .statusCode(415)
                .body("type", equalTo("https://stepchat.dev/problems/unsupported-file-type"));

        byte[] png = Images.png();
        String file = upload(png, "gradient.png");
        String id = given().contentType(ContentType.JSON)
                .body("{\"model\":\"step-3.7-flash\"}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("A gradient.", 1700, 3, 0))));
        given().contentType(ContentType.JSON)
                .body(
                        "{\"content\":[{\"type\":\"text\",\"text\":\"What is it?\"},{\"type\":\"image_file\",\"file_id\":\""
                                + file + "\"}]}")
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .body("user_message.parts[1].file_id", equalTo(file))
                .body("message.content", equalTo("A gradient."));
        JsonPath sent = JsonPath.from(
                stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).getLast().getBodyAsString());
        assertThat(sent.getString("messages[-1].content[1].image_url.url"))
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(png));

        given().delete("/files/" + file).then().statusCode(204);
        given().get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data[0].parts[1].deleted", equalTo(true));
    }
}
