package dev.stepchat.conversation.api;

import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A tool offered to the model, in OpenAI's shape: a function ({@code type: "function"}, a name
 * matching {@code ^[a-zA-Z0-9_-]{1,64}$}, a JSON Schema object for its parameters) or one of
 * StepFun's built-in tools (such as {@code web_search}), passed through as given. Only documents
 * the shape: tools are kept and sent exactly as the client wrote them.
 */
@RegisterForReflection
@Schema(name = "Tool", description = "A function tool, or one of StepFun's built-in tools (passed through as given)")
public record Tool(
        @Schema(description = "function, or a StepFun built-in tool type", examples = "function", required = true)
        String type,

        @Schema(description = "The function (function tools; built-in tools may carry their own options)")
        Function function) {

    @RegisterForReflection
    @Schema(name = "ToolFunction")
    public record Function(
            @Schema(description = "The function's name", pattern = "^[a-zA-Z0-9_-]{1,64}$", examples = "get_weather")
            String name,

            @Schema(description = "What the function does, for the model to choose it")
            String description,

            @Schema(description = "A JSON Schema object (type object) of the arguments")
            Map<String, Object> parameters) {}
}
