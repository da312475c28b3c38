package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One server-sent event of a streamed answer. StepFun sends a running usage total in every chunk,
 * {@code finish_reason: ""} until the last chunk, and reasoning text in {@code delta.reasoning}.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionChunk(String id, String model, List<Choice> choices, Usage usage) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(Integer index, Delta delta, String finishReason) {}

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Delta(String role, String content, String reasoning, List<WireToolCall> toolCalls) {}

    public Choice first() {
        return choices == null || choices.isEmpty() ? null : choices.getFirst();
    }
}
