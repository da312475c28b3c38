package dev.stepchat.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stepchat.observability.RequestIds;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Problems for what the HTTP server would answer by itself, before any resource runs: a request
 * body declared larger than {@code quarkus.http.limits.max-body-size} (413), and requests no route
 * answers (404, instead of the server's plain-text page).
 */
@ApplicationScoped
public class HttpEdgeProblems {

    void register(@Observes Router router, ObjectMapper mapper,
                  @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        router.route().order(Integer.MIN_VALUE + 1).handler(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && tooLarge(length, maxBody.asLongValue())) {
                String path = context.request().path();
                send(context, mapper, Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                        "The request body is larger than " + maxBody.asLongValue() + " bytes", path));
                context.request().connection().close();
            } else {
                context.next();
            }
        });
        router.route().last().handler(context -> {
            String path = context.request().path();
            send(context, mapper, Problem.of(ProblemType.NOT_FOUND, "No resource at " + path, path));
        });
    }

    private static boolean tooLarge(String length, long max) {
        try {
            return Long.parseLong(length.strip()) > max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void send(RoutingContext context, ObjectMapper mapper, Problem problem) {
        String body;
        try {
            body = mapper.writeValueAsString(problem.withRequestId(context.request().getHeader(RequestIds.HEADER)));
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        context.response().setStatusCode(problem.status()).putHeader("Content-Type", ProblemResponses.MEDIA_TYPE)
                .end(body);
    }
}
