package dev.stepchat.file;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.Images;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.Tokens;

/** POST /files and its reads, authentication on: the type from the bytes, the size limit, owner isolation. */
@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class FilesTest {

    private final String alice = Tokens.token("alice-files-" + System.nanoTime());
    private final String bob = Tokens.token("bob-files-" + System.nanoTime());

    @TestHTTPResource("/files")
    URI files;

    static Response upload(String token, String filename, String type, byte[] bytes) {
        return Tokens.as(token).multiPart("file", filename, bytes, type).when().post("/files");
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void eachImageTypeIsStoredAndReadBackIntact() throws Exception {
        Map<String, byte[]> images = Map.of(
                "image/png", Images.png(),
                "image/jpeg", Images.jpeg(),
                "image/webp", Images.webp(),
                "image/gif", Images.gif());
        for (var image : images.entrySet()) {
            byte[] bytes = image.getValue();
            Response uploaded = OpenApiDocument.assertDocumented(
                    "POST", "/files", upload(alice, "snap shot.img", "application/octet-stream", bytes));
            String id = uploaded.then()
                    .statusCode(201)
                    .header("Location", containsString("/files/"))
                    .body("object", equalTo("file"))
                    .body("filename", equalTo("snap shot.img"))
                    .body("content_type", equalTo(image.getKey()))
                    .body("bytes", equalTo(bytes.length))
                    .body("sha256", equalTo(sha256(bytes)))
                    .extract()
                    .path("id");
            OpenApiDocument.assertDocumented(
                            "GET", "/files/{id}", Tokens.as(alice).when().get("/files/" + id))
                    .then()
                    .statusCode(200)
                    .body("content_type", equalTo(image.getKey()));
            Response content = Tokens.as(alice).when().get("/files/" + id + "/content");
            content.then()
                    .statusCode(200)
                    .contentType(image.getKey())
                    .header("Content-Disposition", containsString("filename=\"snap shot.img\""))
                    .header("X-Content-Type-Options", "nosniff");
            assertThat(content.asByteArray()).as(image.getKey()).isEqualTo(bytes);
        }
    }

    @Test
    void aDisguisedFileIsRefusedWith415() {
        byte[] html =
                "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".getBytes(StandardCharsets.UTF_8);
        byte[] svg =
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"><script>alert(1)</script></svg>"
                        .getBytes(StandardCharsets.UTF_8);
        for (byte[] disguised : new byte[][] {html, svg}) {
            OpenApiDocument.assertDocumented("POST", "/files", upload(alice, "cat.png", "image/png", disguised))
                    .then()
                    .statusCode(415)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://stepchat.dev/problems/unsupported-file-type"))
                    .body("detail", containsString("only PNG, JPEG, WebP and GIF"));
        }
        // a real image declared as another image type
        upload(alice, "cat.jpg", "image/jpeg", Images.png())
                .then()
                .statusCode(415)
                .body("detail", equalTo("The file was sent as image/jpeg but its bytes are image/png"));
        // not a form at all
        Tokens.as(alice)
                .contentType("image/png")
                .body(Images.png())
                .when()
                .post("/files")
                .then()
                .statusCode(415)
                .body("type", equalTo("https://stepchat.dev/problems/unsupported-media-type"));
    }

    @Test
    void theSizeLimitHoldsForAChunkedBody() throws Exception {
        // the tests' limit is 1 MiB: a PNG header and then 3 MiB, sent without a Content-Length
        String boundary = "stepchat-boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        InputStream body = new SequenceInputStream(
                new ByteArrayInputStream(head),
                new SequenceInputStream(new ByteArrayInputStream(Images.png()), new Zeros(3 * 1024 * 1024)));
        HttpResponse<String> response = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(files)
                                .header("Authorization", "Bearer " + alice)
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload-too-large").contains("stepchat.files.max-size");
        // and with a Content-Length over the limit, before it is read
        upload(alice, "big.png", "image/png", new byte[2 * 1024 * 1024])
                .then()
                .statusCode(413)
                .body("type", equalTo("https://stepchat.dev/problems/payload-too-large"));
    }

    @Test
    void anotherCallersFileIsNotFoundOnEveryEndpoint() {
        String id = upload(alice, "mine.png", "image/png", Images.png())
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Tokens.as(bob).when().get("/files/" + id).then().statusCode(404);
        Tokens.as(bob).when().get("/files/" + id + "/content").then().statusCode(404);
        Tokens.as(bob).when().delete("/files/" + id).then().statusCode(404);
        given().when().get("/files/" + id).then().statusCode(401);
        // still alice's, then deleted
        Tokens.as(alice).when().get("/files/" + id).then().statusCode(200);
        OpenApiDocument.assertDocumented(
                        "DELETE", "/files/{id}", Tokens.as(alice).when().delete("/files/" + id))
                .then()
                .statusCode(204);
        Tokens.as(alice).when().get("/files/" + id).then().statusCode(404);
        Tokens.as(alice).when().get("/files/" + id + "/content").then().statusCode(404);
        Tokens.as(alice).when().get("/files/not-an-id").then().statusCode(404);
    }

    @jakarta.inject.Inject
    dev.stepchat.db.Jdbc jdbc;

    @Test
    void damagedBytesAreNeverDeliveredWhole() throws Exception {
        byte[] png = Images.png();
        String id = upload(alice, "fine.png", "image/png", png)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        // a bit flipped in storage
        byte[] damaged = png.clone();
        damaged[damaged.length / 2] ^= 1;
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .run(() -> jdbc.update(
                        "update file_chunk set data = ? where file_id = ?", damaged, java.util.UUID.fromString(id)));
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest read = HttpRequest.newBuilder(files.resolve("/files/" + id + "/content"))
                .header("Authorization", "Bearer " + alice)
                .build();
        try {
            HttpResponse<byte[]> response = http.send(read, HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as("not a success").isEqualTo(500);
            assertThat(response.body()).isNotEqualTo(damaged);
        } catch (IOException brokenOff) {
            // the response broke off short of its Content-Length: the damaged bytes never arrived whole
        }
    }

    /** {@code n} zero bytes, made as they are read. */
    static final class Zeros extends InputStream {
        private long left;

        Zeros(long n) {
            this.left = n;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
