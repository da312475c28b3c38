package dev.stepchat.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.AuthOffResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;

/**
 * Imports against a packaged replica with a 256 MB heap, the production limits (50 MB a file)
 * and the body sent chunked, as a script would stream it: a 45 MB list of empty objects is
 * refused without the heap going with it, and a 30 MB ChatGPT export is stored whole. Reading a
 * file into one tree would need several times its size and fail both.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(StepFunStub.class)
@WithTestResource(AuthOffResource.class)
class ImportMemoryIT {

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void largeImportsKeepTheHeapBounded() throws Exception {
        try (SecondInstance small = SecondInstance.onTheTestDatabase("http://localhost:1", Map.of(), "-Xmx256m")) {
            // 45 MB of [{},{},...]: 15 million objects
            HttpResponse<String> empties = post(small.base(), streamed(15_000_000, i -> i == 0 ? "[{}" : ",{}", "]"));
            assertThat(empties.statusCode()).isEqualTo(400);
            assertThat(JsonPath.from(empties.body()).getString("errors[0].field"))
                    .startsWith("[0]");

            // a 30 MB ChatGPT export: 300 conversations of 50 messages of 2,000 characters
            String text = "Lorem ipsum ".repeat(166) + "dolor";
            HttpResponse<String> export =
                    post(small.base(), streamed(300, i -> (i == 0 ? "[" : ",") + chatGpt(i, text), "]"));
            assertThat(export.statusCode()).as(export.body()).isEqualTo(201);
            assertThat(JsonPath.from(export.body()).getList("data")).hasSize(300);
            assertThat(small.exited()).as("the replica is still up").isFalse();
        }
    }

    /** One conversation of a ChatGPT export, with 50 messages of {@code text}, user and assistant in turn. */
    private static String chatGpt(int n, String text) {
        StringBuilder mapping = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            mapping.append(i == 0 ? "" : ",")
                    .append("\"m")
                    .append(i)
                    .append("\":{\"id\":\"m")
                    .append(i)
                    .append("\",\"parent\":")
                    .append(i == 0 ? "null" : "\"m" + (i - 1) + "\"")
                    .append(",\"children\":[],\"message\":{\"author\":{\"role\":\"")
                    .append(i % 2 == 0 ? "user" : "assistant")
                    .append("\"},\"create_time\":1764064800.5,\"content\":{\"content_type\":\"text\",\"parts\":[\"")
                    .append(text)
                    .append("\"]}}}");
        }
        return "{\"title\":\"Imported " + n + "\",\"create_time\":1764064800,\"current_node\":\"m49\",\"mapping\":{"
                + mapping + "}}";
    }

    /** A body made piece by piece as it is sent: {@code count} pieces, then {@code end}. */
    private static InputStream streamed(int count, IntFunction<String> piece, String end) {
        Iterator<InputStream> pieces = new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i <= count;
            }

            @Override
            public InputStream next() {
                StringBuilder chunk = new StringBuilder();
                // a few thousand pieces at a time, so that the stream is not one call per piece
                for (int n = 0; n < 4096 && i < count; n++, i++) {
                    chunk.append(piece.apply(i));
                }
                if (i == count) {
                    chunk.append(end);
                    i++;
                }
                return new java.io.ByteArrayInputStream(chunk.toString().getBytes(StandardCharsets.UTF_8));
            }
        };
        return new SequenceInputStream(new java.util.Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return pieces.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return pieces.next();
            }
        });
    }

    private HttpResponse<String> post(URI base, InputStream body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(base.resolve("/conversations/import"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
