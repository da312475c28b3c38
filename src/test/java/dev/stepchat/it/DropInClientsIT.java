package dev.stepchat.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.stepchat.support.AuthOnResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.InjectWireMock;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;

/**
 * The drop-in protocols' own clients against the packaged application (the native executable with
 * -Dnative), authentication on: the official OpenAI Java SDK against {@code /v1}, and the AI SDK's
 * chat client (the {@code ai} package's AbstractChat and DefaultChatTransport, run by Node.js from
 * {@code src/test/js}) against {@code /conversations/{id}/chat}. Without that folder's
 * {@code npm install} the AI SDK check is skipped, unless {@code -Dai-sdk-tests=required}
 * (as in CI) makes that a failure.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(StepFunStub.class)
@WithTestResource(AuthOnResource.class)
class DropInClientsIT {

    static final String ANSWER = "Day one: Fushimi Inari";
    static final String SLOW = "one two three four five six seven eight";

    @InjectWireMock
    WireMockServer stepFun;

    @BeforeEach
    void reset() {
        stepFun.resetAll();
        stepFun.stubFor(post(PATH)
                .withRequestBody(containing("slow"))
                .atPriority(1)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.stream(SLOW.split("(?<= )")))
                        .withChunkedDribbleDelay(8, 3_000)));
        stepFun.stubFor(post(PATH)
                .atPriority(5)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.stream("Day one", ": Fushimi", " Inari"))));
    }

    private static String token(String subject) {
        try {
            return Jwt.issuer(AuthOnResource.ISSUER)
                    .subject(subject + "-" + System.nanoTime())
                    .audience(AuthOnResource.AUDIENCE)
                    .expiresIn(Duration.ofMinutes(5))
                    .sign(KeyUtils.readPrivateKey("test-jwt-private.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    @Test
    void theOpenAiSdkStreamsAnAnswerFromThePackagedService() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(base() + "/v1")
                .apiKey(token("olga"))
                .maxRetries(0)
                .build();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("step-3.5-flash")
                        .addUserMessage("Plan three days in Kyoto")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text).hasToString(ANSWER);
        assertThat(chunks.getLast().usage().orElseThrow().totalTokens()).isEqualTo(13);
        assertThat(client.models().list().data()).isNotEmpty();
    }

    @Test
    void theAiSdkChatClientSendsRegeneratesAndResumes() throws Exception {
        Path folder = Path.of("src/test/js");
        Path node = folder.resolve("node_modules/.bin/node");
        if (!Files.isExecutable(node) || !Files.isDirectory(folder.resolve("node_modules/ai"))) {
            String why = "src/test/js has no npm install (Node.js 22 and the ai package)";
            if ("required".equals(System.getProperty("ai-sdk-tests"))) {
                throw new AssertionError(why + ", and -Dai-sdk-tests=required");
            }
            Assumptions.abort(why + ": the AI SDK check is skipped");
        }
        Process run = new ProcessBuilder(
                        node.toAbsolutePath().toString(), "ai-sdk-chat.mjs", base(), token("pavel"), ANSWER, SLOW)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .start();
        boolean ended = run.waitFor(2, TimeUnit.MINUTES);
        if (!ended) {
            run.destroyForcibly();
        }
        String output = output(run);
        assertThat(ended).as("the AI SDK script ended; it printed:%n%s", output).isTrue();
        assertThat(run.exitValue())
                .as("the AI SDK script's checks:%n%s", output)
                .isZero();
        assertThat(output).contains("ok the resumed answer is whole", "all checks passed");
    }

    private static String output(Process run) throws IOException {
        return new String(run.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
    }
}
