package dev.stepchat.stepfun;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Predicate;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * What StepFun's failures mean: which kind each is and which are worth a retry. It knows nothing of
 * the service's API: the turn maps these kinds to problems. Upstream messages are kept only where
 * they describe the request (never for authentication failures, whose text could echo part of the
 * key).
 */
public final class StepFunErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StepFunErrors() {}

    /** Maps a non-2xx answer (called by the REST client's exception mapper). */
    static StepFunException fromResponse(Response response) {
        int status = response.getStatus();
        String type = "";
        String message = "";
        try {
            String body = response.readEntity(String.class);
            JsonNode error = body == null ? null : JSON.readTree(body).path("error");
            if (error != null) {
                type = error.path("type").asText("");
                message = error.path("message").asText("");
            }
        } catch (RuntimeException | JsonProcessingException e) {
            // a body that is not StepFun's error JSON says nothing more than the status
        }
        Duration retryAfter = retryAfter(response.getHeaderString(HttpHeaders.RETRY_AFTER));
        StepFunException.Kind kind = switch (status) {
            case 429 -> StepFunException.Kind.RATE_LIMITED;
            case 503 -> StepFunException.Kind.OVERLOADED;
            case 401, 403 -> StepFunException.Kind.AUTHENTICATION;
            case 402 -> StepFunException.Kind.PAYMENT_REQUIRED;
            case 451 -> StepFunException.Kind.REFUSED;
            default ->
                status >= 500
                        ? StepFunException.Kind.SERVER_ERROR
                        : isModeration(type, message)
                                ? StepFunException.Kind.REFUSED
                                : isContextLength(type, message)
                                        ? StepFunException.Kind.CONTEXT_LENGTH
                                        : StepFunException.Kind.BAD_REQUEST;
        };
        Log.warnf("StepFun answered %d (%s)", status, type.isEmpty() ? kind : type);
        String safeMessage = kind == StepFunException.Kind.AUTHENTICATION ? "" : limit(message);
        return kind.retryable()
                ? new StepFunException(kind, status, safeMessage, retryAfter, null)
                : new StepFunRejection(kind, status, safeMessage, retryAfter);
    }

    /** Puts any failure of a call into one of the {@link StepFunException.Kind}s, or leaves it as it is. */
    public static Throwable classify(Throwable failure) {
        if (failure instanceof StepFunException
                || failure instanceof TimeoutException
                || failure instanceof CircuitBreakerOpenException
                || failure instanceof BulkheadException) {
            return failure;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StepFunException stepFun) {
                return stepFun;
            }
            if (t instanceof JsonProcessingException) {
                return new StepFunException(StepFunException.Kind.BAD_RESPONSE, 200, "", null, failure);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException
                    || t instanceof io.vertx.core.VertxException
                    || t instanceof jakarta.ws.rs.ProcessingException) {
                return new StepFunException(StepFunException.Kind.UNREACHABLE, 0, "", null, failure);
            }
        }
        return failure;
    }

    /** The retry predicate of {@link StepFunClient}: 429, 5xx and I/O failures, nothing else. */
    public static final class Retryable implements Predicate<Throwable> {
        @Override
        public boolean test(Throwable failure) {
            return classify(failure) instanceof StepFunException e && e.kind().retryable();
        }
    }

    /** A Retry-After header, in seconds or as an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static boolean isContextLength(String type, String message) {
        String text = (type + " " + message).toLowerCase(Locale.ROOT);
        return text.contains("context_length")
                || text.contains("context length")
                || text.contains("context window")
                || text.contains("maximum context")
                || text.contains("too many tokens")
                || text.contains("prompt is too long");
    }

    private static boolean isModeration(String type, String message) {
        String text = (type + " " + message).toLowerCase(Locale.ROOT);
        return text.contains("moderation") || text.contains("content_filter") || text.contains("sensitive");
    }

    private static String limit(String message) {
        return message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }
}
