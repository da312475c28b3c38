package dev.stepchat.conversation;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.OpenApiDocument.assertDocumented;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** Branches: edit, regenerate, switch, fork and delete, as a frontend drives them. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class BranchesTest extends StepFunStubbedTest {

    private int answers;

    private void answerWith(String content, int prompt, int completion) {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion(content, prompt, completion, 0))));
    }

    private static String conversation() {
        return given().contentType(ContentType.JSON)
                .body("{\"system_prompt\":\"Be brief\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private Response turn(String id, Map<String, Object> body) {
        return assertDocumented(
                "POST",
                "/conversations/{id}/messages",
                given().contentType(ContentType.JSON).body(body).when().post("/conversations/" + id + "/messages"));
    }

    private JsonPath say(String id, String content, String reply) {
        answerWith(reply, 10 + answers, 2);
        answers++;
        return turn(id, Map.of("content", content))
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    private JsonPath regenerate(String id, String userMessage, String reply) {
        answerWith(reply, 10 + answers, 3);
        answers++;
        return assertDocumented(
                        "POST",
                        "/conversations/{id}/messages/{message_id}/regenerate",
                        given().contentType(ContentType.JSON)
                                .body("{}")
                                .when()
                                .post("/conversations/" + id + "/messages/" + userMessage + "/regenerate"))
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    private static JsonPath list(String id, String query) {
        return assertDocumented(
                        "GET",
                        "/conversations/{id}/messages",
                        given().when().get("/conversations/" + id + "/messages?limit=100" + query))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** The contents of the messages StepFun was sent in its last request. */
    private List<String> lastUpstreamHistory() {
        List<LoggedRequest> requests = stepFun.findAll(postRequestedFor(urlEqualTo(PATH)));
        return JsonPath.from(requests.getLast().getBodyAsString()).getList("messages.content");
    }

    private long ledgerTokens(String id) {
        return QuarkusTransaction.requiringNew()
                .call(() -> ((Number) entityManager
                                .createNativeQuery(
                                        "select coalesce(sum(total_tokens), 0) from usage_record where conversation_id = '"
                                                + id + "'")
                                .getSingleResult())
                        .longValue());
    }

    @Test
    void editRegenerateSwitchForkAndDelete() {
        String id = conversation();
        JsonPath t1 = say(id, "u1", "a1");
        JsonPath t2 = say(id, "u2", "a2");
        JsonPath t3 = say(id, "u3", "a3");
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "u2", "a2", "u3");
        String a1 = t1.getString("message.id");
        String u2 = t2.getString("user_message.id");
        String a3 = t3.getString("message.id");
        assertThat(t2.getString("user_message.parent_id")).isEqualTo(a1);
        assertThat(t2.getString("message.parent_id")).isEqualTo(u2);

        // edit the second user message: a sibling of it, under the same parent
        answerWith("a2-edited", 30, 2);
        JsonPath edited = turn(id, Map.of("content", "u2 edited", "parent_id", a1))
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "u2 edited");
        String u2b = edited.getString("user_message.id");
        assertThat(edited.getString("user_message.parent_id")).isEqualTo(a1);

        // regenerate the new answer twice: siblings under the edited message
        JsonPath r1 = regenerate(id, u2b, "a2-again");
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "u2 edited");
        JsonPath r2 = regenerate(id, u2b, "a2-third");
        assertThat(r1.getString("user_message.id")).isEqualTo(u2b);
        assertThat(r2.getString("message.parent_id")).isEqualTo(u2b);

        // the current branch is the latest path; branch=all has everything
        assertThat(list(id, "").getList("data.content")).containsExactly("u1", "a1", "u2 edited", "a2-third");
        JsonPath all = list(id, "&branch=all");
        assertThat(all.getList("data.content"))
                .containsExactly("u1", "a1", "u2", "a2", "u3", "a3", "u2 edited", "a2-edited", "a2-again", "a2-third");
        List<String> siblingsOfEdit = all.getList("data.findAll { it.parent_id == '" + u2b + "' }.content");
        assertThat(siblingsOfEdit).containsExactly("a2-edited", "a2-again", "a2-third");
        JsonPath conv = given().when()
                .get("/conversations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(conv.getString("current_message_id")).isEqualTo(r2.getString("message.id"));
        assertThat(conv.getInt("message_count")).isEqualTo(10);
        // every branch's tokens count: totals equal the ledger and the sum over all answers
        int answered = all.getList("data.findAll { it.role == 'assistant' }.usage.total_tokens", Integer.class).stream()
                .mapToInt(Integer::intValue)
                .sum();
        assertThat(conv.getLong("usage.total_tokens"))
                .isEqualTo(ledgerTokens(id))
                .isEqualTo(answered);
        assertThat(conv.getInt("usage.turns")).isEqualTo(6);

        // switch to the older sibling: the current message is the latest last message under it
        given().contentType("application/merge-patch+json")
                .body(Map.of("current_message_id", u2))
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("current_message_id", equalTo(a3));
        assertThat(list(id, "").getList("data.content")).containsExactly("u1", "a1", "u2", "a2", "u3", "a3");
        // a turn continues that branch
        say(id, "u4", "a4");
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "u2", "a2", "u3", "a3", "u4");

        // fork at a middle message: copies of the path, an own history, the original unchanged
        Response forked = assertDocumented(
                "POST",
                "/conversations/{id}/fork",
                given().contentType(ContentType.JSON)
                        .body(Map.of("message_id", a1))
                        .when()
                        .post("/conversations/" + id + "/fork"));
        forked.then()
                .statusCode(201)
                .body("forked_from.conversation_id", equalTo(id))
                .body("forked_from.message_id", equalTo(a1))
                .body("usage.total_tokens", equalTo(0))
                .body("message_count", equalTo(2))
                .body("system_prompt", equalTo("Be brief"));
        String fork = forked.path("id");
        assertThat(forked.header("Location")).endsWith("/conversations/" + fork);
        JsonPath copies = list(fork, "");
        assertThat(copies.getList("data.content")).containsExactly("u1", "a1");
        assertThat(copies.getList("data.id")).doesNotContain(a1);
        assertThat(copies.getInt("data[1].usage.total_tokens")).isEqualTo(t1.getInt("message.usage.total_tokens"));
        say(fork, "fork question", "fork answer");
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "fork question");
        assertThat(list(id, "&branch=all").getList("data.content")).hasSize(12).doesNotContain("fork question");

        // delete the edited subtree: totals and ledger keep their tokens; the current message stays
        long before = given().when()
                .get("/conversations/" + id)
                .then()
                .extract()
                .jsonPath()
                .getLong("usage.total_tokens");
        assertDocumented(
                        "DELETE",
                        "/conversations/{id}/messages/{message_id}",
                        given().when().delete("/conversations/" + id + "/messages/" + u2b))
                .then()
                .statusCode(204);
        JsonPath after =
                given().when().get("/conversations/" + id).then().extract().jsonPath();
        assertThat(after.getLong("usage.total_tokens")).isEqualTo(before).isEqualTo(ledgerTokens(id));
        assertThat(after.getInt("message_count")).isEqualTo(8);
        assertThat(list(id, "&branch=all").getList("data.content")).doesNotContain("u2 edited", "a2-again");
        // deleting the current branch moves the current message up to the parent's latest last message
        given().when().delete("/conversations/" + id + "/messages/" + u2).then().statusCode(204);
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("current_message_id", equalTo(a1))
                .body("message_count", equalTo(2));
        assertThat(list(id, "").getList("data.content")).containsExactly("u1", "a1");
    }

    @Test
    void aFailedLastMessageIsLeftAsASiblingAndRegeneratingItCompletesIt() {
        String id = conversation();
        JsonPath t1 = say(id, "u1", "a1");
        stepFun.stubFor(post(PATH)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                        .withStatus(400)
                        .withBody("{\"error\":{\"message\":\"no\"}}")));
        Response failed = turn(id, Map.of("content", "fails"));
        failed.then().statusCode(502);
        JsonPath all = list(id, "&branch=all");
        String failedId = all.getString("data.find { it.content == 'fails' }.id");
        given().when().get("/conversations/" + id).then().body("current_message_id", equalTo(failedId));
        // the next turn follows the last answer, not the failed message
        JsonPath next = say(id, "again", "a2");
        assertThat(next.getString("user_message.parent_id")).isEqualTo(t1.getString("message.id"));
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "again");
        // a failed message can be regenerated: it becomes completed
        JsonPath regenerated = regenerate(id, failedId, "late answer");
        assertThat(regenerated.getString("user_message.status")).isEqualTo("completed");
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "u1", "a1", "fails");
        assertThat(list(id, "").getList("data.content")).containsExactly("u1", "a1", "fails", "late answer");
    }

    @Test
    void regenerateIsATurnForIdempotencyAndStreams() {
        String id = conversation();
        JsonPath t1 = say(id, "u1", "a1");
        String u1 = t1.getString("user_message.id");
        answerWith("once", 5, 5);
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + u1 + "/regenerate")
                .then()
                .statusCode(201)
                .extract()
                .asString();
        given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + u1 + "/regenerate")
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", "true")
                .body(equalTo(first));
        stepFun.verify(2, postRequestedFor(urlEqualTo(PATH)));

        stepFun.stubFor(post(PATH)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.stream("stre", "amed"))));
        String events = given().contentType(ContentType.JSON)
                .accept("text/event-stream")
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + u1 + "/regenerate")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(events).contains("event: start", "event: delta", "event: done", "\"content\":\"stre");
        assertThat(list(id, "").getList("data.content")).containsExactly("u1", "streamed");
        assertThat(list(id, "&branch=all").getList("data.content")).containsExactly("u1", "a1", "once", "streamed");
    }

    @Test
    void badParentsAndTargetsAreClearProblemsAndStoreNothing() {
        String id = conversation();
        JsonPath t1 = say(id, "u1", "a1");
        String other = conversation();
        JsonPath elsewhere = say(other, "x", "y");
        int calls = stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size();
        Map<String, Object> fromOther =
                new HashMap<>(Map.of("content", "hi", "parent_id", elsewhere.getString("message.id")));
        turn(id, fromOther).then().statusCode(400).body("errors[0].field", equalTo("parent_id"));
        turn(id, Map.of("content", "hi", "parent_id", t1.getString("user_message.id")))
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("parent_id"));
        turn(id, Map.of("content", "hi", "parent_id", UUID.randomUUID().toString()))
                .then()
                .statusCode(400);
        turn(id, Map.of("content", "hi", "parent_id", "not-an-id")).then().statusCode(400);
        turn(id, Map.of("content", "hi", "parent_id", 5)).then().statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + t1.getString("message.id") + "/regenerate")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + UUID.randomUUID() + "/regenerate")
                .then()
                .statusCode(404)
                .body("type", endsWith("/not-found"));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + elsewhere.getString("user_message.id") + "/regenerate")
                .then()
                .statusCode(404);
        given().contentType("application/merge-patch+json")
                .body(Map.of("current_message_id", elsewhere.getString("message.id")))
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("current_message_id"));
        given().contentType(ContentType.JSON)
                .body(Map.of("message_id", UUID.randomUUID().toString()))
                .when()
                .post("/conversations/" + id + "/fork")
                .then()
                .statusCode(400);
        given().when()
                .delete("/conversations/" + id + "/messages/" + UUID.randomUUID())
                .then()
                .statusCode(404);

        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(calls);
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("message_count", equalTo(2))
                .body("current_message_id", equalTo(t1.getString("message.id")));
        // a new root is allowed: parent_id null
        Map<String, Object> root = new HashMap<>();
        root.put("content", "a new root");
        root.put("parent_id", null);
        answerWith("root answer", 3, 1);
        turn(id, root).then().statusCode(201).body("user_message.parent_id", org.hamcrest.Matchers.nullValue());
        assertThat(lastUpstreamHistory()).containsExactly("Be brief", "a new root");
    }

    @Test
    void deletingWhereATurnIsRunningIs409() throws Exception {
        String id = conversation();
        JsonPath t1 = say(id, "u1", "a1");
        stepFun.stubFor(
                post(PATH).willReturn(okJson(completion("slow", 1, 1, 0)).withFixedDelay(1500)));
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var running = pool.submit(() -> given().contentType(ContentType.JSON)
                    .body(Map.of("content", "u2"))
                    .when()
                    .post("/conversations/" + id + "/messages"));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() ->
                            stepFun.findAll(postRequestedFor(urlEqualTo(PATH))).size() == 2);
            given().when()
                    .delete("/conversations/" + id + "/messages/" + t1.getString("user_message.id"))
                    .then()
                    .statusCode(409)
                    .body("type", endsWith("/turn-in-progress"));
            running.get().then().statusCode(201);
        }
        given().when()
                .delete("/conversations/" + id + "/messages/" + t1.getString("user_message.id"))
                .then()
                .statusCode(204);
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("message_count", equalTo(0))
                .body("current_message_id", org.hamcrest.Matchers.nullValue());
    }

    /**
     * The current branch's messages are paged in SQL: every combination of order, limit and cursors
     * answers what the list paging of every other list answers (Paging.slice over the whole branch),
     * and a cursor on another branch is a 400 invalid-cursor.
     */
    @Test
    void theCurrentBranchPagesLikeEveryListWithoutReadingItWhole() {
        String id = conversation();
        JsonPath first = say(id, "one", "answer one");
        say(id, "two", "answer two");
        say(id, "three", "answer three");
        JsonPath fourth = say(id, "four", "answer four");
        // another branch: a second answer to "one"; then back on the long branch
        String offBranch = regenerate(id, first.getString("message.parent_id"), "another answer one")
                .getString("message.id");
        given().contentType("application/merge-patch+json")
                .body("{\"current_message_id\":\"" + fourth.getString("message.id") + "\"}")
                .patch("/conversations/" + id)
                .then()
                .statusCode(200);
        List<UUID> branch = list(id, "").getList("data.id", String.class).stream()
                .map(UUID::fromString)
                .toList();
        assertThat(branch).hasSize(8).doesNotContain(UUID.fromString(offBranch));

        List<UUID> cursors = new ArrayList<>();
        cursors.add(null);
        cursors.addAll(branch);
        for (String order : List.of("asc", "desc")) {
            for (int limit : List.of(1, 2, 5)) {
                for (UUID after : cursors) {
                    for (UUID before : cursors) {
                        PageRequest page = PageRequest.parse(
                                String.valueOf(limit),
                                after == null ? null : after.toString(),
                                before == null ? null : before.toString(),
                                order,
                                false);
                        Paging.Slice<UUID> expected = Paging.slice(branch, uuid -> uuid, page);
                        String query = "?limit=" + limit + "&order=" + order
                                + (after == null ? "" : "&after=" + after)
                                + (before == null ? "" : "&before=" + before);
                        JsonPath got = given().get("/conversations/" + id + "/messages" + query)
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath();
                        assertThat(got.getList("data.id", String.class))
                                .as(query)
                                .containsExactlyElementsOf(expected.rows().stream()
                                        .map(UUID::toString)
                                        .toList());
                        assertThat(got.getBoolean("has_more")).as(query).isEqualTo(expected.hasMore());
                    }
                }
            }
        }
        given().get("/conversations/" + id + "/messages?after=" + offBranch)
                .then()
                .statusCode(400)
                .body("type", endsWith("/invalid-cursor"));
    }
}
