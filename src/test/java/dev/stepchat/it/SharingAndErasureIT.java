package dev.stepchat.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.stepchat.support.AuthOnResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.InjectWireMock;
import dev.stepchat.support.StepFunStub;

/**
 * The packaged application (the native executable with -Dnative), authentication on: a share link
 * read without a token as JSON and as a page, the owner's zip export, the audit log and an
 * owner's erasure run as a job, and the metrics the dashboard reads.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(StepFunStub.class)
@WithTestResource(AuthOnResource.class)
class SharingAndErasureIT {

    @InjectWireMock
    WireMockServer stepFun;

    private static String token(String subject, String... groups) {
        try {
            var builder = Jwt.issuer(AuthOnResource.ISSUER)
                    .subject(subject)
                    .audience(AuthOnResource.AUDIENCE)
                    .expiresIn(Duration.ofMinutes(5));
            if (groups.length > 0) {
                builder.groups(Set.of(groups));
            }
            return builder.sign(KeyUtils.readPrivateKey("test-jwt-private.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void shareExportAuditAndErasure() throws IOException {
        String owner = "frank-" + System.nanoTime();
        String frank = token(owner);
        String admin = token("admin-" + System.nanoTime(), "stepchat-admin");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Day one: **Fushimi Inari**", 12, 3, 0))));
        String id = as(frank)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"Kyoto\"}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(frank)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"Plan a day\"}")
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);

        String shareId = as(frank)
                .contentType(ContentType.JSON)
                .body("{\"expires_in\":3600}")
                .post("/conversations/" + id + "/shares")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().get("/shared/" + shareId)
                .then()
                .statusCode(200)
                .body("title", equalTo("Kyoto"))
                .body("messages.content", equalTo(List.of("Plan a day", "Day one: **Fushimi Inari**")));
        given().get("/s/" + shareId)
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"));

        byte[] zip =
                as(frank).get("/me/export").then().statusCode(200).extract().asByteArray();
        List<String> names = new ArrayList<>();
        try (ZipInputStream read = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = read.getNextEntry()) != null) {
                names.add(entry.getName());
            }
        }
        assertThat(names).containsExactly("conversations/" + id + ".json", "export.json");

        as(admin)
                .contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":100000}]}")
                .put("/admin/owners/" + owner + "/limits")
                .then()
                .statusCode(200);
        String job = as(admin)
                .delete("/admin/owners/" + owner)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        "succeeded".equals(as(admin).get("/admin/jobs/" + job).path("status")));
        as(admin).get("/admin/jobs/" + job).then().body("detail.conversations_deleted", equalTo(1));
        as(frank).get("/conversations/" + id).then().statusCode(404);
        given().get("/shared/" + shareId).then().statusCode(404);
        as(admin)
                .get("/admin/audit?limit=100")
                .then()
                .statusCode(200)
                .body("data.action", hasItem("owner.erase"))
                .body("data.target", not(hasItem(owner)));

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains(
                        "stepchat_admission_in_use",
                        "stepchat_spending_near_limit_total",
                        "http_server_requests_seconds_bucket");
    }
}
