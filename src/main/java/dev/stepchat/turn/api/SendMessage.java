package dev.stepchat.turn.api;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** POST /conversations/{id}/messages: a chat turn. */
@RegisterForReflection
@Schema(name = "SendMessage")
public record SendMessage(
        @NotBlank @Schema(description = "The user's message", required = true) String content,
        @Schema(description = "Model of this turn; defaults to the conversation's", nullable = true) String model,
        @DecimalMin("0") @DecimalMax("2") @Schema(minimum = "0", maximum = "2", nullable = true) Double temperature,
        @DecimalMin("0") @DecimalMax("1") @Schema(minimum = "0", maximum = "1", nullable = true) Double topP,
        @Min(1) @Schema(minimum = "1", nullable = true) Integer maxTokens,
        @Schema(description = "Answer as server-sent events, like Accept: text/event-stream", nullable = true)
        Boolean stream) {
}
