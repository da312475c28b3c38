package dev.stepchat.model.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.model.ModelCatalog;
import dev.stepchat.model.ModelListView;

/** The model picker's list. Needs no token. */
@Path("/models")
@Tag(name = "Models")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class ModelResource {

    private final ModelCatalog catalog;

    ModelResource(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Operation(
            operationId = "listModels",
            summary = "The models a conversation or a turn can name",
            description = "StepFun's model list merged with the service's configured facts (context window, display"
                    + " name). Served from a cache, and from the last good list or the configuration alone when StepFun"
                    + " cannot be reached. No authentication needed.")
    @SecurityRequirements
    @APIResponse(responseCode = "200", description = "The models")
    @APIResponse(responseCode = "406", description = "The Accept header allows no JSON")
    public ModelListView list() {
        return catalog.list();
    }
}
