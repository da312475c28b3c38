package dev.stepchat.stepfun.simulator;

import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.Usage;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.UUID;

/**
 * The built-in StepFun simulator of dev mode: POST /dev/stepfun-simulator/v1/chat/completions.
 * Only in dev builds; dev mode calls it when STEP_API_KEY is not set.
 */
@IfBuildProfile("dev")
@Path("/dev/stepfun-simulator/v1/chat/completions")
public class StepFunSimulatorResource {

    void announce(@Observes StartupEvent event) {
        String url = ConfigProvider.getConfig().getOptionalValue("quarkus.rest-client.stepfun.url", String.class)
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
        String reply = StepFunSimulator.reply(request);
        int prompt = StepFunSimulator.promptTokens(request);
        int completion = StepFunSimulator.tokens(reply);
        return new ChatCompletion("chatcmpl-sim-" + UUID.randomUUID(), StepFunSimulator.model(request),
                List.of(new ChatCompletion.Choice(0, new ChatCompletion.Message("assistant", reply, null), "stop")),
                new Usage(prompt, completion, prompt + completion, 0, null));
    }
}
