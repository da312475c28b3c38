package dev.stepchat.observability;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.stepchat.config.ChatConfig;

/**
 * The product's own metrics, next to those of the framework (HTTP, the connection pool,
 * fault tolerance: retries and circuit-breaker state of StepFunClient). Tags hold models and
 * outcomes only: never a key, a user or message content, and a model only when it is one of
 * {@code stepchat.metric-models} (else {@code other}).
 * <ul>
 * <li>{@code stepchat_turns_total{outcome, model, mode}}: turns by outcome (completed,
 * incomplete, or the problem type's slug) and mode (json, stream);</li>
 * <li>{@code stepchat_tokens_total{model, kind}}: tokens by kind (prompt, completion, cached);</li>
 * <li>{@code stepchat_upstream_seconds{mode, outcome}}: StepFun call time, retries included (for a
 * stream: to its first chunk).</li>
 * </ul>
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class TurnMetrics {

    /** The tag of every model outside {@code stepchat.metric-models}. */
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Set<String> models;
    private final Counter unrecorded;

    TurnMetrics(MeterRegistry registry, ChatConfig config) {
        this.registry = registry;
        this.models = new HashSet<>(config.metricModels());
        this.models.add(config.defaultModel());
        this.unrecorded = Counter.builder("stepchat.usage.unrecorded.tokens")
                .description("Answered tokens that could not be written to the usage ledger")
                .register(registry);
        // at 0 from the start, so that an alert's increase() sees the first refusal of a replica
        for (String reason : REFUSAL_REASONS) {
            refusals(reason);
        }
        for (String window : List.of("day", "month")) {
            for (String unit : List.of("tokens", "cost")) {
                nearLimits(window, unit);
            }
        }
    }

    /** The reasons {@link #refused} is called with: the slugs of the problems that refuse work. */
    static final List<String> REFUSAL_REASONS = List.of(
            "overloaded",
            "database-unavailable",
            "owner-rate-limited",
            "spending-limit-reached",
            "conversation-limit-reached",
            "unpriced-model");

    /** The share of a spending limit from which a turn counts as near it. */
    public static final double NEAR_LIMIT = 0.8;

    public void turn(String outcome, String model, boolean streamed) {
        Counter.builder("stepchat.turns")
                .description("Chat turns by outcome")
                .tag("outcome", outcome)
                .tag("model", modelTag(model))
                .tag("mode", streamed ? "stream" : "json")
                .register(registry)
                .increment();
    }

    /** A request refused for load or a database fault ({@code stepchat_refusals_total{reason}}). */
    public void refused(String reason) {
        refusals(reason).increment();
    }

    private Counter refusals(String reason) {
        return Counter.builder("stepchat.refusals")
                .description("Requests refused before any work: load, a database fault, or a limit")
                .tag("reason", reason)
                .register(registry);
    }

    /**
     * A turn admitted whose owner has now used or reserved at least {@link #NEAR_LIMIT} of a
     * spending limit ({@code stepchat_spending_near_limit_total{window, unit}}; no owner tag).
     */
    public void nearLimit(String window, String unit) {
        nearLimits(window, unit).increment();
    }

    private Counter nearLimits(String window, String unit) {
        return Counter.builder("stepchat.spending.near.limit")
                .description("Turns admitted with their owner at 80 % or more of a spending limit")
                .tag("window", window)
                .tag("unit", unit)
                .register(registry);
    }

    /**
     * Tokens StepFun answered that could not be written to the ledger before this instance
     * stopped ({@code stepchat_usage_unrecorded_tokens_total}); stays 0 unless the database was
     * down until shutdown.
     */
    public void unrecorded(long tokens) {
        unrecorded.increment(tokens);
    }

    /** Tokens a turn used, by model and kind ({@code stepchat_tokens_total{model,kind}}). */
    public void tokens(String model, long promptTokens, long completionTokens, long cachedTokens) {
        count(model, "prompt", promptTokens);
        count(model, "completion", completionTokens);
        count(model, "cached", cachedTokens);
    }

    /** What answered turns cost, by model ({@code stepchat_cost_total{model}}, in the configured currency). */
    public void cost(String model, java.math.BigDecimal cost) {
        if (cost != null) {
            Counter.builder("stepchat.cost")
                    .description("What answered turns cost, in the configured currency")
                    .tag("model", modelTag(model))
                    .register(registry)
                    .increment(cost.doubleValue());
        }
    }

    public void upstream(boolean streamed, String outcome, Duration took) {
        Timer.builder("stepchat.upstream")
                .description("StepFun call time, retries included")
                .tag("mode", streamed ? "stream" : "json")
                .tag("outcome", outcome)
                .register(registry)
                .record(took);
    }

    private void count(String model, String kind, long tokens) {
        Counter.builder("stepchat.tokens")
                .description("Tokens used, by model and kind")
                .tag("model", modelTag(model))
                .tag("kind", kind)
                .register(registry)
                .increment(tokens);
    }

    /** Models come from requests and upstream answers: only the configured ones become tag values. */
    String modelTag(String model) {
        return model != null && models.contains(model) ? model : OTHER;
    }
}
