package dev.stepchat.conversation.api;

import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** POST /conversations: every field optional. */
@RegisterForReflection
@Schema(name = "CreateConversation")
public record CreateConversation(
        @Schema(nullable = true) String title,

        @Schema(description = "Defaults to the server's default model", nullable = true)
        String model,

        @Schema(nullable = true) String systemPrompt,

        @Schema(description = "At most 16 pairs; keys at most 64, values at most 512 characters", nullable = true)
        Map<String, String> metadata,

        @Schema(
                description = "Most prompt tokens a turn may send; null: the model's context window less the room"
                        + " kept for the reply",
                minimum = "1",
                nullable = true)
        @jakarta.validation.constraints.Positive
        Integer contextLimit,

        @Schema(
                description = "Most tokens the conversation may use in total; a turn after that is a 422"
                        + " conversation-limit-reached; null: no cap",
                minimum = "1",
                nullable = true)
        @jakarta.validation.constraints.Positive
        Long maxTotalTokens,

        @Schema(
                description = "Tools its turns offer the model (at most 128): function tools and StepFun's built-in"
                        + " ones, kept as given; a turn's own tools replace them",
                type = SchemaType.ARRAY,
                implementation = Tool.class,
                maxItems = 128,
                nullable = true)
        JsonNode tools) {}
