package dev.stepchat.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A StepFun stand-in whose answers the test scripts step by step, for streams: send a chunk,
 * wait until the test says go, drop the connection. It records the request bodies and whether
 * the service closed a stream on it.
 */
public class ScriptedStepFun implements QuarkusTestResourceLifecycleManager {

    /** One scripted answer. */
    public interface Script {
        void answer(HttpExchange exchange, Recorder recorder) throws IOException, InterruptedException;
    }

    public static final class Recorder {
        public final List<String> bodies = new CopyOnWriteArrayList<>();
        public final AtomicBoolean closedByService = new AtomicBoolean();
    }

    private static final BlockingQueue<Script> SCRIPTS = new LinkedBlockingQueue<>();
    public static final Recorder RECORDER = new Recorder();
    private HttpServer server;
    private static volatile String url;

    /** The stub's base URL, for another replica started by a test. */
    public static String url() {
        return url;
    }

    public static void reset() {
        SCRIPTS.clear();
        RECORDER.bodies.clear();
        RECORDER.closedByService.set(false);
    }

    public static void then(Script script) {
        SCRIPTS.add(script);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            RECORDER.bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Script script = SCRIPTS.poll();
            try {
                if (script == null) {
                    exchange.sendResponseHeaders(500, -1);
                } else {
                    script.answer(exchange, RECORDER);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // a script that cut the stream threw past this: the server drops the connection unfinished
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        return Map.of("quarkus.rest-client.stepfun.url", url, "stepfun.api-key", "test-key");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- scripts

    public static Script status(int status, Map<String, String> headers, String body) {
        return (exchange, recorder) -> {
            headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        };
    }

    /** Server-sent events; each step either writes or waits. */
    public static Script events(Step... steps) {
        return (exchange, recorder) -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (Step step : steps) {
                    if (!step.run(out)) {
                        throw new IllegalStateException("stream cut by the script");
                    }
                }
            } catch (IOException e) {
                recorder.closedByService.set(true);
            }
        };
    }

    public interface Step {
        /** Returns false to stop the script there (the connection is then dropped). */
        boolean run(OutputStream out) throws IOException, InterruptedException;
    }

    public static Step chunk(String content, String finishReason, int prompt, int completion) {
        String json = """
                {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764064800,"model":"step-3.5-flash",\
                "choices":[{"index":0,"delta":{"role":"","content":"%s"},"finish_reason":"%s"}],\
                "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"cached_tokens":0}}""".formatted(content, finishReason, prompt, completion, prompt + completion);
        return out -> {
            out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        };
    }

    /** Writes server-sent events as given (a whole stream of StepFunBodies, say). */
    public static Step raw(String events) {
        return out -> {
            out.write(events.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        };
    }

    public static Step done() {
        return out -> {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        };
    }

    /** Holds the stream until the test counts the latch down (gives up after 20 s). */
    public static Step await(CountDownLatch go) {
        return out -> go.await(20, TimeUnit.SECONDS);
    }

    /** Ends the response abruptly, without the last chunk or [DONE]. */
    public static Step cut() {
        return out -> false;
    }

    /** Keeps sending a chunk every 100 ms until the service closes the connection (at most 600). */
    public static Step trickleUntilClosed() {
        return out -> {
            for (int i = 0; i < 600; i++) {
                chunk("x", "", 10, i + 2).run(out);
                Thread.sleep(100);
            }
            return false;
        };
    }
}
