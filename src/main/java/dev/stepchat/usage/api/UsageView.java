package dev.stepchat.usage.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.usage.UsageTotals;

/** GET /usage: the caller's usage from the ledger over a time range, grouped, and its limits. */
@RegisterForReflection
@Schema(name = "UsageReport")
public record UsageView(
        @Schema(enumeration = "usage_report", required = true)
        String object,

        @Schema(description = "Start of the range, included", required = true)
        String from,

        @Schema(description = "End of the range, excluded", required = true)
        String to,

        @Schema(description = "The currency of every cost", required = true, examples = "USD")
        String currency,

        @Schema(required = true) UsageTotals totals,
        @Schema(required = true) List<Group> groups,

        @Schema(description = "The caller's spending limits in force and what is left of them", required = true)
        List<LimitUse> limits) {

    /** One group: a UTC day (YYYY-MM-DD), a model id or a conversation id, and its usage. */
    @RegisterForReflection
    @Schema(name = "UsageGroup")
    public record Group(
            @Schema(required = true, examples = "2026-11-25")
            String key,

            @Schema(required = true) long promptTokens,
            @Schema(required = true) long completionTokens,
            @Schema(required = true) long totalTokens,
            @Schema(required = true) long cachedTokens,
            @Schema(required = true) long turns,

            @Schema(required = true, examples = "0.00012200")
            String cost,

            @Schema(required = true) boolean costComplete) {

        /** The group {@code key} with its totals. */
        public static Group of(String key, UsageTotals totals) {
            return new Group(
                    key,
                    totals.promptTokens(),
                    totals.completionTokens(),
                    totals.totalTokens(),
                    totals.cachedTokens(),
                    totals.turns(),
                    totals.cost(),
                    totals.costComplete());
        }
    }

    /** A limit, what the current window has used, and when it resets. */
    @RegisterForReflection
    @Schema(name = "LimitUse")
    public record LimitUse(
            @Schema(
                    enumeration = {"day", "month"},
                    required = true)
            String window,

            @Schema(
                    enumeration = {"tokens", "cost"},
                    required = true)
            String unit,

            @Schema(description = "Tokens (an integer) or cost (a decimal string)", required = true)
            Object limit,

            @Schema(required = true) Object used,

            @Schema(description = "Never below zero", required = true)
            Object remaining,

            @Schema(required = true, examples = "2026-11-26T00:00:00Z")
            String resetsAt) {}
}
