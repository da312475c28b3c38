package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Body of POST /chat/completions in StepFun's (OpenAI-compatible) format. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model, List<ChatMessage> messages, Double temperature, Double topP, Integer maxTokens, Boolean stream) {

    public ChatCompletionRequest streaming() {
        return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, true);
    }

    @RegisterForReflection
    public record ChatMessage(String role, String content) {}
}
