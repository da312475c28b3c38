package dev.stepchat.usage;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Tokens summed over every answered turn of a conversation. */
@RegisterForReflection
@Schema(name = "UsageTotals")
public record UsageTotals(
        @Schema(required = true) long promptTokens,
        @Schema(required = true) long completionTokens,
        @Schema(required = true) long totalTokens,
        @Schema(required = true) long cachedTokens,

        @Schema(description = "Answered turns", required = true)
        long turns,

        @Schema(
                description = "The sum of the turns' costs, 8 decimal places, in the configured currency",
                required = true,
                examples = "0.00012200")
        String cost,

        @Schema(description = "Whether every turn counted had a price (else cost leaves those out)", required = true)
        boolean costComplete) {}
