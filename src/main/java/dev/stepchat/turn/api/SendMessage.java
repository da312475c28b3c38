package dev.stepchat.turn.api;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.api.Tool;
import dev.stepchat.conversation.api.ToolChoice;
import dev.stepchat.problem.ProblemException;

/** POST /conversations/{id}/messages: a chat turn. */
@RegisterForReflection
@Schema(name = "SendMessage")
public record SendMessage(
        @Schema(
                description = "The user's message: a text, or a list of parts as OpenAI's chat messages have them,"
                        + " [{\"type\":\"text\",\"text\"}, {\"type\":\"image_file\",\"file_id\"}] (at most 16"
                        + " images, sent to models whose capabilities.vision is true); required unless tool_results"
                        + " answers a tool call (then absent). The OpenAPI filter writes its oneOf",
                implementation = String.class,
                nullable = true)
        JsonNode content,

        @Schema(description = "Model of this turn; defaults to the conversation's", nullable = true)
        String model,

        @DecimalMin("0") @DecimalMax("2") @Schema(minimum = "0", maximum = "2", nullable = true)
        Double temperature,

        @DecimalMin("0") @DecimalMax("1") @Schema(minimum = "0", maximum = "1", nullable = true)
        Double topP,

        @Min(1) @Schema(minimum = "1", nullable = true) Integer maxTokens,

        @Schema(description = "Answer as server-sent events, like Accept: text/event-stream", nullable = true)
        Boolean stream,

        @Schema(
                description = "The assistant message the new message follows, or null for a new root. Left out: the"
                        + " current branch's last answer. Editing a user message is a turn with its parent_id.",
                implementation = UUID.class,
                nullable = true)
        JsonNode parentId,

        @Schema(
                description = "Tools offered to the model for this turn, replacing the conversation's (at most 128)",
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
        JsonNode toolChoice,

        @Schema(
                description = "The results of the tool calls of the assistant message this turn follows: one for each"
                        + " call, instead of content",
                nullable = true)
        List<ToolResult> toolResults) {

    /**
     * The message's text: the content when it is a text, its text parts joined by blank lines when
     * it is a list of parts (the parts are checked by the turn), null when absent.
     */
    public String text() {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ProblemException.invalid("content", "must be a text or a list of parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode partText = part.path("text");
            if ("text".equals(part.path("type").asText())
                    && partText.isTextual()
                    && !partText.textValue().isEmpty()) {
                if (!text.isEmpty()) {
                    text.append("\n\n");
                }
                text.append(partText.textValue());
            }
        }
        return text.toString();
    }

    /** Whether the content is a list of parts. */
    public boolean hasParts() {
        return content != null && content.isArray();
    }

    /** A text turn (as the chat transports send them). */
    public static SendMessage ofText(String text, Boolean stream) {
        return new SendMessage(
                text == null ? null : com.fasterxml.jackson.databind.node.TextNode.valueOf(text),
                null,
                null,
                null,
                null,
                stream,
                null,
                null,
                null,
                null);
    }

    /**
     * The parent asked for: null when the field was left out (the default rule applies), an empty
     * Optional for an explicit null (a new root), else the id.
     */
    public Optional<UUID> requestedParent() {
        if (parentId == null) {
            return null;
        }
        if (parentId.isNull()) {
            return Optional.empty();
        }
        if (parentId.isTextual()) {
            try {
                return Optional.of(UUID.fromString(parentId.textValue()));
            } catch (IllegalArgumentException notAnId) {
                // falls through
            }
        }
        throw ProblemException.invalid(
                "parent_id", "must be the id of an assistant message of this conversation, or null");
    }
}
