package dev.stepchat.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The StepFun client: key and fault tolerance. Validated when the application starts, so a
 * production instance without STEP_API_KEY stops at once, naming the variable. The fault-tolerance
 * values reach {@code StepFunClient} through the MicroProfile Fault Tolerance keys in
 * application.properties; times in milliseconds unless a unit is given.
 */
@ConfigMapping(prefix = "stepfun")
public interface StepFunConfig {

    /** Bearer API key (STEP_API_KEY). Required: without it the application does not start. */
    String apiKey();

    Retry retry();

    /** Most time one attempt may take, in ms (STEPFUN_TIMEOUT). */
    @WithDefault("120000")
    long timeout();

    CircuitBreaker circuitBreaker();

    Bulkhead bulkhead();

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
        /** Retries after the first attempt (STEPFUN_RETRY_MAX_RETRIES). */
        @WithDefault("3")
        int maxRetries();

        /** First backoff in ms, doubled per retry, with jitter (STEPFUN_RETRY_DELAY). */
        @WithDefault("500")
        long delay();

        /** Longest exponential backoff (STEPFUN_RETRY_MAX_DELAY). */
        @WithDefault("8S")
        Duration maxDelay();

        /** Longest upstream Retry-After that is honoured (STEPFUN_RETRY_MAX_RETRY_AFTER). */
        @WithDefault("20S")
        Duration maxRetryAfter();

        /** All attempts and waits of one call together, in ms (STEPFUN_RETRY_MAX_DURATION). */
        @WithDefault("180000")
        long maxDuration();
    }

    interface CircuitBreaker {
        /** Calls in the rolling window (STEPFUN_CIRCUIT_BREAKER_REQUEST_VOLUME_THRESHOLD). */
        @WithDefault("20")
        int requestVolumeThreshold();

        /** Share of failed calls in the window that opens the circuit (STEPFUN_CIRCUIT_BREAKER_FAILURE_RATIO). */
        @WithDefault("0.5")
        double failureRatio();

        /** How long the circuit stays open, in ms (STEPFUN_CIRCUIT_BREAKER_DELAY). */
        @WithDefault("30000")
        long delay();

        /** Trial calls that must succeed to close it again (STEPFUN_CIRCUIT_BREAKER_SUCCESS_THRESHOLD). */
        @WithDefault("2")
        int successThreshold();
    }

    interface Bulkhead {
        /** Upstream calls in flight at once (STEPFUN_BULKHEAD_MAX_CONCURRENT). */
        @WithDefault("512")
        int maxConcurrent();

        /** Calls that may wait for a place; more get a 503 (STEPFUN_BULKHEAD_QUEUE). */
        @WithDefault("2048")
        int queue();
    }
}
