package dev.stepchat.problem;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Writes the error half of the OpenAPI document in one place, so a resource declares only which
 * statuses an operation answers and why: every 4xx and 5xx response gets the
 * {@code application/problem+json} content (the {@code Problem} schema with an example of its
 * kind), 429 and 503 get their {@code Retry-After} header, every operation behind
 * authentication gets its 401, and every operation its 503 for overload and database faults. It also makes nullable references valid JSON Schema 2020-12
 * ({@code anyOf [ref, null]} with no competing {@code type}).
 */
public class ProblemDocumentation implements OASFilter {

    /** Paths that need a bearer token when authentication is on. */
    private static final List<String> AUTHENTICATED =
            List.of("/conversations", "/usage", "/admin", "/v1/", "/shares/", "/me/", "/files");

    /** Paths of the OpenAI-compatible protocol: their errors are OpenAI's error body, not problems. */
    private static final String OPENAI = "/v1/";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            openAPI.getPaths().getPathItems().forEach(this::document);
        }
        if (openAPI.getComponents() != null && openAPI.getComponents().getSchemas() != null) {
            openAPI.getComponents().getSchemas().values().forEach(ProblemDocumentation::allowNullReferences);
            tokensOrCost(openAPI.getComponents().getSchemas());
            toolChoice(openAPI.getComponents().getSchemas());
            openAiContent(openAPI.getComponents().getSchemas());
            messageContent(openAPI.getComponents().getSchemas());
            // only the limit's Java type (replaced above) referred to it
            openAPI.getComponents().removeSchema("JsonNode");
            openAPI.getComponents().removeSchema("JsonNodeType");
        }
    }

    private void document(String path, PathItem item) {
        boolean authenticated = AUTHENTICATED.stream().anyMatch(path::startsWith);
        for (Operation operation : item.getOperations().values()) {
            if (operation.getResponses() == null) {
                continue;
            }
            if (operation.getResponses().getAPIResponse("503") == null) {
                operation
                        .getResponses()
                        .addAPIResponse(
                                "503",
                                OASFactory.createAPIResponse()
                                        .description(
                                                "The service is overloaded or cannot reach its database (overloaded,"
                                                        + " database-unavailable): try again after Retry-After"));
            }
            if (authenticated && operation.getResponses().getAPIResponse("401") == null) {
                operation
                        .getResponses()
                        .addAPIResponse(
                                "401",
                                OASFactory.createAPIResponse()
                                        .description(
                                                "Authentication is on and the bearer token is missing or invalid"));
            }
            // in status order, for a stable document
            Map<String, APIResponse> sorted = new LinkedHashMap<>();
            operation.getResponses().getAPIResponses().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            boolean openAi = path.startsWith(OPENAI);
            sorted.forEach((status, response) -> problemContent(status, response, openAi));
            operation.getResponses().setAPIResponses(sorted);
        }
    }

    private static void problemContent(String status, APIResponse response, boolean openAi) {
        int code;
        try {
            code = Integer.parseInt(status);
        } catch (NumberFormatException notAStatus) {
            return;
        }
        if (code < 400) {
            return;
        }
        boolean noContent = response.getContent() == null
                || response.getContent().getMediaTypes() == null
                || response.getContent().getMediaTypes().isEmpty();
        if (noContent && openAi) {
            response.content(OASFactory.createContent()
                    .addMediaType(
                            "application/json",
                            OASFactory.createMediaType()
                                    .schema(OASFactory.createSchema().ref("OpenAiErrorBody"))));
        } else if (noContent) {
            response.content(OASFactory.createContent()
                    .addMediaType(
                            ProblemResponses.MEDIA_TYPE,
                            OASFactory.createMediaType()
                                    .schema(OASFactory.createSchema().ref("Problem"))
                                    .example(example(code))));
        }
        if ((code == 429 || code == 503)
                && (response.getHeaders() == null || !response.getHeaders().containsKey("Retry-After"))) {
            response.addHeader(
                    "Retry-After",
                    OASFactory.createHeader()
                            .description("Seconds to wait before trying again")
                            .schema(OASFactory.createSchema()
                                    .addType(Schema.SchemaType.INTEGER)
                                    .minimum(java.math.BigDecimal.ZERO)));
        }
    }

    /** A problem of the first kind with this status, as the API would send it. */
    private static Map<String, Object> example(int status) {
        ProblemType type = Arrays.stream(ProblemType.values())
                .filter(t -> t.status() == status)
                .findFirst()
                .orElse(ProblemType.INTERNAL_ERROR);
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("type", type.uri().toString());
        example.put("title", type.title());
        example.put("status", status);
        example.put("detail", type.title());
        example.put("instance", "/conversations/0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b");
        return example;
    }

    /**
     * A limit and its use are tokens (an integer) or a cost (a decimal string): a union the
     * annotations cannot express for a Java field, so written here.
     */
    private static void tokensOrCost(Map<String, Schema> schemas) {
        Schema limit = schemas.get("Limit");
        if (limit != null && limit.getProperties() != null) {
            limit.addProperty("limit", amount("Tokens (an integer) or cost (a decimal string); null: no limit", true));
        }
        Schema use = schemas.get("LimitUse");
        if (use != null && use.getProperties() != null) {
            use.addProperty("limit", amount("The limit: tokens (an integer) or cost (a decimal string)", false));
            use.addProperty("used", amount("Used in the current window", false));
            use.addProperty("remaining", amount("What is left, never below zero", false));
        }
    }

    /** A turn's tool_choice: a mode (a string) or a named function (an object), or null. */
    private static void toolChoice(Map<String, Schema> schemas) {
        for (String name : List.of("SendMessage", "Regenerate", "OpenAiChatCompletionRequest")) {
            Schema schema = schemas.get(name);
            if (schema == null
                    || schema.getProperties() == null
                    || !schema.getProperties().containsKey("tool_choice")) {
                continue;
            }
            schema.addProperty(
                    "tool_choice",
                    OASFactory.createSchema()
                            .description("auto, none, required, or {\"type\":\"function\",\"function\":{\"name\"}}"
                                    + " (one of the turn's function tools)")
                            .oneOf(List.of(
                                    OASFactory.createSchema()
                                            .addType(Schema.SchemaType.STRING)
                                            .enumeration(List.of("auto", "none", "required")),
                                    OASFactory.createSchema().ref("NamedToolChoice"),
                                    OASFactory.createSchema().addType(Schema.SchemaType.NULL))));
        }
    }

    /** An OpenAI message's content: a string or a list of text parts. */
    private static void openAiContent(Map<String, Schema> schemas) {
        Schema message = schemas.get("OpenAiMessage");
        if (message == null
                || message.getProperties() == null
                || !message.getProperties().containsKey("content")) {
            return;
        }
        message.addProperty(
                "content",
                OASFactory.createSchema()
                        .description(message.getProperties().get("content").getDescription())
                        .oneOf(List.of(
                                OASFactory.createSchema().addType(Schema.SchemaType.STRING),
                                OASFactory.createSchema()
                                        .addType(Schema.SchemaType.ARRAY)
                                        .items(OASFactory.createSchema().ref("OpenAiTextPart")),
                                OASFactory.createSchema().addType(Schema.SchemaType.NULL))));
    }

    /** A turn's content: a text, or a list of parts (text and image_file), at most 16 images. */
    private static void messageContent(Map<String, Schema> schemas) {
        Schema send = schemas.get("SendMessage");
        if (send == null
                || send.getProperties() == null
                || !send.getProperties().containsKey("content")) {
            return;
        }
        send.addProperty(
                "content",
                OASFactory.createSchema()
                        .description(send.getProperties().get("content").getDescription())
                        .oneOf(List.of(
                                OASFactory.createSchema().addType(Schema.SchemaType.STRING),
                                OASFactory.createSchema()
                                        .addType(Schema.SchemaType.ARRAY)
                                        .minItems(1)
                                        .items(OASFactory.createSchema().ref("ContentPart")),
                                OASFactory.createSchema().addType(Schema.SchemaType.NULL))));
    }

    private static Schema amount(String description, boolean nullable) {
        List<Schema> kinds = new java.util.ArrayList<>(List.of(
                OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).minimum(java.math.BigDecimal.ZERO),
                OASFactory.createSchema().addType(Schema.SchemaType.STRING).pattern("^[0-9]+(\\.[0-9]{1,8})?$")));
        if (nullable) {
            kinds.add(OASFactory.createSchema().addType(Schema.SchemaType.NULL));
        }
        return OASFactory.createSchema().description(description).oneOf(kinds);
    }

    /**
     * A property declared nullable with a schema reference comes out as
     * {@code type: object, anyOf: [{$ref}, {type: null}]}: under JSON Schema 2020-12 the
     * {@code type} forbids the null the anyOf allows. The anyOf alone says what is meant.
     */
    private static void allowNullReferences(Schema schema) {
        if (schema.getProperties() == null) {
            return;
        }
        for (Schema property : schema.getProperties().values()) {
            List<Schema> anyOf = property.getAnyOf();
            boolean nullable = anyOf != null
                    && anyOf.stream()
                            .anyMatch(s -> s.getType() != null && s.getType().contains(Schema.SchemaType.NULL));
            if (nullable && property.getType() != null && !property.getType().contains(Schema.SchemaType.NULL)) {
                property.setType(null);
            }
        }
    }
}
