// The streaming benchmark's two ends, in one JDK-only source file (run with `java StreamBench.java`):
//
//   java StreamBench.java simulator PORT GAP_MS CHUNKS
//     a StepFun stand-in whose streams send CHUNKS chunks GAP_MS apart; each chunk's text is the
//     time it left (epoch microseconds) and a space, so the client can tell how long it took to arrive.
//   java StreamBench.java client APP STREAMS RAMP_S RESUME_EVERY OUT.json
//     opens STREAMS streamed turns over RAMP_S seconds and reads them to their end. Every
//     RESUME_EVERY-th stream hangs up halfway, waits a second, and resumes with Last-Event-ID. It
//     writes the delays from a chunk leaving the simulator to its delta reaching the client, the time
//     to the first event of each resume, and whether every stream's text (original and resumed
//     parts together) equals the stored answer.
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class StreamBench {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("simulator")) {
            simulator(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]));
        }
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    // ------------------------------------------------------------------ simulator

    static void simulator(int port, int gapMs, int chunks) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!request.replace(" ", "").contains("\"stream\":true")) {
                byte[] body = ("{\"id\":\"sim\",\"object\":\"chat.completion\",\"model\":\"bench-stream\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 1; i <= chunks; i++) {
                    boolean last = i == chunks;
                    String chunk = "{\"id\":\"sim\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-stream\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + micros() + " \"},\"finish_reason\":\""
                            + (last ? "stop" : "") + "\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":" + i
                            + ",\"total_tokens\":" + (20 + i) + "}}";
                    out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (!last) {
                        Thread.sleep(gapMs);
                    }
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            } catch (Exception closed) {
                // the service cancelled the stream
            }
        });
        server.createContext("/v1/models", exchange -> {
            byte[] body = "{\"object\":\"list\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        System.err.println("stream simulator on " + port + ": " + chunks + " chunks " + gapMs + " ms apart");
        Thread.currentThread().join();
    }

    // ------------------------------------------------------------------ client

    static final Pattern CONTENT = Pattern.compile("\"content\":\"([^\"]*)\"");
    static final Pattern MESSAGE_CONTENT = Pattern.compile("\"message\":\\{[^}]*?\"content\":\"([^\"]*)\"");
    static final Pattern ID = Pattern.compile("\"message\":\\{\"id\":\"([^\"]+)\"");
    static final Pattern CONVERSATION = Pattern.compile("\"id\":\"([^\"]+)\"");

    record Event(String id, String name, String data) {
    }

    static Event next(BufferedReader lines) throws Exception {
        String id = null;
        String name = null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                return new Event(id, name, line.substring(5).strip());
            }
        }
        return null;
    }

    static void client(String app, int streams, int rampSeconds, int resumeEvery, Path out) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> resumes = new ConcurrentLinkedQueue<>();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger mismatched = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int n = 0; n < streams; n++) {
            long at = start + (long) n * rampSeconds * 1_000_000_000L / streams;
            boolean resume = resumeEvery > 0 && n % resumeEvery == 0;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                    String created = http.send(HttpRequest.newBuilder(URI.create(app + "/conversations"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\":\"bench-stream\"}")).build(), HttpResponse.BodyHandlers.ofString()).body();
                    Matcher conversation = CONVERSATION.matcher(created);
                    if (!conversation.find()) {
                        throw new IllegalStateException(created);
                    }
                    String id = conversation.group(1);
                    HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
                                    URI.create(app + "/conversations/" + id + "/messages"))
                            .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"go\"}")).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("status " + response.statusCode());
                    }
                    StringBuilder text = new StringBuilder();
                    String answer = null;
                    String lastId = null;
                    Event event;
                    BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
                    long hangUpAt = System.nanoTime() + 30_000_000_000L;
                    String stored = null;
                    boolean resumed = false;
                    while (true) {
                        event = next(lines);
                        if (event == null) {
                            break;
                        }
                        lastId = event.id();
                        switch (event.name()) {
                            case "start" -> {
                                Matcher m = ID.matcher(event.data());
                                m.find();
                                answer = m.group(1);
                            }
                            case "delta" -> take(event.data(), text, delays);
                            case "done" -> {
                                Matcher m = MESSAGE_CONTENT.matcher(event.data());
                                stored = m.find() ? m.group(1) : null;
                            }
                            default -> {
                            }
                        }
                        if (stored != null || "error".equals(event.name())) {
                            break;
                        }
                        if (resume && !resumed && System.nanoTime() > hangUpAt) {
                            response.body().close();
                            Thread.sleep(1000);
                            long asked = System.nanoTime();
                            HttpRequest.Builder again = HttpRequest.newBuilder(URI.create(app + "/conversations/" + id
                                    + "/messages/" + answer + "/events")).header("Accept", "text/event-stream").GET();
                            again.header("Last-Event-ID", lastId);
                            response = http.send(again.build(), HttpResponse.BodyHandlers.ofInputStream());
                            lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
                            Event first = next(lines);
                            resumes.add((System.nanoTime() - asked) / 1_000);
                            resumed = true;
                            if (first != null && "delta".equals(first.name())) {
                                // text produced while nobody read: its delay is not the service's
                                take(first.data(), text, null);
                                lastId = first.id();
                            }
                        }
                    }
                    if (stored == null) {
                        failed.incrementAndGet();
                    } else {
                        completed.incrementAndGet();
                        if (!stored.contentEquals(text)) {
                            mismatched.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    System.err.println("stream failed: " + e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        List<Long> d = new ArrayList<>(delays);
        List<Long> r = new ArrayList<>(resumes);
        Collections.sort(d);
        Collections.sort(r);
        String json = "{\"streams\": " + streams + ", \"completed\": " + completed + ", \"failed\": " + failed
                + ", \"mismatched\": " + mismatched + ", \"chunks\": " + d.size()
                + ", \"delay_p50_ms\": " + pct(d, 0.50) + ", \"delay_p99_ms\": " + pct(d, 0.99)
                + ", \"delay_max_ms\": " + pct(d, 1.0) + ", \"resumes\": " + r.size()
                + ", \"resume_p50_ms\": " + pct(r, 0.50) + ", \"resume_p99_ms\": " + pct(r, 0.99)
                + ", \"resume_max_ms\": " + pct(r, 1.0) + "}";
        Files.writeString(out, json);
        System.out.println(json);
    }

    /** Appends a delta's text; each stamp in it (one per chunk) gives a delay. */
    static void take(String data, StringBuilder text, ConcurrentLinkedQueue<Long> delays) {
        Matcher m = CONTENT.matcher(data);
        if (!m.find()) {
            return;
        }
        String content = m.group(1);
        text.append(content);
        if (delays != null) {
            long now = micros();
            for (String stamp : content.trim().split(" ")) {
                if (!stamp.isEmpty()) {
                    delays.add(now - Long.parseLong(stamp));
                }
            }
        }
    }

    static String pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return "null";
        }
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1);
        return String.format(java.util.Locale.ROOT, "%.1f", sorted.get(Math.max(0, i)) / 1000.0);
    }
}
