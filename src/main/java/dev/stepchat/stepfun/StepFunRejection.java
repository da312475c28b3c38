package dev.stepchat.stepfun;

import java.time.Duration;

/**
 * A 4xx other than 429: StepFun refused this request. Never retried, and not a sign that StepFun is
 * failing, so the circuit breaker does not count it.
 */
public class StepFunRejection extends StepFunException {

    public StepFunRejection(Kind kind, int status, String message, Duration retryAfter) {
        super(kind, status, message, retryAfter, null);
    }
}
