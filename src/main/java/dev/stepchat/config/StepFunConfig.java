package dev.stepchat.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The StepFun client: its key, the bounds of its Retry-After-aware backoff, and streamed answers.
 * Validated when the application starts, so a production instance without STEP_API_KEY stops at
 * once, naming the variable. Retry counts, timeouts, the circuit breaker and the bulkhead are
 * Quarkus' own fault-tolerance keys of {@code StepFunClient}, in application.properties.
 */
@ConfigMapping(prefix = "stepfun")
public interface StepFunConfig {

    /** Bearer API key (STEP_API_KEY). Required: without it the application does not start. */
    String apiKey();

    Retry retry();

    Stream stream();

    interface Stream {
        /** A stream with no chunk for this long ends with an error event (STEPFUN_STREAM_IDLE_TIMEOUT). */
        @WithDefault("60S")
        Duration idleTimeout();

        /** Longest a whole streamed answer may take (STEPFUN_STREAM_MAX_DURATION). */
        @WithDefault("10M")
        Duration maxDuration();
    }

    interface Retry {
        /** Longest exponential backoff (STEPFUN_RETRY_MAX_DELAY). */
        @WithDefault("8S")
        Duration maxDelay();

        /** Longest upstream Retry-After that is honoured (STEPFUN_RETRY_MAX_RETRY_AFTER). */
        @WithDefault("20S")
        Duration maxRetryAfter();
    }
}
