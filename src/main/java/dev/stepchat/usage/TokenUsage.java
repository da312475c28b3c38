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
        @Schema(required = true) long cachedTokens,

        @Schema(
                description = "What the tokens cost, in the configured currency, 8 decimal places; null when the model"
                        + " had no configured price",
                nullable = true,
                required = true,
                examples = "0.00006100")
        String cost) {

    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0);

    public TokenUsage(long promptTokens, long completionTokens, long totalTokens, long cachedTokens) {
        this(promptTokens, completionTokens, totalTokens, cachedTokens, null);
    }

    /** The same tokens with their cost (null: no price). */
    public TokenUsage withCost(java.math.BigDecimal value) {
        return new TokenUsage(promptTokens, completionTokens, totalTokens, cachedTokens, Money.format(value));
    }
}
