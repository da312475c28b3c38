package dev.stepchat.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Requests no route answers (no JAX-RS resource, no /q endpoint) get a 404 problem instead of the
 * HTTP server's plain-text page.
 */
@ApplicationScoped
public class UnmatchedRoutes {

    void register(@Observes Router router, ObjectMapper mapper) {
        router.route().last().handler(context -> {
            String path = context.request().path();
            Problem problem = Problem.of(ProblemType.NOT_FOUND, "No resource at " + path, path);
            String body;
            try {
                body = mapper.writeValueAsString(problem);
            } catch (JsonProcessingException e) {
                body = "{\"status\":404}";
            }
            context.response().setStatusCode(404).putHeader("Content-Type", ProblemResponses.MEDIA_TYPE).end(body);
        });
    }
}
