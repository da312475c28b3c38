package dev.stepchat.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Images;
import dev.stepchat.support.S3Server;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 store against a real S3 server (S3Proxy): a file's bytes become one object, read back
 * intact and checked, and go when the file is deleted; its metadata stays in PostgreSQL.
 */
@QuarkusTest
@TestProfile(S3StoreTest.OnS3.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class S3StoreTest {

    /** The service with stepchat.files.store=s3, pointed at the S3 server. */
    public static class OnS3 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3Server.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("stepchat.auth.enabled", "false");
        }
    }

    private static List<String> objects() {
        try (S3Client s3 = S3Server.client()) {
            return s3.listObjectsV2(b -> b.bucket(S3Server.BUCKET)).contents().stream()
                    .map(S3Object::key)
                    .toList();
        }
    }

    @Test
    void aFileIsAnObjectReadBackIntactAndDeletedWithTheFile() {
        byte[] jpeg = Images.jpeg();
        String id = io.restassured.RestAssured.given()
                .multiPart("file", "receipt.jpg", jpeg, "image/jpeg")
                .when()
                .post("/files")
                .then()
                .statusCode(201)
                .body("content_type", equalTo("image/jpeg"))
                .extract()
                .path("id");
        assertThat(objects()).contains("files/" + id);
        try (S3Client s3 = S3Server.client()) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key("files/" + id))
                            .asByteArray())
                    .isEqualTo(jpeg);
        }
        byte[] read = io.restassured.RestAssured.given()
                .when()
                .get("/files/" + id + "/content")
                .then()
                .statusCode(200)
                .contentType("image/jpeg")
                .extract()
                .asByteArray();
        assertThat(read).isEqualTo(jpeg);

        io.restassured.RestAssured.given().when().delete("/files/" + id).then().statusCode(204);
        assertThat(objects()).doesNotContain("files/" + id);
    }
}
