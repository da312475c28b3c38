package dev.stepchat.dropin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItem;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunBodies;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.Tokens;

/**
 * The drop-in protocol driven by its own client, the official OpenAI Java SDK, pointed at
 * {@code <service>/v1} with the caller's token as its API key: answers whole and streamed, the
 * usage in the caller's ledger and nothing stored as a conversation, the caller's limits, and
 * errors the SDK raises as its own typed exceptions.
 */
@QuarkusTest
@TestProfile(OpenAiDropInTest.Limited.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OpenAiDropInTest extends StepFunStubbedTest {

    /** Authentication on, five turns a minute per owner, StepFun's model list asked for each time. */
    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "stepchat.auth.enabled", "true",
                    "stepchat.owners.turns-per-minute", "5",
                    "stepchat.models.cache-for", "0S",
                    "stepchat.models.retry-after-failure", "0S");
        }
    }

    static final String MODELS = """
            {"object":"list","data":[{"id":"step-3.5-flash","object":"model","created":1764064800,"owned_by":"stepfun"}]}""";

    @TestHTTPResource("/v1")
    URI v1;

    @BeforeEach
    void modelsListed() {
        stepFun.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson(MODELS)));
    }

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(v1.toString())
                .apiKey(apiKey)
                .maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams.Builder ask(String model, String question) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("Be brief.")
                .addUserMessage(question);
    }

    @Test
    void theSdkGetsAWholeAnswerAndTheUsageGoesToTheCallersLedger() {
        String subject = "olga-" + System.nanoTime();
        String token = Tokens.token(subject);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Day one: Fushimi Inari", 21, 7, 3))));

        ChatCompletion answer = client(token)
                .chat()
                .completions()
                .create(ask("step-3.5-flash", "Plan three days in Kyoto").build());

        assertThat(answer.choices()).hasSize(1);
        assertThat(answer.choices().getFirst().message().content()).contains("Day one: Fushimi Inari");
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(answer.model()).isEqualTo("step-3.5-flash");
        assertThat(answer.usage().orElseThrow().totalTokens()).isEqualTo(28);
        assertThat(answer.usage()
                        .orElseThrow()
                        .promptTokensDetails()
                        .orElseThrow()
                        .cachedTokens())
                .contains(3L);
        // StepFun got the history as sent, with the service's key, never the caller's token
        stepFun.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer test-key"))
                .withRequestBody(equalToJson("""
                        {"model":"step-3.5-flash","messages":[{"role":"system","content":"Be brief."},
                         {"role":"user","content":"Plan three days in Kyoto"}]}""", true, true)));

        // in the ledger, under no conversation; and no conversation was stored
        Tokens.as(token)
                .when()
                .get("/usage?group_by=conversation")
                .then()
                .statusCode(200)
                .body("totals.total_tokens", org.hamcrest.Matchers.equalTo(28))
                .body("groups.key", hasItem("chat.completions"));
        Tokens.as(token)
                .when()
                .get("/conversations")
                .then()
                .statusCode(200)
                .body("data.size()", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void theSdkReadsAStreamedAnswerChunkByChunkWithTheUsageLast() {
        String token = Tokens.token("pavel-" + System.nanoTime());
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(StepFunBodies.stream("Day one", ": Fushimi", " Inari"))));

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client(token)
                .chat()
                .completions()
                .createStreaming(ask("step-3.5-flash", "Plan three days in Kyoto")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunks::add);
        }

        List<ChatCompletionChunk> withChoices =
                chunks.stream().filter(c -> !c.choices().isEmpty()).toList();
        assertThat(withChoices.stream()
                        .map(c -> c.choices().getFirst().delta().content().orElse(""))
                        .collect(Collectors.joining()))
                .isEqualTo("Day one: Fushimi Inari");
        // finish_reason is null until the last choice chunk
        assertThat(withChoices.subList(0, withChoices.size() - 1))
                .allSatisfy(
                        c -> assertThat(c.choices().getFirst().finishReason()).isEmpty());
        assertThat(withChoices.getLast().choices().getFirst().finishReason())
                .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
        // the usage comes in a last chunk of its own, with no choices
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().totalTokens()).isEqualTo(13);
        stepFun.verify(
                postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalToJson("{\"stream\":true}", true, true)));

        Tokens.as(token)
                .when()
                .get("/usage")
                .then()
                .statusCode(200)
                .body("totals.total_tokens", org.hamcrest.Matchers.equalTo(13));
    }

    @Test
    void aStreamThatBreaksOffIsAnErrorTheSdkRaisesNotAWholeAnswer() {
        String token = Tokens.token("rita-" + System.nanoTime());
        // two chunks, then the stream ends with no finish reason and no [DONE]
        String broken = StepFunBodies.stream("Day one", ": Fushimi", " Inari")
                .replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"\"")
                .replace("data: [DONE]\n\n", "");
        stepFun.stubFor(post(PATH)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(broken)));

        List<String> text = new ArrayList<>();
        assertThatThrownBy(() -> {
                    try (StreamResponse<ChatCompletionChunk> stream = client(token)
                            .chat()
                            .completions()
                            .createStreaming(ask("step-3.5-flash", "Plan").build())) {
                        stream.stream()
                                .forEach(c -> c.choices()
                                        .forEach(choice ->
                                                choice.delta().content().ifPresent(text::add)));
                    }
                })
                .isInstanceOf(SseException.class)
                .satisfies(e -> assertThat(((SseException) e).code()).contains("upstream_error"));
        assertThat(String.join("", text)).isEqualTo("Day one: Fushimi Inari");
        // what StepFun reported it used is still counted
        Tokens.as(token)
                .when()
                .get("/usage")
                .then()
                .statusCode(200)
                .body("totals.total_tokens", org.hamcrest.Matchers.equalTo(13));
    }

    @Test
    void errorsAreOpenAisSoTheSdkRaisesItsOwnTypedExceptions() {
        String token = Tokens.token("sami-" + System.nanoTime());
        assertThatThrownBy(() -> client("not-a-token")
                        .chat()
                        .completions()
                        .create(ask("step-3.5-flash", "hi").build()))
                .isInstanceOf(UnauthorizedException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).code()).contains("invalid_api_key"));
        assertThatThrownBy(() -> client(token)
                        .chat()
                        .completions()
                        .create(ask("gpt-4o", "hi").build()))
                .isInstanceOf(NotFoundException.class)
                .satisfies(e -> {
                    OpenAIServiceException error = (OpenAIServiceException) e;
                    assertThat(error.code()).contains("model_not_found");
                    assertThat(error.param()).contains("model");
                });
        assertThatThrownBy(() -> client(token)
                        .chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("step-3.5-flash")
                                .addUserMessage("")
                                .n(2)
                                .build()))
                .isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).type()).contains("invalid_request_error"));
        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).isEmpty();
    }

    @Test
    void theCallersShareStopsCallsBeforeStepFunIsCalled() {
        String token = Tokens.token("tove-" + System.nanoTime());
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 5, 1, 0))));
        OpenAIClient client = client(token);
        for (int i = 0; i < 5; i++) {
            client.chat()
                    .completions()
                    .create(ask("step-3.5-flash", "quick " + i).build());
        }
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ask("step-3.5-flash", "one more").build()))
                .isInstanceOf(RateLimitException.class)
                .satisfies(e -> {
                    RateLimitException limited = (RateLimitException) e;
                    assertThat(limited.code()).contains("rate_limit_exceeded");
                    assertThat(limited.headers().values("Retry-After")).isNotEmpty();
                });
        assertThat(stepFun.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(5);
        // another owner is not limited by it
        client(Tokens.token("ulla-" + System.nanoTime()))
                .chat()
                .completions()
                .create(ask("step-3.5-flash", "mine").build());
    }

    @Test
    void theSdkListsTheModels() {
        var models = client(Tokens.token("vera-" + System.nanoTime())).models().list();
        assertThat(models.data()).extracting(m -> m.id()).contains("step-3.5-flash");
        assertThat(models.data().getFirst().ownedBy()).isEqualTo("stepfun");
    }

    @Test
    void realResponsesAreWhatTheOpenApiDocumentSays() {
        String token = Tokens.token("wanda-" + System.nanoTime());
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("Day one", 21, 7, 0))));
        String ask =
                "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Plan\"}]}]}";
        OpenApiDocument.assertDocumented(
                        "POST",
                        "/v1/chat/completions",
                        Tokens.as(token)
                                .contentType(ContentType.JSON)
                                .body(ask.formatted("step-3.5-flash"))
                                .when()
                                .post("/v1/chat/completions"))
                .then()
                .statusCode(200)
                .body("choices[0].message.content", org.hamcrest.Matchers.equalTo("Day one"));
        OpenApiDocument.assertDocumented(
                        "POST",
                        "/v1/chat/completions",
                        Tokens.as(token)
                                .contentType(ContentType.JSON)
                                .body(ask.formatted("gpt-4o"))
                                .when()
                                .post("/v1/chat/completions"))
                .then()
                .statusCode(404)
                .contentType(ContentType.JSON)
                .body("error.code", org.hamcrest.Matchers.equalTo("model_not_found"));
        OpenApiDocument.assertDocumented(
                        "POST",
                        "/v1/chat/completions",
                        Tokens.as(token)
                                .contentType(ContentType.JSON)
                                .body(
                                        "{\"model\":\"step-3.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}]}")
                                .when()
                                .post("/v1/chat/completions"))
                .then()
                .statusCode(400)
                .body("error.type", org.hamcrest.Matchers.equalTo("invalid_request_error"))
                .body("error.param", org.hamcrest.Matchers.equalTo("messages[0].content"));
        OpenApiDocument.assertDocumented(
                        "GET", "/v1/models", Tokens.as(token).when().get("/v1/models"))
                .then()
                .statusCode(200);
        OpenApiDocument.assertDocumented("GET", "/v1/models", given().when().get("/v1/models"))
                .then()
                .statusCode(401)
                .body("error.code", org.hamcrest.Matchers.equalTo("invalid_api_key"));
    }
}
