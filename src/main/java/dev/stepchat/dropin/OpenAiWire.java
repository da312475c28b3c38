package dev.stepchat.dropin;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.stepfun.WireToolCall;

/** What {@code /v1} answers, in OpenAI's shapes (the ones its SDKs read). */
public final class OpenAiWire {

    private OpenAiWire() {}

    @RegisterForReflection
    @Schema(name = "OpenAiChatCompletion", description = "OpenAI's chat.completion object")
    public record Completion(
            @Schema(required = true) String id,

            @Schema(required = true, enumeration = "chat.completion")
            String object,

            @Schema(required = true, description = "Unix seconds")
            long created,

            @Schema(required = true) String model,
            @Schema(required = true) List<Choice> choices,
            @Schema(required = true) Usage usage) {}

    @RegisterForReflection
    @Schema(name = "OpenAiChoice")
    public record Choice(
            @Schema(required = true) int index,
            @Schema(required = true) Message message,

            @Schema(
                    required = true,
                    enumeration = {"stop", "length", "tool_calls", "content_filter"})
            String finishReason,

            @Schema(required = true, nullable = true, description = "Always null")
            Object logprobs) {}

    @RegisterForReflection
    @Schema(name = "OpenAiAnswerMessage")
    public record Message(
            @Schema(required = true, enumeration = "assistant")
            String role,

            @Schema(required = true, nullable = true) String content,

            @Schema(required = true, nullable = true, description = "Always null")
            String refusal,

            @Schema(nullable = true, description = "StepFun's reasoning text, when the model gave one")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            String reasoning,

            @JsonInclude(JsonInclude.Include.NON_NULL) List<WireToolCall> toolCalls) {}

    @RegisterForReflection
    @Schema(name = "OpenAiUsage")
    public record Usage(
            @Schema(required = true) long promptTokens,
            @Schema(required = true) long completionTokens,
            @Schema(required = true) long totalTokens,
            @Schema(required = true) PromptTokensDetails promptTokensDetails) {}

    @RegisterForReflection
    @Schema(name = "OpenAiPromptTokensDetails")
    public record PromptTokensDetails(
            @Schema(required = true) long cachedTokens) {}

    /**
     * One server-sent chunk: choices with a delta, or (the last, with include_usage) none and the
     * usage. The chunks go out as server-sent events, a string in the OpenAPI document: no schema.
     */
    @RegisterForReflection
    public record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage) {}

    @RegisterForReflection
    public record ChunkChoice(int index, Delta delta, String finishReason, Object logprobs) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, String reasoning, List<WireToolCall> toolCalls) {}

    @RegisterForReflection
    @Schema(name = "OpenAiModelList")
    public record ModelList(
            @Schema(required = true, enumeration = "list") String object,
            @Schema(required = true) List<Model> data) {}

    @RegisterForReflection
    @Schema(name = "OpenAiModel")
    public record Model(
            @Schema(required = true) String id,
            @Schema(required = true, enumeration = "model") String object,

            @Schema(required = true, description = "Unix seconds; 0, unknown")
            long created,

            @Schema(required = true) String ownedBy) {}

    /** OpenAI's error body: what its SDKs read into their typed exceptions. */
    @RegisterForReflection
    @Schema(name = "OpenAiErrorBody")
    public record ErrorBody(@Schema(required = true) Error error) {}

    @RegisterForReflection
    @Schema(name = "OpenAiError")
    public record Error(
            @Schema(required = true) String message,

            @Schema(required = true, examples = "invalid_request_error")
            String type,

            @Schema(required = true, nullable = true, description = "The parameter at fault, when one is")
            String param,

            @Schema(required = true, examples = "model_not_found")
            String code) {}
}
