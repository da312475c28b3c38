package dev.stepchat.conversation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ConversationApiTest {

    static final String PROBLEM = "application/problem+json";
    static final String RFC3339_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";

    static String create(Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Inject
    EntityManagerFactory entityManagerFactory;

    @Test
    void thePlainSqlOfMessagesWritesAndReadsEveryColumnOfTheEntity() {
        List<String> mapped = new ArrayList<>();
        EntityPersister message = entityManagerFactory
                .unwrap(SessionFactoryImplementor.class)
                .getMappingMetamodel()
                .getEntityDescriptor(Message.class);
        message.getIdentifierMapping()
                .forEachSelectable((index, column) -> mapped.add(column.getSelectionExpression()));
        message.forEachSelectable((index, column) -> mapped.add(column.getSelectionExpression()));
        List<String> read = new ArrayList<>(MessageRepository.COLUMNS);
        read.addAll(MessageRepository.SET_BY_THE_DATABASE);
        assertThat(read).containsExactlyInAnyOrderElementsOf(mapped);
    }

    @Test
    void createReturns201WithLocationAndTheContractShape() {
        Response response = given().contentType(ContentType.JSON)
                .body(Map.of("title", "Trip", "system_prompt", "Be brief", "metadata", Map.of("team", "web")))
                .when()
                .post("/conversations");
        response.then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .header("Location", endsWith("/conversations/" + response.path("id")))
                .body("object", equalTo("conversation"))
                .body("title", equalTo("Trip"))
                .body("model", equalTo("step-3.5-flash"))
                .body("system_prompt", equalTo("Be brief"))
                .body("metadata.team", equalTo("web"))
                .body("created_at", matchesPattern(RFC3339_UTC))
                .body("updated_at", matchesPattern(RFC3339_UTC))
                .body("message_count", equalTo(0))
                .body("usage.prompt_tokens", equalTo(0))
                .body("usage.completion_tokens", equalTo(0))
                .body("usage.total_tokens", equalTo(0))
                .body("usage.cached_tokens", equalTo(0))
                .body("usage.turns", equalTo(0));
        UUID id = UUID.fromString(response.path("id"));
        assertThat(id.version()).as("ids are UUIDv7").isEqualTo(7);

        given().when()
                .get(response.header("Location"))
                .then()
                .statusCode(200)
                .body("id", equalTo(id.toString()))
                .body("title", equalTo("Trip"));
    }

    @Test
    void createWithoutBodyUsesDefaultsAndNullFieldsAreShown() {
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .body("$", hasKey("title"))
                .body("title", nullValue())
                .body("system_prompt", nullValue())
                .body("metadata", equalTo(Map.of()));
    }

    @Test
    void unknownPropertiesAreIgnored() {
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"x\",\"color\":\"blue\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .body("title", equalTo("x"));
    }

    @Test
    void pagingWalksEveryConversationOnceInBothOrders() {
        String owner = "paging-" + UUID.randomUUID();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            created.add(create(Map.of("title", owner + "-" + i)));
        }
        // other tests add conversations too: keep only ours, in the order the pages gave them
        List<String> desc =
                walk("desc", null).stream().filter(created::contains).toList();
        assertThat(desc).isEqualTo(created.reversed());
        List<String> asc = walk("asc", null).stream().filter(created::contains).toList();
        assertThat(asc).isEqualTo(created);
        // the default order is newest first
        assertThat(walk(null, null).stream().filter(created::contains).toList()).isEqualTo(created.reversed());
    }

    /** Follows after-cursors from the first page to the last; checks each page's shape. */
    private static List<String> walk(String order, String start) {
        List<String> all = new ArrayList<>();
        String after = start;
        boolean more = true;
        while (more) {
            var request = given().queryParam("limit", 20);
            if (order != null) {
                request.queryParam("order", order);
            }
            if (after != null) {
                request.queryParam("after", after);
            }
            Response page = request.when().get("/conversations");
            page.then().statusCode(200).body("object", equalTo("list"));
            List<String> ids = page.path("data.id");
            assertThat(ids.size()).isLessThanOrEqualTo(20);
            if (!ids.isEmpty()) {
                assertThat((String) page.path("first_id")).isEqualTo(ids.getFirst());
                assertThat((String) page.path("last_id")).isEqualTo(ids.getLast());
            }
            all.addAll(ids);
            more = page.path("has_more");
            after = page.path("last_id");
        }
        assertThat(all).doesNotHaveDuplicates();
        return all;
    }

    @Test
    void beforeCursorReturnsThePageJustAheadOfIt() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(create(Map.of("title", "before-" + i)));
        }
        List<String> page = given().queryParam("order", "asc")
                .queryParam("before", created.get(4))
                .queryParam("after", created.get(0))
                .queryParam("limit", 2)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .body("has_more", equalTo(true))
                .extract()
                .path("data.id");
        assertThat(page).containsExactly(created.get(1), created.get(2));

        List<String> justBefore = given().queryParam("order", "asc")
                .queryParam("before", created.get(4))
                .queryParam("limit", 2)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .path("data.id");
        assertThat(justBefore).containsExactly(created.get(2), created.get(3));
    }

    @Test
    void unknownCursorAndOutOfRangeQueryParametersAre400Problems() {
        given().queryParam("after", UUID.randomUUID().toString())
                .when()
                .get("/conversations")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", endsWith("/invalid-cursor"))
                .body("errors.field", hasItem("after"));
        for (String limit : List.of("0", "101", "-1", "abc", "1e3")) {
            given().queryParam("limit", limit)
                    .when()
                    .get("/conversations")
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", endsWith("/validation-failed"))
                    .body("errors[0].field", equalTo("limit"));
        }
        given().queryParam("order", "sideways")
                .when()
                .get("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("order"));
        given().queryParam("before", "not-an-id")
                .when()
                .get("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("before"));
    }

    @Test
    void patchIsAJsonMergePatch() {
        String id = create(Map.of(
                "title",
                "Old",
                "system_prompt",
                "Be brief",
                "model",
                "step-1",
                "metadata",
                Map.of("a", "1", "b", "2")));
        given().contentType("application/merge-patch+json")
                .body("{\"title\":null,\"metadata\":{\"a\":null,\"c\":\"3\"}}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("title", nullValue())
                .body("system_prompt", equalTo("Be brief"))
                .body("model", equalTo("step-1"))
                .body("metadata", equalTo(Map.of("b", "2", "c", "3")));
        given().contentType(ContentType.JSON)
                .body("{\"model\":null,\"system_prompt\":\"Be kind\"}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("model", equalTo("step-3.5-flash"))
                .body("system_prompt", equalTo("Be kind"));
        given().contentType(ContentType.JSON)
                .body("{\"metadata\":null}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("metadata", equalTo(Map.of()));
        given().when().get("/conversations/" + id).then().body("system_prompt", equalTo("Be kind"));
    }

    @Test
    void metadataLimitsAreEnforcedOnCreateAndPatch() {
        Map<String, Object> seventeen = new java.util.HashMap<>();
        for (int i = 0; i < 17; i++) {
            seventeen.put("k" + i, "v");
        }
        given().contentType(ContentType.JSON)
                .body(Map.of("metadata", seventeen))
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors.field", hasItem("metadata"));
        given().contentType(ContentType.JSON)
                .body(Map.of("metadata", Map.of("k".repeat(65), "v")))
                .when()
                .post("/conversations")
                .then()
                .statusCode(400);
        given().contentType(ContentType.JSON)
                .body(Map.of("metadata", Map.of("k", "v".repeat(513))))
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("metadata[k]"));

        String id = create(Map.of("metadata", Map.of("k", "v")));
        given().contentType(ContentType.JSON)
                .body(Map.of("metadata", Map.of("k", "v".repeat(513))))
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{\"title\": 5}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("title"));
        given().when().get("/conversations/" + id).then().body("metadata", equalTo(Map.of("k", "v")));
    }

    @Test
    void deleteRemovesTheConversationAndItsMessages() {
        String id = create(Map.of("title", "gone"));
        given().when().delete("/conversations/" + id).then().statusCode(204);
        given().when().get("/conversations/" + id).then().statusCode(404).contentType(PROBLEM);
        given().when().get("/conversations/" + id + "/messages").then().statusCode(404);
        given().when().delete("/conversations/" + id).then().statusCode(404).body("type", endsWith("/not-found"));
    }

    @Test
    void usageIsZeroBeforeAnyTurn() {
        String id = create(Map.of());
        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .statusCode(200)
                .body("conversation_id", equalTo(id))
                .body("prompt_tokens", equalTo(0))
                .body("total_tokens", equalTo(0))
                .body("turns", equalTo(0))
                .body("by_model", equalTo(List.of()));
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data", equalTo(List.of()))
                .body("first_id", nullValue())
                .body("has_more", equalTo(false));
    }

    @Test
    void frameworkErrorsAreProblemsToo() {
        given().when()
                .get("/conversations/not-a-uuid")
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", equalTo("https://stepchat.dev/problems/not-found"))
                .body("title", notNullValue())
                .body("status", equalTo(404))
                .body("instance", equalTo("/conversations/not-a-uuid"));
        given().when()
                .get("/no/such/path")
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("instance", equalTo("/no/such/path"));
        given().when()
                .put("/conversations")
                .then()
                .statusCode(405)
                .contentType(PROBLEM)
                .body("type", endsWith("/method-not-allowed"));
        given().contentType(ContentType.TEXT)
                .body("hello")
                .when()
                .post("/conversations")
                .then()
                .statusCode(415)
                .contentType(PROBLEM)
                .body("type", endsWith("/unsupported-media-type"));
        given().accept("application/xml")
                .when()
                .get("/conversations")
                .then()
                .statusCode(406)
                .contentType(PROBLEM)
                .body("type", endsWith("/not-acceptable"));
        given().contentType(ContentType.JSON)
                .body("{\"title\": ")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", endsWith("/malformed-request"))
                .body("detail", not(matchesPattern("(?s).*(com\\.fasterxml|Exception|\\tat ).*")));
        given().contentType(ContentType.JSON)
                .body("{\"metadata\": [1,2]}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", endsWith("/malformed-request"))
                .body("detail", not(matchesPattern("(?s).*(com\\.fasterxml|Exception).*")));
    }
}
