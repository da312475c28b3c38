package dev.stepchat.problem;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.FilesConfig;
import dev.stepchat.observability.RequestIds;

/**
 * Problems for what the HTTP server would otherwise answer by itself, before any resource runs,
 * with a bare status and no body:
 * <ul>
 * <li>request headers larger than {@code stepchat.limits.max-header-size} (431);</li>
 * <li>a request body declared larger than {@code stepchat.limits.max-body-size}, or for an import
 * {@code stepchat.limits.max-import-size} (413; the server itself reads no more than the latter);
 * a body sent without a Content-Length (chunked) is held to the same limit while it is read;</li>
 * <li>a browser request (CORS) from an origin not in {@code quarkus.http.cors.origins} (403);</li>
 * <li>a query with a raw {@code ;}, which the query decoder would take as a separator (400);</li>
 * <li>requests no route answers (404, instead of the server's plain-text page).</li>
 * </ul>
 * Also keeps Swagger UI's page revalidated ({@code Cache-Control: no-cache}) so that browsers do
 * not keep an old page for a day after an upgrade.
 */
@ApplicationScoped
public class HttpEdgeProblems {

    /** How long a refused body is read and discarded before the connection is closed anyway. */
    private static final Duration DISCARD_WITHIN = Duration.ofSeconds(30);

    void register(
            @Observes Router router,
            ObjectMapper mapper,
            ChatConfig config,
            FilesConfig files,
            @ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> origins,
            @ConfigProperty(name = "quarkus.http.non-application-root-path") String management) {
        router.route().order(Integer.MIN_VALUE + 1).handler(context -> {
            HttpServerRequest request = context.request();
            String path = request.path();
            long headerBytes = headerBytes(request);
            MemorySize maxHeaders = config.limits().maxHeaderSize();
            long length = declaredLength(request);
            String origin = request.getHeader(HttpHeaders.ORIGIN);
            long maxBody = maxBody(path, config, files);
            if (headerBytes > maxHeaders.asLongValue()) {
                send(
                        context,
                        mapper,
                        Problem.of(
                                ProblemType.HEADERS_TOO_LARGE,
                                "The request headers have " + headerBytes + " bytes; at most "
                                        + maxHeaders.asLongValue() + " are accepted",
                                path));
                request.connection().close();
            } else if (length > maxBody) {
                context.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                send(
                        context,
                        mapper,
                        Problem.of(
                                ProblemType.PAYLOAD_TOO_LARGE,
                                "The request body is larger than " + maxBody + " bytes",
                                path));
                discardThenClose(
                        context, length, config.limits().maxImportSize().asLongValue());
            } else if (request.query() != null && request.query().indexOf(';') >= 0) {
                // the query decoder would split "order=asc;drop" into order=asc and drop
                String parameter = parameterWithSemicolon(request.query());
                send(
                        context,
                        mapper,
                        new ProblemException(
                                        ProblemType.VALIDATION_FAILED,
                                        "The request has invalid fields",
                                        java.util.List.of(new Problem.FieldError(
                                                parameter, "must not contain ';' (encode it as %3B)")),
                                        null)
                                .toProblem(path));
            } else if (origin != null && !allowed(origin, origins, request)) {
                send(
                        context,
                        mapper,
                        Problem.of(
                                ProblemType.ORIGIN_NOT_ALLOWED,
                                "Requests from the origin " + origin + " are not allowed (quarkus.http.cors.origins)",
                                path));
            } else {
                if (isSwaggerUiPage(path, management)) {
                    context.addHeadersEndHandler(
                            end -> context.response().headers().set(HttpHeaders.CACHE_CONTROL, "no-cache"));
                }
                context.next();
            }
        });
        // A body sent without a Content-Length (chunked) is counted while it is read (BodyLimit, a
        // 413 problem at the endpoint's limit). Quarkus' own route (order -2) leaves the server-wide
        // limit for its body reader, which answers a bare 413; this one, right after it, narrows
        // that backstop to the endpoint's limit and a little more, so the problem comes first.
        router.route().order(-1).handler(context -> {
            if (context.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                context.put(MAX_REQUEST_SIZE_KEY, maxBody(context.request().path(), config, files) + BACKSTOP_SLACK);
            }
            context.next();
        });
        router.route().last().handler(context -> {
            String path = context.request().path();
            send(context, mapper, Problem.of(ProblemType.NOT_FOUND, "No resource at " + path, path));
        });
    }

    /** Where Quarkus' body readers look for the most a body without a Content-Length may have. */
    private static final String MAX_REQUEST_SIZE_KEY = "io.quarkus.max-request-size";

    /** How far past the limit Quarkus' reader may read ahead before its own, bare, 413. */
    private static final long BACKSTOP_SLACK = 256 * 1024;

    /** The most a request body to {@code path} may have: the import's limit, or every other body's. */
    static long maxBody(String path, ChatConfig config, FilesConfig files) {
        if ("/conversations/import".equals(path)) {
            return config.limits().maxImportSize().asLongValue();
        }
        if ("/files".equals(path)) {
            // the file's own limit holds on its part (Upload); this leaves room for the form around it
            return files.maxSize().asLongValue() + FORM_ROOM;
        }
        return config.limits().maxBodySize().asLongValue();
    }

    /** What a multipart form may add to the file it carries (boundaries, part headers, small fields). */
    static final long FORM_ROOM = 64 * 1024;

    /**
     * Closes the connection once the client has sent the body the 413 refused. A client that writes
     * its whole body before reading the answer (most do, browsers included) would otherwise have the
     * connection reset under it and never read the 413. A body no larger than {@code most} (the
     * import limit: no more than the server reads for an import anyway) is read and discarded, for
     * at most {@link #DISCARD_WITHIN}. A larger one has the connection closed at once, and so has a
     * client that asked with {@code Expect: 100-continue}, which sends no body after a refusal.
     */
    private static void discardThenClose(RoutingContext context, long declared, long most) {
        HttpServerRequest request = context.request();
        HttpConnection connection = request.connection();
        if (declared > most || request.isEnded() || request.getHeader(HttpHeaders.EXPECT) != null) {
            connection.close();
            return;
        }
        long timer = context.vertx().setTimer(DISCARD_WITHIN.toMillis(), expired -> connection.close());
        request.handler(discarded -> {})
                .exceptionHandler(failure -> connection.close())
                .endHandler(end -> {
                    context.vertx().cancelTimer(timer);
                    connection.close();
                })
                .resume();
    }

    /** The same rule as Quarkus' CORS filter: a configured origin, or the service's own. */
    static boolean allowed(String origin, Optional<List<String>> origins, HttpServerRequest request) {
        if (origins.isPresent()
                && (origins.get().contains(origin) || origins.get().contains("*"))) {
            return true;
        }
        String own = request.scheme() + "://" + request.authority();
        return origin.equalsIgnoreCase(own);
    }

    private static String parameterWithSemicolon(String query) {
        for (String pair : query.split("&")) {
            if (pair.indexOf(';') >= 0) {
                int equals = pair.indexOf('=');
                return equals > 0 ? pair.substring(0, equals) : "query";
            }
        }
        return "query";
    }

    private static boolean isSwaggerUiPage(String path, String management) {
        String root = management.startsWith("/") ? management : "/" + management;
        String base = (root.endsWith("/") ? root : root + "/") + "swagger-ui";
        return path.equals(base) || path.equals(base + "/") || path.equals(base + "/index.html");
    }

    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    /** The body's Content-Length, or -1 when there is none or it is not a number. */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Answers with a problem, from a route handler (before any resource runs). */
    public static void send(RoutingContext context, ObjectMapper mapper, Problem problem) {
        String body;
        try {
            body = mapper.writeValueAsString(
                    problem.withRequestId(context.request().getHeader(RequestIds.HEADER)));
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        context.response()
                .setStatusCode(problem.status())
                .putHeader("Content-Type", ProblemResponses.MEDIA_TYPE)
                .end(body);
    }
}
