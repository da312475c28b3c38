package dev.stepchat.problem;

import java.time.Duration;
import java.util.List;

/**
 * Thrown anywhere in the service to answer with a problem. The mapper fills in {@code instance}.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final transient List<Problem.FieldError> errors;
    private final Duration retryAfter;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, null, null);
    }

    public ProblemException(ProblemType type, String detail, List<Problem.FieldError> errors, Duration retryAfter) {
        super(detail, null, false, false);
        this.type = type;
        this.errors = errors;
        this.retryAfter = retryAfter;
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(ProblemType.NOT_FOUND, what + " not found");
    }

    public static ProblemException invalid(String field, String message) {
        return new ProblemException(
                ProblemType.VALIDATION_FAILED,
                "The request has invalid fields",
                List.of(new Problem.FieldError(field, message)),
                null);
    }

    public ProblemType type() {
        return type;
    }

    /** Seconds a client should wait before trying again, when the problem says so. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public Problem toProblem(String instance) {
        return new Problem(
                type.uri(),
                type.title(),
                type.status(),
                getMessage(),
                instance,
                errors == null || errors.isEmpty() ? null : errors,
                null);
    }
}
