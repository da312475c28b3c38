package dev.stepchat.stepfun;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * StepFun's usage object. {@code cached_tokens} sits at its top level; the OpenAI place
 * ({@code prompt_tokens_details.cached_tokens}) is read too, when the top level has none.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        Integer cachedTokens,
        PromptTokensDetails promptTokensDetails) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PromptTokensDetails(Integer cachedTokens) {}

    /** The total StepFun reported, or prompt + completion when it reported none. */
    public int totalOrSum() {
        return totalTokens != null ? totalTokens : orZero(promptTokens) + orZero(completionTokens);
    }

    /** Cached prompt tokens: StepFun's top-level field, else OpenAI's place, else 0. */
    public int cachedOrZero() {
        return cachedTokens != null
                ? cachedTokens
                : promptTokensDetails != null ? orZero(promptTokensDetails.cachedTokens()) : 0;
    }

    public int promptOrZero() {
        return orZero(promptTokens);
    }

    public int completionOrZero() {
        return orZero(completionTokens);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
