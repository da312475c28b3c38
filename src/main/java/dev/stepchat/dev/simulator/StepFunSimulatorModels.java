package dev.stepchat.dev.simulator;

import java.util.List;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.arc.profile.IfBuildProfile;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.model.ModelsConfig;
import dev.stepchat.stepfun.ModelList;

/** The dev-mode simulator's GET /v1/models: the configured models and the default one. */
@IfBuildProfile("dev")
@Path("/dev/stepfun-simulator/v1/models")
public class StepFunSimulatorModels {

    private final ModelsConfig models;
    private final ChatConfig chat;

    StepFunSimulatorModels(ModelsConfig models, ChatConfig chat) {
        this.models = models;
        this.chat = chat;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public ModelList list() {
        TreeSet<String> ids = new TreeSet<>(models.catalog().keySet());
        ids.add(chat.defaultModel());
        List<ModelList.Model> data = ids.stream()
                .map(id -> new ModelList.Model(id, "model", 1764064800L, "stepfun"))
                .toList();
        return new ModelList("list", data);
    }
}
