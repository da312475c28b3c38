package dev.stepchat.turn;

import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import io.quarkus.logging.Log;

import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.StepFunClient;
import dev.stepchat.stepfun.StepFunErrors;
import dev.stepchat.stepfun.StepFunException;

/** The service edge of the StepFun client: each way a call can fail, as the problem our caller gets. */
final class UpstreamProblems {

    private UpstreamProblems() {}

    /** What our caller gets for a failed call, after the retries. */
    static ProblemException toProblem(Throwable failure) {
        Throwable classified = StepFunErrors.classify(failure);
        if (classified instanceof TimeoutException) {
            return new ProblemException(ProblemType.UPSTREAM_TIMEOUT, "The model provider did not answer in time");
        }
        if (classified instanceof CircuitBreakerOpenException) {
            Duration wait = Duration.ofMillis(
                    ConfigProvider.getConfig().getValue(StepFunClient.CONFIG + "circuit-breaker.delay", Long.class));
            return new ProblemException(
                    ProblemType.UPSTREAM_CIRCUIT_OPEN,
                    "Recent calls to the model provider failed; new calls are paused",
                    null,
                    wait);
        }
        if (classified instanceof BulkheadException) {
            return new ProblemException(
                    ProblemType.UPSTREAM_CAPACITY,
                    "Too many calls to the model provider are in progress",
                    null,
                    Duration.ofSeconds(1));
        }
        if (!(classified instanceof StepFunException e)) {
            Log.errorf(failure, "Unexpected failure calling StepFun");
            return new ProblemException(ProblemType.UPSTREAM_ERROR, "The call to the model provider failed");
        }
        String upstream = e.getMessage() == null || e.getMessage().isEmpty() ? "" : ": " + e.getMessage();
        return switch (e.kind()) {
            case RATE_LIMITED ->
                new ProblemException(
                        ProblemType.UPSTREAM_RATE_LIMITED,
                        "The model provider is still rate limiting after retries",
                        null,
                        e.retryAfter() == null ? Duration.ofSeconds(1) : e.retryAfter());
            case OVERLOADED ->
                new ProblemException(
                        ProblemType.UPSTREAM_UNAVAILABLE,
                        "The model provider is overloaded",
                        null,
                        e.retryAfter() == null ? Duration.ofSeconds(5) : e.retryAfter());
            case SERVER_ERROR ->
                new ProblemException(ProblemType.UPSTREAM_ERROR, "The model provider failed with status " + e.status());
            case UNREACHABLE ->
                new ProblemException(
                        ProblemType.UPSTREAM_ERROR,
                        "The model provider could not be reached or dropped the connection");
            case AUTHENTICATION ->
                new ProblemException(
                        ProblemType.UPSTREAM_AUTHENTICATION,
                        "The model provider rejected the service's API key (status " + e.status() + ")");
            case PAYMENT_REQUIRED ->
                new ProblemException(
                        ProblemType.UPSTREAM_AUTHENTICATION, "The model provider account has no credit left");
            case BAD_REQUEST ->
                new ProblemException(
                        ProblemType.UPSTREAM_BAD_REQUEST,
                        "The model provider rejected the request (status " + e.status() + ")" + upstream);
            case CONTEXT_LENGTH ->
                new ProblemException(
                        ProblemType.CONTEXT_LENGTH_EXCEEDED,
                        "The conversation is longer than the model's context window" + upstream);
            case REFUSED ->
                new ProblemException(ProblemType.CONTENT_REFUSED, "The model provider refused the content" + upstream);
            case BAD_RESPONSE ->
                new ProblemException(
                        ProblemType.UPSTREAM_BAD_RESPONSE, "The model provider's answer could not be read");
        };
    }
}
