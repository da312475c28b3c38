package dev.stepchat.conversation.api;

import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** POST /conversations/{id}/fork. */
@RegisterForReflection
@Schema(name = "ForkRequest")
public record ForkRequest(
        @Schema(description = "The message the copy ends with; default: the current message", nullable = true)
        UUID messageId) {}
