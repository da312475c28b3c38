package dev.stepchat.dropin;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.api.Tool;
import dev.stepchat.conversation.api.ToolChoice;
import dev.stepchat.stepfun.WireToolCall;

/**
 * The body of {@code POST /v1/chat/completions}, in OpenAI's chat-completions format: the fields
 * StepFun takes. Fields this service does not pass on are ignored, as OpenAI-compatible servers
 * do, so that the SDKs' defaults never make a call fail.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "OpenAiChatCompletionRequest", description = "OpenAI's chat-completions request (the fields passed on)")
public record OpenAiRequest(
        @Schema(required = true, examples = "step-3.5-flash")
        String model,

        @Schema(required = true, description = "The whole history, oldest first")
        List<Message> messages,

        Double temperature,
        Double topP,
        @Schema(description = "Most tokens of the reply") Integer maxTokens,

        @Schema(description = "Most tokens of the reply (OpenAI's newer name; wins over max_tokens)")
        Integer maxCompletionTokens,

        @Schema(description = "Server-sent chunks instead of one answer")
        Boolean stream,

        StreamOptions streamOptions,

        @Schema(
                type = SchemaType.ARRAY,
                implementation = Tool.class,
                description = "Function tools, in OpenAI's shape, passed on")
        JsonNode tools,

        @Schema(
                implementation = ToolChoice.class,
                description =
                        "auto, none, required or a named function, passed on; the OpenAPI filter writes" + " its oneOf")
        JsonNode toolChoice,

        @Schema(description = "Only 1: one choice is asked for")
        Integer n) {

    /** One message of the history. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiMessage")
    public record Message(
            @Schema(
                    required = true,
                    enumeration = {"system", "developer", "user", "assistant", "tool"})
            String role,

            @Schema(
                    description = "A string, or a list of text parts ({\"type\": \"text\", \"text\"})",
                    oneOf = {String.class, TextPart[].class})
            JsonNode content,

            @Schema(description = "An assistant message's tool calls")
            List<WireToolCall> toolCalls,

            @Schema(description = "A tool message's call id")
            String toolCallId) {}

    /** A text part of a message's content (its only readable parts: image parts are not taken yet). */
    @RegisterForReflection
    @Schema(name = "OpenAiTextPart")
    public record TextPart(
            @Schema(required = true, enumeration = "text") String type,
            @Schema(required = true) String text) {}

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiStreamOptions")
    public record StreamOptions(
            @Schema(description = "A last chunk with the usage, and no choices")
            Boolean includeUsage) {}
}
