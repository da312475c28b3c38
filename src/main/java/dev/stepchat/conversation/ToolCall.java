package dev.stepchat.conversation;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A function call an answer made, as OpenAI's chat completions write it: the same shape is stored
 * (the {@code message.tool_calls} JSON column) and shown in the API.
 */
@RegisterForReflection
@Schema(name = "ToolCall", description = "A function the model called; answer it with a tool result")
public record ToolCall(
        @Schema(description = "The call's id, as the model gave it: the tool_call_id of its result", required = true)
        String id,

        @Schema(description = "Always function", required = true, enumeration = "function")
        String type,

        @Schema(required = true) Function function) {

    @RegisterForReflection
    @Schema(name = "ToolCallFunction")
    public record Function(
            @Schema(description = "The function's name, one of the turn's tools", required = true)
            String name,

            @Schema(
                    description = "The arguments as the JSON text the model wrote (not checked against the"
                            + " function's parameters: parse it with care)",
                    required = true)
            String arguments) {}

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(id, "function", new Function(name, arguments));
    }
}
