package dev.stepchat.stepfun;

import java.time.Duration;

/** A failed call to StepFun, classified by what a retry could do about it. */
public class StepFunException extends RuntimeException {

    public enum Kind {
        /** 429: retried, honouring Retry-After. */
        RATE_LIMITED(true),
        /** 503: overloaded or past its request time limit; retried. */
        OVERLOADED(true),
        /** Other 5xx; retried. */
        SERVER_ERROR(true),
        /** Connection refused, reset or closed; retried. */
        UNREACHABLE(true),
        /** 401, 403: our API key is wrong. */
        AUTHENTICATION(false),
        /** 402: the account is out of credit. */
        PAYMENT_REQUIRED(false),
        /** 400, 404, 422 and other 4xx: the request itself is wrong. */
        BAD_REQUEST(false),
        /** 400 saying the prompt is longer than the model's context window. */
        CONTEXT_LENGTH(false),
        /** 451 or a moderation error: the content was refused. */
        REFUSED(false),
        /** A 2xx whose body is not a valid answer. */
        BAD_RESPONSE(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public StepFunException(Kind kind, int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The upstream HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** The upstream's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
