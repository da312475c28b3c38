package dev.stepchat.conversation.api;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.problem.Problem;
import dev.stepchat.usage.TokenUsage;

@RegisterForReflection
@Schema(name = "Message")
public record MessageView(
        @Schema(required = true) UUID id,
        @Schema(enumeration = "message", required = true) String object,
        @Schema(required = true) UUID conversationId,

        @Schema(
                description = "The message this one follows; null for a first message. Messages sharing a parent are"
                        + " siblings (branches), ordered by id",
                nullable = true,
                required = true)
        UUID parentId,

        @Schema(
                enumeration = {"user", "assistant"},
                required = true)
        String role,

        @Schema(required = true) String content,

        @Schema(
                enumeration = {"completed", "failed", "incomplete", "in_progress"},
                required = true)
        String status,

        @Schema(
                description = "Model that answered, as the upstream reported it (assistant only)",
                nullable = true,
                required = true)
        String model,

        @Schema(examples = "stop", nullable = true, required = true)
        String finishReason,

        @Schema(description = "Set on assistant messages", nullable = true, required = true)
        TokenUsage usage,

        @Schema(
                description = "Why the turn failed (user messages with status failed)",
                nullable = true,
                required = true)
        Problem error,

        @Schema(required = true) Instant createdAt) {

    public MessageView withStatus(String newStatus) {
        return new MessageView(
                id,
                object,
                conversationId,
                parentId,
                role,
                content,
                newStatus,
                model,
                finishReason,
                usage,
                error,
                createdAt);
    }
}
