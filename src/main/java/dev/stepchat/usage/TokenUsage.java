package dev.stepchat.usage;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Tokens of one turn. */
@RegisterForReflection
@Schema(name = "Usage")
public record TokenUsage(
        @Schema(required = true) long promptTokens,
        @Schema(required = true) long completionTokens,
        @Schema(required = true) long totalTokens,
        @Schema(required = true) long cachedTokens) {

    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0);
}
