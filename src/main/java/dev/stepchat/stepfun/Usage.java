package dev.stepchat.stepfun;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.usage.TokenUsage;

/**
 * StepFun's usage object. {@code cached_tokens} sits at its top level; the OpenAI place
 * ({@code prompt_tokens_details.cached_tokens}) is read too, when the top level has none.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(Integer promptTokens, Integer completionTokens, Integer totalTokens, Integer cachedTokens,
                    PromptTokensDetails promptTokensDetails) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PromptTokensDetails(Integer cachedTokens) {
    }

    public TokenUsage toTokenUsage() {
        int prompt = orZero(promptTokens);
        int completion = orZero(completionTokens);
        int total = totalTokens == null ? prompt + completion : totalTokens;
        int cached = cachedTokens != null ? cachedTokens
                : promptTokensDetails != null ? orZero(promptTokensDetails.cachedTokens()) : 0;
        return new TokenUsage(prompt, completion, total, cached);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
