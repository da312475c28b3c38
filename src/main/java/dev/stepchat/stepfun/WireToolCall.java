package dev.stepchat.stepfun;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A tool call on the wire, in OpenAI's shape: whole in a completion's message and in the history
 * sent back; in a streamed chunk, a fragment ({@code index} says which call; {@code id}, {@code type}
 * and the name come with its first fragment, the arguments in pieces).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record WireToolCall(Integer index, String id, String type, Function function) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Function(String name, String arguments) {}
}
