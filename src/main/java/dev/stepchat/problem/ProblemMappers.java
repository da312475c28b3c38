package dev.stepchat.problem;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.logging.Log;
import io.vertx.core.http.HttpServerRequest;

import dev.stepchat.observability.RequestIds;
import dev.stepchat.observability.TurnMetrics;

/**
 * Turns every exception that reaches the HTTP layer into an RFC 9457 problem, the framework's own
 * (unknown path, wrong method or media type, malformed JSON, validation) included. No stack trace or
 * class name ever reaches a client.
 */
public class ProblemMappers {

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private final TurnMetrics metrics;

    ProblemMappers(TurnMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        return respond(request, e.toProblem(request.path()), e.retryAfter());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return malformed(json, request);
        }
        ProblemType type = switch (status) {
            case 400 -> ProblemType.MALFORMED_REQUEST;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 412 -> ProblemType.PRECONDITION_FAILED;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> null;
        };
        if (type == null) {
            if (status >= 500) {
                Log.errorf(e, "Unexpected server error on %s %s", request.method(), request.path());
                type = ProblemType.INTERNAL_ERROR;
            } else {
                type = ProblemType.MALFORMED_REQUEST;
            }
        }
        String detail = switch (type) {
            case NOT_FOUND -> "No resource at " + request.path();
            case METHOD_NOT_ALLOWED -> request.method() + " is not supported on " + request.path();
            case NOT_ACCEPTABLE -> "None of the accepted media types can be produced";
            case UNSUPPORTED_MEDIA_TYPE ->
                "Content type " + request.getHeader("Content-Type") + " is not supported here";
            case INTERNAL_ERROR -> "The request could not be processed";
            default -> type.title();
        };
        Response.ResponseBuilder builder =
                Response.fromResponse(respond(request, Problem.of(type, detail, request.path())));
        String allow = e.getResponse().getHeaderString("Allow");
        if (allow != null) {
            builder.header("Allow", allow);
        }
        return builder.build();
    }

    /** A missing, expired, badly signed, wrong-issuer or wrong-audience token. */
    @ServerExceptionMapper({
        io.quarkus.security.UnauthorizedException.class,
        io.quarkus.security.AuthenticationFailedException.class,
        io.quarkus.security.AuthenticationCompletionException.class
    })
    public Response unauthorized(RuntimeException e, HttpServerRequest request) {
        return Response.fromResponse(respond(
                        request,
                        Problem.of(
                                ProblemType.UNAUTHORIZED,
                                "A valid bearer token is required (Authorization: Bearer <JWT>)",
                                request.path())))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    /**
     * Malformed JSON and JSON of the wrong shape. Jackson's subtypes are listed one by one so that
     * this mapper wins over the framework's own mappers for them.
     */
    @ServerExceptionMapper({
        JsonProcessingException.class,
        JsonParseException.class,
        JsonMappingException.class,
        MismatchedInputException.class,
        InvalidFormatException.class
    })
    public Response malformedJson(JsonProcessingException e, HttpServerRequest request) {
        return malformed(e, request);
    }

    @ServerExceptionMapper
    public Response violations(ConstraintViolationException e, HttpServerRequest request) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        return respond(
                request,
                new ProblemException(ProblemType.VALIDATION_FAILED, "The request has invalid fields", errors, null)
                        .toProblem(request.path()));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        ProblemException fault = DatabaseFaults.toProblem(e);
        if (fault != null) {
            // load or a database outage, not a bug: a 503 the caller can retry
            Log.warnf("%s on %s %s: %s", fault.type().slug(), request.method(), request.path(), rootMessage(e));
            metrics.refused(fault.type().slug());
            return respond(request, fault.toProblem(request.path()), fault.retryAfter());
        }
        Log.errorf(e, "Unexpected error on %s %s", request.method(), request.path());
        return respond(
                request, Problem.of(ProblemType.INTERNAL_ERROR, "The request could not be processed", request.path()));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static Response respond(HttpServerRequest request, Problem problem) {
        return respond(request, problem, null);
    }

    private static Response respond(HttpServerRequest request, Problem problem, java.time.Duration retryAfter) {
        return ProblemResponses.of(problem.withRequestId(request.getHeader(RequestIds.HEADER)), retryAfter);
    }

    private static Response malformed(JsonProcessingException e, HttpServerRequest request) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof ProblemException problem) {
                // raised while the body was read (it passed its limit), wrapped by Jackson with the field it was in
                return respond(request, problem.toProblem(request.path()), problem.retryAfter());
            }
        }
        String detail = "The request body is not valid JSON";
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            detail = "The field '" + field + "' has a value of the wrong type or format";
        } else if (e instanceof MismatchedInputException) {
            detail = "The request body does not have the expected JSON structure";
        }
        return respond(request, Problem.of(ProblemType.MALFORMED_REQUEST, detail, request.path()));
    }

    /** The JSON name of the field a violation is about: method and parameter nodes dropped, snake_case. */
    static String fieldName(ConstraintViolation<?> violation) {
        StringBuilder name = new StringBuilder();
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER && name.isEmpty() && isBodyParameter(node.getName())) {
                continue;
            }
            if (node.getKind() == ElementKind.METHOD
                    || node.getKind() == ElementKind.CONSTRUCTOR
                    || node.getKind() == ElementKind.CROSS_PARAMETER
                    || node.getKind() == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (node.getName() == null || node.getName().startsWith("<")) {
                if (node.getKey() != null) {
                    name.append('[').append(node.getKey()).append(']');
                }
                continue;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(SNAKE.translate(node.getName()));
            if (node.getKey() != null) {
                name.append('[').append(node.getKey()).append(']');
            }
        }
        return name.isEmpty() ? "body" : name.toString();
    }

    /** Request bodies are named {@code body} in every resource method, so their node is dropped. */
    private static boolean isBodyParameter(String name) {
        return "body".equals(name);
    }
}
