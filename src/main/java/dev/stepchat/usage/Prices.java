package dev.stepchat.usage;

import java.math.BigDecimal;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.model.ModelsConfig;

/**
 * What a turn costs: (prompt − cached) × input + cached × cached input + completion × output, each
 * price per {@code per-tokens} tokens, rounded half-even to 8 places, with the model's price in
 * configuration at the time of the turn ({@code stepchat.models.catalog."<id>".price.*}). Exact
 * decimal arithmetic throughout.
 */
@ApplicationScoped
public class Prices {

    private final ModelsConfig models;

    Prices(ModelsConfig models) {
        this.models = models;
    }

    /** The price of a model, if configured. */
    public Optional<ModelsConfig.Price> of(String model) {
        if (model == null) {
            return Optional.empty();
        }
        ModelsConfig.Facts facts = models.catalog().get(model);
        return facts == null ? Optional.empty() : facts.price();
    }

    /**
     * The cost of {@code usage}, priced as the model StepFun reported, else as the model asked for;
     * null when neither has a price.
     */
    public BigDecimal cost(String reported, String requested, TokenUsage usage) {
        Optional<ModelsConfig.Price> price = of(reported).or(() -> of(requested));
        return price.map(p -> cost(p, usage)).orElse(null);
    }

    static BigDecimal cost(ModelsConfig.Price price, TokenUsage usage) {
        long cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        BigDecimal amount = price.input()
                .multiply(BigDecimal.valueOf(usage.promptTokens() - cached))
                .add(price.cachedInput().multiply(BigDecimal.valueOf(cached)))
                .add(price.output().multiply(BigDecimal.valueOf(usage.completionTokens())));
        return Money.round(amount.divide(BigDecimal.valueOf(price.perTokens())));
    }

    /** The currency of every cost (STEPCHAT_MODELS_CURRENCY). */
    public String currency() {
        return models.currency();
    }
}
