package dev.stepchat.conversation;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** Import of this service's export and of ChatGPT's conversations.json: all or nothing. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ImportTest extends StepFunStubbedTest {

    private static io.restassured.response.Response importing(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/conversations/import");
    }

    private long conversations() {
        return ((Number) io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                        .call(() -> entityManager
                                .createNativeQuery("select count(*) from conversation where owner = 'local'")
                                .getSingleResult()))
                .longValue();
    }

    /** Each message as role, content and the index of its parent in the list (-1 for a root). */
    private static List<String> shape(JsonPath export) {
        List<Map<String, Object>> messages = export.getList("messages");
        Map<Object, Integer> index = new HashMap<>();
        List<String> shape = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> m = messages.get(i);
            index.put(m.get("id"), i);
            shape.add(m.get("role") + ":" + m.get("content") + ":" + index.getOrDefault(m.get("parent_id"), -1));
        }
        return shape;
    }

    @Test
    void anExportImportsAsAnEqualConversation() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("first answer", 10, 5, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{\"title\":\"Round trip\",\"system_prompt\":\"Be brief\"}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String user = given().contentType(ContentType.JSON)
                .body("{\"content\":\"q1\"}")
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
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"q2\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        String exported = given().when()
                .get("/conversations/" + id + "/export")
                .then()
                .statusCode(200)
                .extract()
                .asString();

        io.restassured.response.Response imported =
                OpenApiDocument.assertDocumented("POST", "/conversations/import", importing(exported));
        imported.then()
                .statusCode(201)
                .body("object", equalTo("list"))
                .body("data[0].title", equalTo("Round trip"))
                .body("data[0].usage.total_tokens", equalTo(0))
                .body("skipped_parts", equalTo(0));
        String copy = imported.path("data[0].id");
        assertThat(copy).isNotEqualTo(id);
        JsonPath original = JsonPath.from(exported);
        JsonPath again = given().when()
                .get("/conversations/" + copy + "/export")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(shape(again)).isEqualTo(shape(original));
        assertThat(again.getString("conversation.system_prompt")).isEqualTo("Be brief");
        assertThat(given().when()
                        .get("/conversations/" + copy + "/messages")
                        .then()
                        .extract()
                        .<List<String>>path("data.content"))
                .containsExactly("q1", "second answer", "q2", "second answer");
    }

    static final String CHATGPT = """
            [{"title": "Kyoto", "create_time": 1764064800.25, "current_node": "a2",
              "mapping": {
                "root": {"id": "root", "message": null, "parent": null, "children": ["sys"]},
                "sys": {"id": "sys", "message": {"author": {"role": "system"}, "content": {"content_type": "text", "parts": [""]}},
                        "parent": "root", "children": ["u1"]},
                "u1": {"id": "u1", "message": {"author": {"role": "user"}, "create_time": 1764064801.0,
                       "content": {"content_type": "multimodal_text", "parts": [{"asset_pointer": "file-1"}, "Plan Kyoto"]}},
                       "parent": "sys", "children": ["a1", "a1b"]},
                "a1": {"id": "a1", "message": {"author": {"role": "assistant"}, "content": {"content_type": "text", "parts": ["First try"]}},
                       "parent": "u1", "children": []},
                "a1b": {"id": "a1b", "message": {"author": {"role": "assistant"}, "content": {"content_type": "text", "parts": ["Second try"]}},
                        "parent": "u1", "children": ["u2"]},
                "u2": {"id": "u2", "message": {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["And day two?"]}},
                       "parent": "a1b", "children": ["a2"]},
                "a2": {"id": "a2", "message": {"author": {"role": "assistant"}, "content": {"content_type": "text", "parts": ["Arashiyama"]}},
                       "parent": "u2", "children": []}}},
             {"title": "Second", "mapping": {"x": {"id": "x", "message": {"author": {"role": "user"},
                "content": {"content_type": "text", "parts": ["hello"]}}, "parent": null, "children": []}}}]""";

    @Test
    void aChatGptExportImportsWithItsBranchesAndCurrentBranch() {
        JsonPath result = importing(CHATGPT).then().statusCode(201).extract().jsonPath();
        assertThat(result.getList("data.title", String.class)).containsExactly("Kyoto", "Second");
        assertThat(result.getInt("skipped_parts")).isEqualTo(1);
        String kyoto = result.getString("data[0].id");
        assertThat(result.getString("data[0].created_at")).isEqualTo("2025-11-25T10:00:00.250Z");
        assertThat(given().when()
                        .get("/conversations/" + kyoto + "/messages")
                        .then()
                        .extract()
                        .<List<String>>path("data.content"))
                .containsExactly("Plan Kyoto", "Second try", "And day two?", "Arashiyama");
        assertThat(given().queryParam("branch", "all")
                        .when()
                        .get("/conversations/" + kyoto + "/messages")
                        .then()
                        .extract()
                        .<List<String>>path("data.content"))
                .hasSize(5)
                .contains("First try");
        given().when().get("/conversations/" + kyoto).then().body("message_count", equalTo(5));
    }

    @Test
    void badFilesAreProblemsAndStoreNothing() {
        long before = conversations();
        importing("not json").then().statusCode(400).contentType("application/problem+json");
        importing("{\"hello\": 1}").then().statusCode(400).body("errors[0].field", equalTo("body"));
        importing("[]").then().statusCode(400);
        importing(CHATGPT.replace("\"parent\": \"u2\"", "\"parent\": \"nowhere\""))
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("[0].mapping.a2.parent"));
        // u1 -> a1b -> u2 -> u1: a cycle, with the good second conversation before nothing is kept
        importing(CHATGPT.replace(
                        "\"parent\": \"sys\", \"children\": [\"a1\", \"a1b\"]",
                        "\"parent\": \"u2\", \"children\": [\"a1\", \"a1b\"]"))
                .then()
                .statusCode(400)
                .body("errors[0].message", containsString("cycle"));
        importing("{\"object\":\"conversation_export\",\"version\":1,\"conversation\":{\"title\":\"t\"},"
                        + "\"messages\":[{\"id\":\"1\",\"role\":\"robot\",\"content\":\"x\"}]}")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("messages[0].role"));
        importing("{\"object\":\"conversation_export\",\"version\":1,\"conversation\":{},"
                        + "\"messages\":[{\"id\":\"2\",\"parent_id\":\"9\",\"role\":\"user\",\"content\":\"x\"}]}")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("messages[0].parent_id"));
        assertThat(conversations()).isEqualTo(before);
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
        long before = conversations();
        // a client that asks first (Expect: 100-continue) gets the 413 without uploading the file; one
        // that sends it straight away may see the connection closed while it still writes
        String huge = "[" + "\"" + "x".repeat(3 * 1024 * 1024) + "\"]";
        HttpResponse<String> refused;
        try (HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            refused = client.send(
                    HttpRequest.newBuilder(URI.create(io.restassured.RestAssured.baseURI + ":"
                                    + io.restassured.RestAssured.port + "/conversations/import"))
                            .expectContinue(true)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(huge))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JsonPath.from(refused.body()).getString("type")).endsWith("/payload-too-large");
        assertThat(conversations()).isEqualTo(before);
    }
}
