package dev.stepchat.turn.api;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.api.Tool;
import dev.stepchat.conversation.api.ToolChoice;

/** POST /conversations/{id}/messages/{message_id}/regenerate: every field optional. */
@RegisterForReflection
@Schema(name = "Regenerate")
public record Regenerate(
        @Schema(description = "Model of this answer; defaults to the conversation's", nullable = true)
        String model,

        @DecimalMin("0") @DecimalMax("2") @Schema(minimum = "0", maximum = "2", nullable = true)
        Double temperature,

        @DecimalMin("0") @DecimalMax("1") @Schema(minimum = "0", maximum = "1", nullable = true)
        Double topP,

        @Min(1) @Schema(minimum = "1", nullable = true) Integer maxTokens,

        @Schema(description = "Answer as server-sent events, like Accept: text/event-stream", nullable = true)
        Boolean stream,

        @Schema(
                description = "Tools offered to the model for this answer, replacing the conversation's (at most 128)",
                type = SchemaType.ARRAY,
                implementation = Tool.class,
                maxItems = 128,
                nullable = true)
        JsonNode tools,

        @Schema(
                description = "auto, none, required, or {\"type\":\"function\",\"function\":{\"name\"}}"
                        + " (one of the turn's function tools); the OpenAPI filter writes its oneOf",
                implementation = ToolChoice.class,
                nullable = true)
        JsonNode toolChoice) {

    public static final Regenerate DEFAULTS = new Regenerate(null, null, null, null, null, null, null);
}
