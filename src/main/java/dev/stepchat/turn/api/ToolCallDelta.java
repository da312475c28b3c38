package dev.stepchat.turn.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A piece of a tool call in a delta event, as OpenAI streams them: {@code index} says which call;
 * its {@code id}, {@code type} and the function's name come with its first piece, its arguments
 * in pieces to append in order.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCallDelta(int index, String id, String type, Function function) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Function(String name, String arguments) {}
}
