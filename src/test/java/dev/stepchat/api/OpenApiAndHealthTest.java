package dev.stepchat.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OpenApiAndHealthTest {

    /** The contract's endpoints and the statuses each documents. */
    static final Map<String, List<String>> OPERATIONS = Map.ofEntries(
            Map.entry("get /models", List.of("200", "406", "503")),
            Map.entry(
                    "post /conversations/{id}/messages/{message_id}/regenerate",
                    List.of("200", "201", "400", "401", "404", "409", "422", "429", "502", "503", "504")),
            Map.entry("post /conversations/{id}/fork", List.of("201", "400", "401", "404", "503")),
            Map.entry("delete /conversations/{id}/messages/{message_id}", List.of("204", "401", "404", "409", "503")),
            Map.entry("post /conversations", List.of("201", "400", "401", "409", "413", "415", "422")),
            Map.entry("get /conversations", List.of("200", "400")),
            Map.entry("get /conversations/{id}", List.of("200", "404")),
            Map.entry("patch /conversations/{id}", List.of("200", "400", "404", "412", "415")),
            Map.entry("delete /conversations/{id}", List.of("204", "404")),
            Map.entry("get /conversations/{id}/messages", List.of("200", "400", "404")),
            Map.entry(
                    "post /conversations/{id}/messages",
                    List.of("200", "201", "400", "401", "404", "409", "413", "415", "422", "429", "502", "503", "504")),
            Map.entry("get /conversations/{id}/usage", List.of("200", "404")),
            Map.entry("get /conversations/{id}/export", List.of("200", "400", "401", "404", "503")),
            Map.entry("post /conversations/import", List.of("201", "400", "401", "413", "415", "503")),
            Map.entry(
                    "get /conversations/{id}/messages/{message_id}/events",
                    List.of("200", "400", "401", "404", "406", "503")),
            Map.entry(
                    "post /conversations/{id}/messages/{message_id}/stop", List.of("200", "400", "401", "404", "503")),
            Map.entry("get /usage", List.of("200", "400", "401", "503")),
            Map.entry("get /admin/owners/{owner}/limits", List.of("200", "401", "403", "503")),
            Map.entry("put /admin/owners/{owner}/limits", List.of("200", "400", "401", "403", "415", "503")),
            Map.entry("post /v1/chat/completions", List.of("200", "400", "401", "404", "429", "502", "503", "504")),
            Map.entry("get /v1/models", List.of("200", "401", "503")),
            Map.entry("post /conversations/{id}/shares", List.of("201", "400", "401", "404", "415", "503")),
            Map.entry("get /conversations/{id}/shares", List.of("200", "401", "404", "503")),
            Map.entry("delete /shares/{share_id}", List.of("204", "401", "404", "503")),
            Map.entry("post /files", List.of("201", "400", "401", "413", "415", "503")),
            Map.entry("get /files/{id}", List.of("200", "401", "404", "503")),
            Map.entry("get /files/{id}/content", List.of("200", "401", "404", "503")),
            Map.entry("delete /files/{id}", List.of("204", "401", "404", "503")),
            Map.entry("delete /admin/owners/{owner}", List.of("202", "401", "403", "503")),
            Map.entry("get /admin/jobs/{job_id}", List.of("200", "401", "403", "404", "503")),
            Map.entry("get /admin/audit", List.of("200", "400", "401", "403", "503")),
            Map.entry("get /me/export", List.of("200", "401", "503")),
            Map.entry("get /shared/{share_id}", List.of("200", "404", "503")),
            Map.entry(
                    "post /conversations/{id}/chat",
                    List.of("200", "400", "401", "404", "409", "429", "502", "503", "504")),
            Map.entry("get /conversations/{id}/chat/stream", List.of("200", "204", "401", "404", "429", "503")),
            Map.entry(
                    "get /conversations/{id}/chat/{chat_id}/stream",
                    List.of("200", "204", "400", "401", "404", "429", "503")));

    @Test
    void openApiDescribesEveryEndpointOfTheContract() {
        JsonPath doc = given().queryParam("format", "json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        int operations = 0;
        for (var path : paths.entrySet()) {
            for (String method : path.getValue().keySet()) {
                if (List.of("get", "post", "patch", "delete", "put").contains(method)) {
                    operations++;
                    String key = method + " " + path.getKey();
                    assertThat(OPERATIONS)
                            .as("documented operation %s is in the contract", key)
                            .containsKey(key);
                    Map<String, Object> responses =
                            doc.getMap("paths.'" + path.getKey() + "'." + method + ".responses");
                    assertThat(responses.keySet()).as(key).containsAll(OPERATIONS.get(key));
                    assertThat(doc.getString("paths.'" + path.getKey() + "'." + method + ".summary"))
                            .as(key)
                            .isNotBlank();
                }
            }
        }
        assertThat(operations).isEqualTo(OPERATIONS.size());
        assertThat(doc.getList("components.schemas.Conversation.required", String.class))
                .contains("system_prompt", "created_at", "message_count");
        assertThat(doc.getMap("components.schemas.Turn.properties").keySet())
                .containsExactlyInAnyOrder(
                        "object", "user_message", "message", "usage", "conversation_usage", "context", "tool_messages");
        assertThat(doc.getMap("components.schemas.Problem.properties").keySet())
                .contains("type", "title", "status", "detail", "instance", "errors");
        assertThat(
                        doc.getString(
                                "paths.'/conversations/{id}/messages'.post.responses.'429'.content.'application/problem+json'.schema.$ref"))
                .endsWith("/Problem");
        // Swagger UI's Authorize button
        assertThat(doc.getString("components.securitySchemes.bearer.scheme")).isEqualTo("bearer");
        assertThat(doc.getList("security.bearer")).isNotNull();
        assertThat(doc.getMap("paths.'/conversations'.get.responses").keySet()).contains("401");
    }

    @Test
    void everyOperationIsNamedDescribedAndTagged() {
        JsonPath doc = given().queryParam("format", "json")
                .when()
                .get("/q/openapi")
                .then()
                .extract()
                .jsonPath();
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        java.util.Set<String> operationIds = new java.util.HashSet<>();
        paths.forEach((path, item) -> item.forEach((method, operation) -> {
            String key = method + " " + path;
            assertThat((String) operation.get("operationId")).as(key).isNotBlank();
            assertThat(operationIds.add((String) operation.get("operationId")))
                    .as(key + " operationId unique")
                    .isTrue();
            assertThat((String) operation.get("description")).as(key).isNotBlank();
            assertThat((List<?>) operation.get("tags")).as(key).isNotEmpty();
        }));
        assertThat(doc.getList("tags.description", String.class))
                .doesNotContainNull()
                .allMatch(d -> !d.isBlank());
        assertThat(doc.getList("servers.url", String.class)).isNotEmpty();
        assertThat(doc.getString("info.contact.name")).isNotBlank();
        assertThat(doc.getString("info.license.name")).isNotBlank();
        // one security scheme, the one the document uses
        assertThat(doc.getMap("components.securitySchemes").keySet()).containsExactly("bearer");
        // a body may be left out when creating
        assertThat(doc.getBoolean("paths.'/conversations'.post.requestBody.required"))
                .isNotEqualTo(Boolean.TRUE);
        // every problem response has an example of its kind
        assertThat(
                        doc.getString(
                                "paths.'/conversations/{id}'.get.responses.'404'.content.'application/problem+json'.example.type"))
                .endsWith("/not-found");
    }

    @Test
    void theCheckedInDocumentIsTheServedOne() throws java.io.IOException {
        String served = given().when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        java.nio.file.Path checkedIn = java.nio.file.Path.of("docs", "openapi.yaml");
        java.nio.file.Path live = java.nio.file.Path.of("target", "openapi-served.yaml");
        java.nio.file.Files.writeString(live, served);
        assertThat(
                        java.nio.file.Files.exists(checkedIn)
                                ? java.nio.file.Files.readString(checkedIn).strip()
                                : "")
                .as("docs/openapi.yaml is out of date: review the API change, then cp " + live + " " + checkedIn)
                .isEqualTo(served.strip());
    }

    @Test
    void swaggerUiIsServed() {
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void livenessIsTheProcessAndReadinessTheDatabase() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("Database connections health check"));
    }
}
