package dev.stepchat.conversation.api;

import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of PATCH /conversations/{id}, for the OpenAPI document: a JSON merge patch, read as a
 * tree by the service (so that a field set to null and a field left out differ).
 */
@Schema(
        name = "ConversationPatch",
        description = "JSON merge patch: a field set to null is cleared, a field left out stays")
public record ConversationPatch(
        @Schema(nullable = true) String title,

        @Schema(description = "Null: back to the server's default model", nullable = true)
        String model,

        @Schema(nullable = true) String systemPrompt,

        @Schema(description = "Keys merge; a key set to null is removed", nullable = true)
        Map<String, String> metadata,

        @Schema(
                description = "Most prompt tokens a turn may send; null: the model's window less the reply room",
                nullable = true)
        Integer contextLimit,

        @Schema(description = "Most tokens the conversation may use in total; null: no cap", nullable = true)
        Long maxTotalTokens,

        @Schema(
                description = "Tools its turns offer the model (at most 128); null: none",
                type = SchemaType.ARRAY,
                implementation = Tool.class,
                maxItems = 128,
                nullable = true)
        JsonNode tools,

        @Schema(description = "Keep it at the top of the list")
        Boolean pinned,

        @Schema(description = "Hide it from lists unless asked for")
        Boolean archived,

        @Schema(
                description = "Switch branch: the current message becomes the most recently created last message"
                        + " under this message (a sibling switcher sends the sibling's id)")
        UUID currentMessageId) {}
