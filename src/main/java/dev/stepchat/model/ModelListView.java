package dev.stepchat.model;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** GET /models. */
@RegisterForReflection
@Schema(name = "ModelList")
public record ModelListView(
        @Schema(enumeration = "list", required = true) String object,
        @Schema(required = true) List<ModelView> data) {}
