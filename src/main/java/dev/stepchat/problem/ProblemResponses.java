package dev.stepchat.problem;

import java.time.Duration;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** Builds the HTTP response for a problem, the one place that knows its media type. */
public final class ProblemResponses {

    public static final String MEDIA_TYPE = "application/problem+json";

    private ProblemResponses() {}

    public static Response of(Problem problem) {
        return of(problem, null);
    }

    public static Response of(Problem problem, Duration retryAfter) {
        Response.ResponseBuilder builder =
                Response.status(problem.status()).type(MEDIA_TYPE).entity(problem);
        if (retryAfter != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Math.max(1, (retryAfter.toMillis() + 999) / 1000));
        }
        return builder.build();
    }
}
