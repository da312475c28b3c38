package dev.stepchat.conversation.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.MessagePart;
import dev.stepchat.conversation.ToolCall;
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
                description = "tool: a function's result, sent in answer to one tool call of the assistant message"
                        + " before it",
                enumeration = {"user", "assistant", "tool"},
                required = true)
        String role,

        @Schema(
                description = "The text; for a message sent as parts, its text parts joined (by a blank line)",
                required = true)
        String content,

        @Schema(
                description = "A message sent as parts (text and image_file), in the order sent; null for text alone",
                nullable = true,
                required = true)
        List<MessagePart> parts,

        @Schema(
                enumeration = {"completed", "failed", "incomplete", "in_progress"},
                required = true)
        String status,

        @Schema(
                description = "Model that answered, as the upstream reported it (assistant only)",
                nullable = true,
                required = true)
        String model,

        @Schema(
                description = "stop, length, tool_calls (the answer calls functions: answer each with a tool result),"
                        + " stopped...",
                examples = "stop",
                nullable = true,
                required = true)
        String finishReason,

        @Schema(
                description = "The functions an assistant message called (finish_reason tool_calls); null for none",
                nullable = true,
                required = true)
        List<ToolCall> toolCalls,

        @Schema(description = "A tool message: the id of the call it answers", nullable = true, required = true)
        String toolCallId,

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
                parts,
                newStatus,
                model,
                finishReason,
                toolCalls,
                toolCallId,
                usage,
                error,
                createdAt);
    }

    /** The message as a stream's start event shows its answer: in progress, nothing answered yet. */
    public MessageView starting() {
        return new MessageView(
                id,
                object,
                conversationId,
                parentId,
                role,
                "",
                null,
                "in_progress",
                model,
                null,
                null,
                null,
                null,
                null,
                createdAt);
    }
}
