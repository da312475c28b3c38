package dev.stepchat.stepfun;

import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

import dev.stepchat.config.StepFunConfig;

/**
 * Exponential backoff with jitter that honours StepFun's {@code Retry-After}: the wait before each
 * retry is the larger of the two, Retry-After capped by {@code stepfun.retry.max-retry-after}.
 * One instance per call, so it counts that call's attempts.
 */
public class RetryAfterBackoff implements CustomBackoffStrategy {

    private long initialDelay;
    private long maxDelay;
    private long maxRetryAfter;
    private int attempt;

    @Override
    public void init(long initialDelayInMillis) {
        StepFunConfig.Retry config = ConfigProvider.getConfig()
                .unwrap(SmallRyeConfig.class)
                .getConfigMapping(StepFunConfig.class)
                .retry();
        initialDelay = Math.max(1, initialDelayInMillis);
        maxDelay = config.maxDelay().toMillis();
        maxRetryAfter = config.maxRetryAfter().toMillis();
    }

    @Override
    public long nextDelayInMillis(Throwable failure) {
        long exponential = Math.min(maxDelay, initialDelay << Math.min(attempt++, 20));
        // "equal jitter": half fixed, half random, so replicas retrying together spread out
        long delay = exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
        if (StepFunErrors.classify(failure) instanceof StepFunException e && e.retryAfter() != null) {
            delay = Math.max(delay, Math.min(maxRetryAfter, e.retryAfter().toMillis()));
        }
        return delay;
    }
}
