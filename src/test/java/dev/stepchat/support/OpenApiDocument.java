package dev.stepchat.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.restassured.response.Response;

/**
 * The service's own OpenAPI document ({@code /q/openapi}), and real responses checked against it:
 * the status must be documented for the operation, and the body must match the schema documented
 * for its media type (JSON Schema 2020-12, as OpenAPI 3.1 defines it).
 */
public final class OpenApiDocument {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static JsonNode document;

    private OpenApiDocument() {}

    public static synchronized JsonNode get() {
        if (document == null) {
            try {
                document = JSON.readTree(given().accept("application/json")
                        .when()
                        .get("/q/openapi?format=json")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return document;
    }

    /** Asserts that {@code response}, answered to {@code method pathTemplate}, is what the document says. */
    public static Response assertDocumented(String method, String pathTemplate, Response response) {
        String what = method + " " + pathTemplate + " -> " + response.statusCode();
        JsonNode operation = get().path("paths").path(pathTemplate).path(method.toLowerCase(Locale.ROOT));
        assertThat(operation.isMissingNode())
                .as(what + ": operation documented")
                .isFalse();
        JsonNode documented = operation.path("responses").path(String.valueOf(response.statusCode()));
        assertThat(documented.isMissingNode()).as(what + ": status documented").isFalse();
        String body = response.asString();
        if (body == null || body.isEmpty()) {
            assertThat(documented.path("content").isMissingNode())
                    .as(what + ": documented without a body")
                    .isTrue();
            return response;
        }
        String mediaType = response.contentType().split(";")[0].strip();
        JsonNode schema = documented.path("content").path(mediaType).path("schema");
        assertThat(schema.isMissingNode())
                .as(what + ": media type " + mediaType + " documented")
                .isFalse();
        if (!mediaType.endsWith("json")) {
            return response;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.setAll((ObjectNode) schema.deepCopy());
        root.set("components", get().path("components"));
        JsonSchema validator = SCHEMAS.getSchema(root);
        try {
            Set<ValidationMessage> errors = validator.validate(JSON.readTree(body));
            assertThat(errors)
                    .as(what + ": body matches the documented schema\n" + body)
                    .isEmpty();
        } catch (IOException e) {
            throw new AssertionError(what + ": body is not JSON: " + body, e);
        }
        return response;
    }

    /** Asserts that {@code json} (an event's data, say) matches the document's component schema {@code name}. */
    public static void assertMatchesSchema(String name, String json) {
        assertThat(get().path("components").path("schemas").path(name).isMissingNode())
                .as("schema " + name)
                .isFalse();
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#/components/schemas/" + name);
        root.set("components", get().path("components"));
        try {
            Set<ValidationMessage> errors = SCHEMAS.getSchema(root).validate(JSON.readTree(json));
            assertThat(errors)
                    .as(name + " matches the documented schema\n" + json)
                    .isEmpty();
        } catch (IOException e) {
            throw new AssertionError(name + ": not JSON: " + json, e);
        }
    }
}
