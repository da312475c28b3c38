package dev.stepchat.turn.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The result of one function call, sent by the client: stored as a tool message. */
@RegisterForReflection
@Schema(name = "ToolResult")
public record ToolResult(
        @Schema(description = "The id of the call it answers", required = true)
        String toolCallId,

        @Schema(description = "What the function returned, as text (JSON is fine)", required = true)
        String content) {}
