package dev.stepchat.problem;

import java.net.URI;

/**
 * Every kind of error the API answers with. The {@link #uri()} is the stable {@code type} of the
 * RFC 9457 problem: clients switch on it, so a slug is never renamed once released.
 */
public enum ProblemType {
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request body"),
    VALIDATION_FAILED("validation-failed", 400, "Request validation failed"),
    UNKNOWN_MODEL("unknown-model", 400, "Unknown model"),
    INVALID_CURSOR("invalid-cursor", 400, "Unknown paging cursor"),
    IMPORT_TOO_LARGE("import-too-large", 400, "The import is over a limit"),
    UNPRICED_MODEL("unpriced-model", 400, "The model has no price and a cost limit is in force"),
    MODEL_CANNOT_USE_TOOLS("model-cannot-use-tools", 400, "The model does not take tools"),
    TOOL_RESULTS_INVALID("tool-results-invalid", 400, "The tool results do not answer the tool calls"),
    MODEL_CANNOT_SEE("model-cannot-see", 400, "The model does not take images"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    ORIGIN_NOT_ALLOWED("origin-not-allowed", 403, "Origin not allowed"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    TURN_IN_PROGRESS("turn-in-progress", 409, "A turn is already in progress"),
    TOOL_RESULTS_REQUIRED("tool-results-required", 409, "The tool calls before this turn need their results"),
    IDEMPOTENCY_KEY_IN_FLIGHT("idempotency-key-in-flight", 409, "Request with this Idempotency-Key is still running"),
    PRECONDITION_FAILED("precondition-failed", 412, "Precondition failed"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    CONTEXT_LENGTH_EXCEEDED("context-length-exceeded", 413, "The prompt does not fit the model's context window"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    UNSUPPORTED_FILE_TYPE("unsupported-file-type", 415, "The file is not a PNG, JPEG, WebP or GIF image"),
    HEADERS_TOO_LARGE("headers-too-large", 431, "Request headers too large"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency-Key reused with a different request"),
    CONTENT_REFUSED("content-refused", 422, "The model provider refused the content"),
    UPSTREAM_RATE_LIMITED("upstream-rate-limited", 429, "The model provider is rate limiting"),
    SPENDING_LIMIT_REACHED("spending-limit-reached", 429, "Spending limit reached"),
    OWNER_RATE_LIMITED("owner-rate-limited", 429, "Too many turns of this caller"),
    CONVERSATION_LIMIT_REACHED("conversation-limit-reached", 422, "The conversation has used its tokens"),
    FORBIDDEN("forbidden", 403, "Not allowed"),
    INTERNAL_ERROR("internal-error", 500, "Internal server error"),
    UPSTREAM_AUTHENTICATION("upstream-authentication", 502, "The model provider rejected our credentials"),
    UPSTREAM_BAD_REQUEST("upstream-bad-request", 502, "The model provider rejected the request"),
    UPSTREAM_BAD_RESPONSE("upstream-bad-response", 502, "The model provider sent an invalid answer"),
    UPSTREAM_ERROR("upstream-error", 502, "The model provider failed"),
    UPSTREAM_UNAVAILABLE("upstream-unavailable", 503, "The model provider is unavailable"),
    UPSTREAM_CIRCUIT_OPEN("upstream-circuit-open", 503, "The model provider is failing; calls are paused"),
    UPSTREAM_CAPACITY("upstream-capacity", 503, "Too many calls to the model provider in progress"),
    SHUTTING_DOWN("shutting-down", 503, "The service is shutting down"),
    OVERLOADED("overloaded", 503, "The service is overloaded"),
    DATABASE_UNAVAILABLE("database-unavailable", 503, "The database is unavailable"),
    TURN_ABANDONED("turn-abandoned", 503, "The turn was interrupted"),
    ERASURE_NOT_CONFIGURED("erasure-not-configured", 503, "Erasure is not configured"),
    UPSTREAM_TIMEOUT("upstream-timeout", 504, "The model provider did not answer in time");

    /** Base of every problem type URI. */
    public static final String BASE = "https://stepchat.dev/problems/";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }

    public String slug() {
        return slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
