package dev.stepchat.conversation;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** Search over titles and message text in any language, and pinned and archived conversations. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SearchAndKeepTest extends StepFunStubbedTest {

    private String conversation(String title, String question, String answer) {
        String id = given().contentType(ContentType.JSON)
                .body(title == null ? "{}" : Map.of("title", title))
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        if (question != null) {
            stepFun.stubFor(post(PATH).willReturn(okJson(completion(answer, 10, 5, 0))));
            given().contentType(ContentType.JSON)
                    .body(Map.of("content", question))
                    .when()
                    .post("/conversations/" + id + "/messages")
                    .then()
                    .statusCode(201);
        }
        return id;
    }

    private static JsonPath search(String query) {
        return given().queryParam("q", query)
                .queryParam("limit", 100)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void searchFindsWordsInAnyCaseChineseSubstringsAndTitles() {
        String tag = "zq" + Long.toString(System.nanoTime(), 36);
        String english = conversation(
                null, "Tell me about the " + tag + " brown fox", "The QUICK " + tag.toUpperCase() + " fox jumps");
        String chinese = conversation(null, "请解释" + tag + "的原理", "我们今天讨论量子计算的基本原理，以及它为什么重要。");
        String titled = conversation("Notes on " + tag + " Quantum Computing", null, null);

        JsonPath byWord = search(tag.toUpperCase() + " quick");
        assertThat(byWord.getList("data.id", String.class)).containsExactly(english);
        assertThat(byWord.getString("data[0].match.snippet")).contains("QUICK").contains(tag.toUpperCase());
        String answerId = given().when()
                .get("/conversations/" + english + "/messages")
                .then()
                .extract()
                .path("data[1].id");
        assertThat(byWord.getString("data[0].match.message_id")).isEqualTo(answerId);

        JsonPath chineseHit = search("量子计算 " + tag);
        assertThat(chineseHit.getList("data.id", String.class)).isEmpty();
        JsonPath substring = search("量子计算");
        assertThat(substring.getList("data.id", String.class)).contains(chinese);
        assertThat(substring.getString("data.find { it.id == '" + chinese + "' }.match.snippet"))
                .contains("量子计算");

        JsonPath title = search(tag + " quantum");
        assertThat(title.getList("data.id", String.class)).containsExactly(titled);
        assertThat(title.getMap("data[0]")).containsEntry("match", null);
        // the user message and the answer are both searched; a plain list has no match at all
        assertThat(search(tag).getList("data.id", String.class)).containsExactlyInAnyOrder(english, chinese, titled);
        assertThat(given().when()
                        .get("/conversations")
                        .then()
                        .extract()
                        .jsonPath()
                        .getMap("data[0]"))
                .doesNotContainKey("match");
        OpenApiDocument.assertDocumented(
                "GET", "/conversations", given().queryParam("q", tag).when().get("/conversations"));
        // LIKE's own characters are text
        assertThat(search(tag + "%").getList("data")).isEmpty();
        assertThat(search("_" + tag).getList("data")).isEmpty();
    }

    /** A word of two Chinese characters no other test writes. */
    private static String rareShortWord() {
        long n = System.nanoTime();
        return new String(Character.toChars(0x4E00 + (int) (n % 20000)))
                + new String(Character.toChars(0x4E00 + (int) ((n / 20000) % 20000)));
    }

    /** Words under three characters have no trigrams: each conversation is asked, newest first. */
    @Test
    void wordsTooShortForTrigramsAreFoundAndPagedAndNeverAnotherOwners() {
        String word = rareShortWord();
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("""
                        insert into conversation (id, owner, model, title, metadata, created_at, updated_at)
                        values (:id, 'someone-else', 'step-3.5-flash', 'theirs', '{}'::jsonb, now(), now());
                        insert into message (id, conversation_id, role, content, status, created_at)
                        values (gen_random_uuid(), :id, 'USER', :content, 'COMPLETED', now())""")
                        .setParameter("id", UUID.randomUUID())
                        .setParameter("content", "他们的" + word)
                        .executeUpdate());
        String first = conversation("First", "关于" + word + "的问题", "回答");
        String second = conversation("Second", "hello", "the answer is " + word + " ok");
        String titled = conversation("Title " + word, null, null);
        conversation("Unrelated", "nothing here", "nor here");

        assertThat(search(word).getList("data.id", String.class)).containsExactly(titled, second, first);
        assertThat(search(word).getString("data[1].match.snippet")).contains(word);
        assertThat(page(word, Map.of("limit", 2))).containsExactly(titled, second);
        assertThat(page(word, Map.of("after", second))).containsExactly(first);
        assertThat(page(word, Map.of("order", "asc", "limit", 1))).containsExactly(first);
        // two short words: both must be in the same message
        assertThat(search(word + " ok").getList("data.id", String.class)).containsExactly(second);
    }

    /** A long conversation is asked for a two-character word through the index of pairs. */
    @Test
    void aTwoCharacterWordEarlyInALongConversationPointsAtItsMessage() {
        String word = rareShortWord();
        String id = conversation("Long", "第一个问题", "回答");
        UUID early = UUID.randomUUID();
        int more = MessageRepository.PAIRS_INDEX_FROM + 200;
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("""
                        insert into message (id, conversation_id, role, content, status, created_at)
                        values (:early, :id, 'USER', :content, 'COMPLETED', now());
                        insert into message (id, conversation_id, role, content, status, created_at)
                        select gen_random_uuid(), :id, 'USER', '后来的消息 ' || n, 'COMPLETED', now()
                        from generate_series(1, :more) n;
                        update conversation set message_count = message_count + 1 + :more where id = :id""")
                        .setParameter("early", early)
                        .setParameter("id", UUID.fromString(id))
                        .setParameter("content", "很久以前说过" + word + "这件事")
                        .setParameter("more", more)
                        .executeUpdate());

        JsonPath found = search(word);
        assertThat(found.getList("data.id", String.class)).containsExactly(id);
        assertThat(found.getString("data[0].match.message_id")).isEqualTo(early.toString());
        assertThat(found.getString("data[0].match.snippet")).contains(word);
    }

    @Test
    void anotherOwnersConversationsNeverShow() {
        String tag = "zo" + Long.toString(System.nanoTime(), 36);
        UUID theirs = UUID.randomUUID();
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("""
                        insert into conversation (id, owner, model, title, metadata, created_at, updated_at)
                        values (:id, 'someone-else', 'step-3.5-flash', :title, '{}'::jsonb, now(), now());
                        insert into message (id, conversation_id, role, content, status, created_at)
                        values (gen_random_uuid(), :id, 'USER', :title, 'COMPLETED', now())""")
                        .setParameter("id", theirs)
                        .setParameter("title", "secret " + tag)
                        .executeUpdate());
        String mine = conversation("mine " + tag, null, null);
        assertThat(search(tag).getList("data.id", String.class)).containsExactly(mine);
    }

    @Test
    void pinnedAndArchivedFilterTheList() {
        String tag = "zp" + Long.toString(System.nanoTime(), 36);
        String kept = conversation("pinned " + tag, null, null);
        String old = conversation("archived " + tag, null, null);
        given().contentType(ContentType.JSON)
                .body("{\"pinned\":true}")
                .when()
                .patch("/conversations/" + kept)
                .then()
                .statusCode(200)
                .body("pinned", equalTo(true))
                .body("archived", equalTo(false));
        given().contentType(ContentType.JSON)
                .body("{\"archived\":true}")
                .when()
                .patch("/conversations/" + old)
                .then()
                .statusCode(200)
                .body("archived", equalTo(true));
        assertThat(search(tag).getList("data.id", String.class)).containsExactly(kept);
        assertThat(given().queryParam("q", tag)
                        .queryParam("archived", "true")
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .containsExactly(old);
        assertThat(given().queryParam("q", tag)
                        .queryParam("archived", "any")
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .containsExactlyInAnyOrder(kept, old);
        assertThat(given().queryParam("pinned", "true")
                        .queryParam("limit", 100)
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .contains(kept)
                .doesNotContain(old);
        assertThat(given().when()
                        .get("/conversations?limit=100")
                        .then()
                        .extract()
                        .<List<String>>path("data.id"))
                .doesNotContain(old);
        given().when().get("/conversations/" + old).then().statusCode(200).body("archived", equalTo(true));
        given().queryParam("archived", "maybe")
                .when()
                .get("/conversations")
                .then()
                .statusCode(400);
        given().queryParam("pinned", "yes").when().get("/conversations").then().statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{\"pinned\":\"yes\"}")
                .when()
                .patch("/conversations/" + kept)
                .then()
                .statusCode(400);
    }

    @Test
    void anExportHasEveryBranchAsJsonAndTheCurrentBranchAsMarkdown() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("first answer", 10, 5, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{\"title\":\"Export me\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String user = given().contentType(ContentType.JSON)
                .body("{\"content\":\"question one\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("user_message.id");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("second answer", 10, 7, 0))));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations/" + id + "/messages/" + user + "/regenerate")
                .then()
                .statusCode(201);

        io.restassured.response.Response exported = OpenApiDocument.assertDocumented(
                "GET", "/conversations/{id}/export", given().when().get("/conversations/" + id + "/export"));
        exported.then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .header("Content-Disposition", equalTo("attachment; filename=\"conversation-" + id + ".json\""))
                .body("object", equalTo("conversation_export"))
                .body("version", equalTo(1))
                .body("conversation.id", equalTo(id))
                .body("conversation.title", equalTo("Export me"))
                .body("messages.content", equalTo(List.of("question one", "first answer", "second answer")))
                .body("messages[2].parent_id", equalTo(user))
                .body("messages[1].parent_id", equalTo(user))
                .body("messages[2].usage.cost", equalTo("0.00000310"));

        String markdown = given().queryParam("format", "markdown")
                .when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/markdown"))
                .header("Content-Disposition", org.hamcrest.Matchers.endsWith(".md\""))
                .extract()
                .asString();
        assertThat(markdown)
                .startsWith("# Export me")
                .contains("**User**\n\nquestion one", "second answer")
                .doesNotContain("first answer");
        OpenApiDocument.assertDocumented(
                "GET",
                "/conversations/{id}/export",
                given().queryParam("format", "markdown").when().get("/conversations/" + id + "/export"));
        OpenApiDocument.assertDocumented(
                        "GET",
                        "/conversations/{id}/export",
                        given().when().get("/conversations/" + UUID.randomUUID() + "/export"))
                .then()
                .statusCode(404);
        OpenApiDocument.assertDocumented(
                        "GET",
                        "/conversations/{id}/export",
                        given().queryParam("format", "pdf").when().get("/conversations/" + id + "/export"))
                .then()
                .statusCode(400);
    }

    @Test
    void aLongConversationIsExportedWhole() {
        String id = conversation("long", null, null);
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("""
                        insert into message (id, conversation_id, parent_id, role, content, status, created_at)
                        select gen_random_uuid(), :id, null, case when i % 2 = 0 then 'USER' else 'ASSISTANT' end,
                               'line ' || i, 'COMPLETED', now() from generate_series(1, 1200) i""")
                        .setParameter("id", UUID.fromString(id))
                        .executeUpdate());
        JsonPath all = given().when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(all.getList("messages")).hasSize(1200);
        assertThat(all.getList("messages.id", String.class)).doesNotHaveDuplicates();
    }

    @Test
    void titleHitsRankFirstThenTheNewestAndPagesFollowThatOrder() {
        String tag = "zr" + Long.toString(System.nanoTime(), 36);
        String titled = conversation("About " + tag, null, null);
        // titled ones: an untitled conversation takes its first message as its title
        String older = conversation("Old chat", "what is " + tag + "?", "an answer");
        String newer = conversation("New chat", "more " + tag + " please", "another answer");
        assertThat(search(tag).getList("data.id", String.class)).containsExactly(titled, newer, older);
        assertThat(search(tag).getString("data[0].match")).isNull();

        JsonPath first = given().queryParam("q", tag)
                .queryParam("limit", 1)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(first.getList("data.id", String.class)).containsExactly(titled);
        assertThat(first.getBoolean("has_more")).isTrue();
        JsonPath second = given().queryParam("q", tag)
                .queryParam("limit", 1)
                .queryParam("after", titled)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(second.getList("data.id", String.class)).containsExactly(newer);
        JsonPath third = given().queryParam("q", tag)
                .queryParam("limit", 1)
                .queryParam("after", newer)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(third.getList("data.id", String.class)).containsExactly(older);
        assertThat(third.getBoolean("has_more")).isFalse();
        assertThat(given().queryParam("q", tag)
                        .queryParam("limit", 1)
                        .queryParam("before", older)
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .containsExactly(newer);
        assertThat(given().queryParam("q", tag)
                        .queryParam("order", "asc")
                        .when()
                        .get("/conversations")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("data.id"))
                .containsExactly(older, newer, titled);

        // cursors across the title hits and the message hits, both ways and in both orders
        assertThat(page(tag, Map.of("before", older))).containsExactly(titled, newer);
        assertThat(page(tag, Map.of("before", newer, "limit", 1))).containsExactly(titled);
        assertThat(page(tag, Map.of("after", titled, "before", older))).containsExactly(newer);
        assertThat(page(tag, Map.of("after", older, "before", titled))).isEmpty();
        assertThat(page(tag, Map.of("order", "asc", "after", newer))).containsExactly(titled);
        assertThat(page(tag, Map.of("order", "asc", "before", titled, "limit", 1)))
                .containsExactly(newer);
        assertThat(page(tag, Map.of("order", "asc", "after", older, "before", titled)))
                .containsExactly(newer);
        // a conversation of the list without the words is not a cursor of the search
        String unrelated = conversation("Unrelated", null, null);
        given().queryParam("q", tag)
                .queryParam("after", unrelated)
                .when()
                .get("/conversations")
                .then()
                .statusCode(400)
                .body("type", endsWith("/invalid-cursor"));
    }

    private static List<String> page(String query, Map<String, Object> params) {
        return given().queryParam("q", query)
                .queryParams(params)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .extract()
                .path("data.id");
    }
}
