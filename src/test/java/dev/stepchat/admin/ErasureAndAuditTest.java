package dev.stepchat.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.db.Jdbc;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.Tokens;

/**
 * An owner's erasure as a job, the audit log of administrators' actions, and a person's own
 * export, authentication on.
 */
@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ErasureAndAuditTest extends StepFunStubbedTest {

    private final String carol = "carol-" + System.nanoTime();
    private final String dave = "dave-" + System.nanoTime();
    private final String admin = Tokens.admin("admin-" + System.nanoTime());

    @Inject
    Jdbc jdbc;

    private String conversationWithATurn(String owner, String title) {
        String id = Tokens.as(Tokens.token(owner))
                .contentType(ContentType.JSON)
                .body("{\"title\":\"" + title + "\"}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("An answer for " + title, 20, 5, 0))));
        Tokens.as(Tokens.token(owner))
                .contentType(ContentType.JSON)
                .header("Idempotency-Key", "key-" + title)
                .body("{\"content\":\"Hello\"}")
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        return id;
    }

    private long count(String sql, Object... parameters) {
        return QuarkusTransaction.requiringNew()
                .call(() -> jdbc.first(sql, row -> row.getLong(1), parameters).orElseThrow());
    }

    @Test
    void anErasedOwnerIsGoneWhileTheLedgerTotalsStayTrue() {
        String first = conversationWithATurn(carol, "first");
        conversationWithATurn(carol, "second");
        String kept = conversationWithATurn(dave, "dave's");
        Tokens.as(admin)
                .contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":5000}]}")
                .put("/admin/owners/" + carol + "/limits")
                .then()
                .statusCode(200);
        Tokens.as(Tokens.token(carol))
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/conversations/" + first + "/shares")
                .then()
                .statusCode(201);
        Tokens.as(Tokens.token(carol))
                .multiPart("file", "carol.png", dev.stepchat.support.Images.png(), "image/png")
                .post("/files")
                .then()
                .statusCode(201);
        long ledgerTokens = count("select coalesce(sum(total_tokens), 0) from usage_record");
        assertThat(count("select count(*) from usage_record where owner = ?", carol))
                .isEqualTo(2);

        // only administrators
        Tokens.as(Tokens.token(dave)).delete("/admin/owners/" + carol).then().statusCode(403);
        JsonPath job = OpenApiDocument.assertDocumented(
                        "DELETE", "/admin/owners/{owner}", Tokens.as(admin).delete("/admin/owners/" + carol))
                .then()
                .statusCode(202)
                .header("Location", matchesPattern(".*/admin/jobs/[0-9a-f-]{36}"))
                .body("object", equalTo("job"))
                .body("kind", equalTo("owner-erasure"))
                .extract()
                .jsonPath();
        String jobId = job.getString("id");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "succeeded"
                        .equals(Tokens.as(admin).get("/admin/jobs/" + jobId).path("status")));
        JsonPath done = OpenApiDocument.assertDocumented(
                        "GET", "/admin/jobs/{job_id}", Tokens.as(admin).get("/admin/jobs/" + jobId))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(done.getInt("detail.conversations_deleted")).isEqualTo(2);
        assertThat(done.getInt("detail.files_deleted")).isEqualTo(1);
        assertThat(done.getInt("detail.ledger_rows_pseudonymized")).isEqualTo(2);
        assertThat(done.getString("finished_at")).isNotNull();

        // the person is gone from every table that names an owner, found in the schema so that a
        // table added later is checked too; the totals are not
        List<String[]> columns = QuarkusTransaction.requiringNew()
                .call(() -> jdbc.list("""
                        select table_name, column_name from information_schema.columns
                        where table_schema = current_schema() and column_name in ('owner', 'actor', 'target')
                        order by table_name, column_name""", row -> new String[] {row.getString(1), row.getString(2)}));
        assertThat(columns)
                .extracting(column -> column[0])
                .contains(
                        "conversation",
                        "share",
                        "idempotency_key",
                        "owner_limit",
                        "usage_record",
                        "owner_usage_day",
                        "spending_reservation",
                        "stream_reader",
                        "drop_in_call",
                        "owner_turn_start",
                        "audit_entry",
                        "admin_job");
        for (String[] column : columns) {
            assertThat(count("select count(*) from " + column[0] + " where " + column[1] + " = ?", carol))
                    .as(column[0] + "." + column[1])
                    .isZero();
        }
        assertThat(count("select coalesce(sum(total_tokens), 0) from usage_record"))
                .isEqualTo(ledgerTokens);
        Tokens.as(Tokens.token(carol)).get("/conversations/" + first).then().statusCode(404);
        Tokens.as(Tokens.token(dave)).get("/conversations/" + kept).then().statusCode(200);

        // the audit log says who did what to whom, with the pseudonym
        JsonPath audit = OpenApiDocument.assertDocumented(
                        "GET", "/admin/audit", Tokens.as(admin).get("/admin/audit?limit=100&from=2000-01-01"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String pseudonym = QuarkusTransaction.requiringNew()
                .call(() -> jdbc.first(
                                "select target from admin_job where id = ?",
                                row -> row.getString(1),
                                UUID.fromString(jobId))
                        .orElseThrow());
        assertThat(pseudonym).matches("erased:[A-Za-z0-9_-]{43}");
        List<Map<String, Object>> mine = audit.<Map<String, Object>>getList("data").stream()
                .filter(entry -> pseudonym.equals(entry.get("target")))
                .toList();
        assertThat(mine).extracting(entry -> entry.get("action")).containsExactly("limits.set", "owner.erase");
        assertThat(count("select count(*) from usage_record where owner = ?", pseudonym))
                .isEqualTo(2);
        Tokens.as(Tokens.token(dave)).get("/admin/audit").then().statusCode(403);
    }

    @Test
    void theAuditLogIsPagedAndHasNoMethodThatChangesIt() {
        String target = "paged-" + System.nanoTime();
        for (int limit : new int[] {100, 200, 300}) {
            Tokens.as(admin)
                    .contentType(ContentType.JSON)
                    .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":" + limit + "}]}")
                    .put("/admin/owners/" + target + "/limits")
                    .then()
                    .statusCode(200);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        String after = null;
        do {
            JsonPath page = Tokens.as(admin)
                    .get("/admin/audit?limit=2" + (after == null ? "" : "&after=" + after))
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            entries.addAll(page.getList("data"));
            after = page.getBoolean("has_more") ? page.getString("last_id") : null;
        } while (after != null);
        List<Map<String, Object>> targeted = entries.stream()
                .filter(entry -> target.equals(entry.get("target")))
                .toList();
        assertThat(targeted).hasSize(3);
        assertThat(targeted).extracting(entry -> entry.get("actor")).doesNotContain(target);
        List<Object> limits = targeted.stream()
                .map(entry -> (Object) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) entry.get("detail")).get("limits")).get(0))
                        .get("limit"))
                .toList();
        assertThat(limits).containsExactly(100, 200, 300);
        String id = targeted.getFirst().get("id").toString();
        Tokens.as(admin).delete("/admin/audit/" + id).then().statusCode(404);
        Tokens.as(admin)
                .contentType(ContentType.JSON)
                .body("{}")
                .put("/admin/audit")
                .then()
                .statusCode(405);
        Tokens.as(admin).get("/admin/audit?from=yesterday").then().statusCode(400);
        Tokens.as(admin).get("/admin/jobs/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aPersonExportsAllTheirConversationsAsOneArchive() throws IOException {
        String owner = "erin-" + System.nanoTime();
        String one = conversationWithATurn(owner, "one");
        String two = conversationWithATurn(owner, "two");
        conversationWithATurn(dave, "not erin's");
        byte[] zip = OpenApiDocument.assertDocumented(
                        "GET", "/me/export", Tokens.as(Tokens.token(owner)).get("/me/export"))
                .then()
                .statusCode(200)
                .contentType("application/zip")
                .header("Content-Disposition", endsWith("filename=\"stepchat-export.zip\""))
                .extract()
                .asByteArray();
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        try (ZipInputStream read = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = read.getNextEntry()) != null) {
                entries.put(
                        entry.getName(),
                        new ObjectMapper().readTree(new String(read.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        assertThat(entries.keySet())
                .containsExactlyInAnyOrder(
                        "conversations/" + one + ".json", "conversations/" + two + ".json", "export.json");
        JsonNode first = entries.get("conversations/" + one + ".json");
        assertThat(first.path("object").asText()).isEqualTo("conversation_export");
        assertThat(first.path("conversation").path("title").asText()).isEqualTo("one");
        assertThat(first.path("messages")).hasSize(2);
        assertThat(first.path("messages").get(1).path("content").asText()).isEqualTo("An answer for one");
        JsonNode about = entries.get("export.json");
        assertThat(about.path("owner").asText()).isEqualTo(owner);
        assertThat(about.path("conversations").asInt()).isEqualTo(2);
        given().get("/me/export").then().statusCode(401);
    }
}
