package dev.stepchat.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What the service knows of each model, merged with StepFun's model list, and how long that list
 * is kept. Keys start with {@code stepchat.models.}; facts per model are
 * {@code stepchat.models.catalog."<model id>".*}.
 */
@ConfigMapping(prefix = "stepchat.models")
public interface ModelsConfig {

    /** How long StepFun's model list is kept before it is asked again (STEPCHAT_MODELS_CACHE_FOR). */
    @WithDefault("10M")
    Duration cacheFor();

    /**
     * Tokens kept free for the reply when a turn names no max_tokens and its conversation no
     * context_limit (STEPCHAT_MODELS_REPLY_RESERVE).
     */
    @WithDefault("8192")
    int replyReserve();

    /** After a failed call, how long StepFun is not asked again (STEPCHAT_MODELS_RETRY_AFTER_FAILURE). */
    @WithDefault("30S")
    Duration retryAfterFailure();

    /** The currency of every price and cost, an ISO 4217 code (STEPCHAT_MODELS_CURRENCY). */
    @WithDefault("USD")
    String currency();

    /** Facts per model id. */
    Map<String, Facts> catalog();

    interface Facts {
        /** Most tokens of prompt and reply together. */
        OptionalInt contextWindow();

        /** A name for model pickers. */
        Optional<String> displayName();

        /** What its tokens cost; none: its turns have no cost. */
        Optional<Price> price();

        /**
         * Whether it takes tools (function calling; StepFun documents it for step-3.5-flash and
         * step-3.7-flash, among others); none: assumed so, and StepFun says otherwise if not.
         */
        Optional<Boolean> tools();

        /**
         * Whether it takes images (StepFun documents step-3.7-flash and the step-1o/1v vision
         * family); none: it does not, and an image sent to it is a 400 model-cannot-see.
         */
        Optional<Boolean> vision();

        /** Whether it reasons before answering (streams reasoning); none: it does not. */
        Optional<Boolean> reasoning();
    }

    /** Prices per {@code per-tokens} tokens, exact decimals in {@link #currency()}. */
    interface Price {
        /** Prompt tokens not served from StepFun's cache. */
        java.math.BigDecimal input();

        /** Prompt tokens served from StepFun's cache. */
        java.math.BigDecimal cachedInput();

        /** Completion tokens. */
        java.math.BigDecimal output();

        @WithDefault("1000000")
        long perTokens();
    }
}
