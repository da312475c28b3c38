package dev.stepchat.problem;

import java.net.URI;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An RFC 9457 problem detail, the body of every error response. */
@RegisterForReflection
@Schema(name = "Problem", description = "RFC 9457 problem details")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(
                description = "Stable URI naming the kind of error",
                examples = "https://stepchat.dev/problems/not-found",
                required = true)
        URI type,

        @Schema(required = true) String title,
        @Schema(required = true) int status,
        @Schema(required = true) String detail,

        @Schema(description = "The request path", required = true)
        String instance,

        @Schema(description = "Present on validation errors")
        List<FieldError> errors,

        @Schema(description = "The request's X-Request-Id, to quote to support")
        String requestId) {

    public static Problem of(ProblemType type, String detail, String instance) {
        return new Problem(type.uri(), type.title(), type.status(), detail, instance, null, null);
    }

    public Problem withRequestId(String id) {
        return new Problem(type, title, status, detail, instance, errors, id);
    }

    /** One invalid field of a request. */
    @RegisterForReflection
    @Schema(name = "FieldError")
    public record FieldError(
            @Schema(required = true) String field,
            @Schema(required = true) String message) {}
}
