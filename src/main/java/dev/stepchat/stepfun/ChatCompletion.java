package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A non-streamed answer of POST /chat/completions. Unknown fields are ignored. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletion(String id, String model, List<Choice> choices, Usage usage) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(Integer index, Message message, String finishReason) {}

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, String content, String reasoning, List<WireToolCall> toolCalls) {}

    /** The first choice, which is the only one we ask for. */
    public Choice first() {
        return choices == null || choices.isEmpty() ? null : choices.getFirst();
    }
}
