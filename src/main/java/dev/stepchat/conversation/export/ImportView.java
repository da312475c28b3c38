package dev.stepchat.conversation.export;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.api.ConversationView;

/** The answer to an import: the created conversations as a List, and what was left out. */
@RegisterForReflection
@Schema(name = "ImportResult")
public record ImportView(
        @Schema(enumeration = "list", required = true) String object,
        @Schema(required = true) List<ConversationView> data,
        @Schema(nullable = true, required = true) UUID firstId,
        @Schema(nullable = true, required = true) UUID lastId,
        @Schema(required = true) boolean hasMore,

        @Schema(description = "Content parts that were not text (images, files), left out", required = true)
        int skippedParts) {

    public static ImportView of(ConversationImport.Result result) {
        List<ConversationView> data = result.conversations();
        return new ImportView(
                "list",
                data,
                data.isEmpty() ? null : data.getFirst().id(),
                data.isEmpty() ? null : data.getLast().id(),
                false,
                result.skippedParts());
    }
}
