package dev.stepchat.conversation.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A tool_choice that names the one function the model must call. */
@RegisterForReflection
@Schema(name = "NamedToolChoice")
public record ToolChoice(
        @Schema(enumeration = "function", required = true) String type,
        @Schema(required = true) Function function) {

    @RegisterForReflection
    @Schema(name = "NamedToolChoiceFunction")
    public record Function(@Schema(required = true) String name) {}
}
