package dev.stepchat.dropin.rest;

import java.lang.annotation.Annotation;
import java.util.Locale;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.stepchat.dropin.OpenAiWire;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemType;

/**
 * Under {@code /v1} every error is OpenAI's {@code {"error": {message, type, param, code}}}
 * instead of a problem, with the same status (an unknown model is OpenAI's 404
 * {@code model_not_found}) and headers (Retry-After), so that the OpenAI SDKs raise their own
 * typed errors. The problem's detail and its first invalid field carry over.
 */
public class OpenAiErrors {

    @ServerResponseFilter
    public void openAiShape(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(response.getEntity() instanceof Problem problem)
                || !underV1(request.getUriInfo().getPath())) {
            return;
        }
        String slug = slug(problem);
        int status = ProblemType.UNKNOWN_MODEL.slug().equals(slug) ? 404 : problem.status();
        String param = problem.errors() == null || problem.errors().isEmpty()
                ? null
                : problem.errors().getFirst().field();
        String message = problem.detail();
        if (param != null) {
            message = message + ": " + param + " " + problem.errors().getFirst().message();
        }
        OpenAiWire.Error error = new OpenAiWire.Error(message, type(status, slug), param, code(status, slug));
        response.setStatus(status);
        response.setEntity(new OpenAiWire.ErrorBody(error), new Annotation[0], MediaType.APPLICATION_JSON_TYPE);
    }

    static boolean underV1(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    private static String slug(Problem problem) {
        String type = problem.type() == null ? "" : problem.type().toString();
        return type.substring(type.lastIndexOf('/') + 1);
    }

    private static String type(int status, String slug) {
        if (status == 429) {
            return ProblemType.SPENDING_LIMIT_REACHED.slug().equals(slug) ? "insufficient_quota" : "requests";
        }
        if (status == 401) {
            return "invalid_request_error";
        }
        if (status == 403) {
            return "permission_error";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    private static String code(int status, String slug) {
        if (status == 401) {
            return "invalid_api_key";
        }
        if (ProblemType.UNKNOWN_MODEL.slug().equals(slug)) {
            return "model_not_found";
        }
        if (status == 429 && !ProblemType.SPENDING_LIMIT_REACHED.slug().equals(slug)) {
            return "rate_limit_exceeded";
        }
        return slug.replace('-', '_').toLowerCase(Locale.ROOT);
    }
}
