package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Body of POST /chat/completions in StepFun's (OpenAI-compatible) format. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Boolean stream,
        JsonNode tools,
        JsonNode toolChoice) {

    public ChatCompletionRequest streaming() {
        return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, true, tools, toolChoice);
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatMessage(
            String role, String content, List<WireToolCall> toolCalls, String toolCallId, String reasoning) {

        public ChatMessage(String role, String content) {
            this(role, content, null, null, null);
        }
    }
}
