package dev.stepchat.dev.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;

import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.Usage;
import dev.stepchat.stepfun.WireToolCall;

/**
 * The built-in StepFun simulator of dev mode: POST /dev/stepfun-simulator/v1/chat/completions.
 * Only in dev builds; dev mode calls it when STEP_API_KEY is not set.
 */
@IfBuildProfile("dev")
@Path("/dev/stepfun-simulator/v1/chat/completions")
public class StepFunSimulatorResource {

    private final ObjectMapper json;

    StepFunSimulatorResource(ObjectMapper json) {
        this.json = json;
    }

    void announce(@Observes StartupEvent event) {
        String url = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.rest-client.stepfun.url", String.class)
                .orElse("");
        if (url.contains("/dev/stepfun-simulator/")) {
            Log.warn("No STEP_API_KEY: turns are answered by the built-in StepFun simulator (models named *"
                    + StepFunSimulator.MODEL_SUFFIX + "). Set STEP_API_KEY to call the real StepFun API.");
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public ChatCompletion complete(ChatCompletionRequest request) {
        int prompt = StepFunSimulator.promptTokens(request);
        Optional<WireToolCall> call = StepFunSimulator.toolCall(request);
        if (call.isPresent()) {
            int completion = StepFunSimulator.tokens(call.get().function().arguments()) + 8;
            return new ChatCompletion(
                    "chatcmpl-sim-" + UUID.randomUUID(),
                    StepFunSimulator.model(request),
                    List.of(new ChatCompletion.Choice(
                            0, new ChatCompletion.Message("assistant", "", null, List.of(call.get())), "tool_calls")),
                    new Usage(prompt, completion, prompt + completion, 0, null));
        }
        String reply = StepFunSimulator.reply(request);
        int completion = StepFunSimulator.tokens(reply);
        return new ChatCompletion(
                "chatcmpl-sim-" + UUID.randomUUID(),
                StepFunSimulator.model(request),
                List.of(new ChatCompletion.Choice(
                        0, new ChatCompletion.Message("assistant", reply, null, null), "stop")),
                new Usage(prompt, completion, prompt + completion, 0, null));
    }

    /** The streamed answer: a few words a chunk every 50 ms, running usage in each, then [DONE]. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Multi<String> stream(ChatCompletionRequest request) {
        String id = "chatcmpl-sim-" + UUID.randomUUID();
        String model = StepFunSimulator.model(request);
        int prompt = StepFunSimulator.promptTokens(request);
        Optional<WireToolCall> call = StepFunSimulator.toolCall(request);
        if (call.isPresent()) {
            return streamedCall(id, model, prompt, call.get());
        }
        List<String> pieces = new ArrayList<>();
        String[] words = StepFunSimulator.reply(request).split("(?<= )");
        for (int i = 0; i < words.length; i += 3) {
            pieces.add(String.join("", Arrays.copyOfRange(words, i, Math.min(words.length, i + 3))));
        }
        StringBuilder sent = new StringBuilder();
        return Multi.createFrom()
                .ticks()
                .every(Duration.ofMillis(50))
                .select()
                .first(pieces.size())
                .map(tick -> {
                    int index = tick.intValue();
                    sent.append(pieces.get(index));
                    int completion = StepFunSimulator.tokens(sent.toString());
                    boolean last = index == pieces.size() - 1;
                    return chunk(new ChatCompletionChunk(
                            id,
                            model,
                            List.of(new ChatCompletionChunk.Choice(
                                    0,
                                    new ChatCompletionChunk.Delta(
                                            index == 0 ? "assistant" : "", pieces.get(index), null, null),
                                    last ? "stop" : "")),
                            new Usage(prompt, completion, prompt + completion, 0, null)));
                })
                .onCompletion()
                .continueWith("[DONE]");
    }

    /**
     * A streamed tool call as OpenAI streams one: the id and name with the first piece, the
     * arguments over several chunks, then finish_reason tool_calls.
     */
    private Multi<String> streamedCall(String id, String model, int prompt, WireToolCall call) {
        String arguments = call.function().arguments();
        int third = Math.max(1, arguments.length() / 3);
        List<String> pieces = List.of(
                arguments.substring(0, third),
                arguments.substring(third, Math.min(arguments.length(), 2 * third)),
                arguments.substring(Math.min(arguments.length(), 2 * third)));
        return Multi.createFrom()
                .ticks()
                .every(Duration.ofMillis(50))
                .select()
                .first(pieces.size())
                .map(tick -> {
                    int index = tick.intValue();
                    WireToolCall piece = index == 0
                            ? new WireToolCall(
                                    0,
                                    call.id(),
                                    "function",
                                    new WireToolCall.Function(call.function().name(), pieces.get(0)))
                            : new WireToolCall(0, null, null, new WireToolCall.Function(null, pieces.get(index)));
                    boolean last = index == pieces.size() - 1;
                    int completion = 8
                            + StepFunSimulator.tokens(
                                    arguments.substring(0, Math.min(arguments.length(), (index + 1) * third)));
                    return chunk(new ChatCompletionChunk(
                            id,
                            model,
                            List.of(new ChatCompletionChunk.Choice(
                                    0,
                                    new ChatCompletionChunk.Delta(
                                            index == 0 ? "assistant" : "", null, null, List.of(piece)),
                                    last ? "tool_calls" : "")),
                            new Usage(prompt, completion, prompt + completion, 0, null)));
                })
                .onCompletion()
                .continueWith("[DONE]");
    }

    private String chunk(ChatCompletionChunk chunk) {
        try {
            return json.writeValueAsString(chunk);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
