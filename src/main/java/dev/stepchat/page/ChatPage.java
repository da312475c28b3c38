package dev.stepchat.page;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.problem.HttpEdgeProblems;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemType;

/**
 * The chat page, static files under {@code META-INF/resources} ({@code /}, {@code /chat/*}), and a
 * share link's page ({@code /s/{share_id}}, the page {@code chat/share.html}): served
 * with a Content-Security-Policy that allows only the service's own scripts, styles and images
 * (the page's second fence against a model answer carrying HTML, after its sanitizer), or a 404
 * problem when {@code stepchat.chat-page.enabled} is false. The page calls the public API with the
 * user's token like any other client: it changes neither authentication nor CORS.
 */
@ApplicationScoped
public class ChatPage {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    void register(@Observes Router router, ChatConfig config, ObjectMapper mapper) {
        boolean enabled = config.chatPage().enabled();
        router.routeWithRegex("/|/index\\.html|/chat/.*")
                .order(Integer.MIN_VALUE + 2)
                .handler(context -> {
                    if (!enabled) {
                        switchedOff(context, mapper);
                        return;
                    }
                    secure(context);
                    context.next();
                });
        // a share link's page: the same fence, the share page's file, the id read by its script
        router.routeWithRegex("/s/[A-Za-z0-9_-]{1,64}")
                .order(Integer.MIN_VALUE + 1)
                .handler(context -> {
                    if (!enabled) {
                        switchedOff(context, mapper);
                        return;
                    }
                    secure(context);
                    context.reroute("/chat/share.html");
                });
    }

    private static void switchedOff(RoutingContext context, ObjectMapper mapper) {
        String path = context.request().path();
        HttpEdgeProblems.send(
                context,
                mapper,
                Problem.of(
                        ProblemType.NOT_FOUND,
                        "No resource at " + path + " (the chat page is switched off: stepchat.chat-page.enabled)",
                        path));
    }

    private static void secure(RoutingContext context) {
        context.response()
                .headers()
                .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                // revalidated, so that a new version of the service is not met by an old page
                .set(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
}
