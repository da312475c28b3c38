package dev.stepchat.usage;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** GET /conversations/{id}/usage: the totals and their split by the model that answered. */
@RegisterForReflection
@Schema(name = "ConversationUsage")
public record UsageReport(
        @Schema(required = true) UUID conversationId,
        @Schema(required = true) long promptTokens,
        @Schema(required = true) long completionTokens,
        @Schema(required = true) long totalTokens,
        @Schema(required = true) long cachedTokens,
        @Schema(required = true) long turns,

        @Schema(description = "The sum of the turns' costs, 8 decimal places", required = true, examples = "0.00012200")
        String cost,

        @Schema(description = "Whether every turn counted had a price", required = true)
        boolean costComplete,

        @Schema(required = true) List<ModelUsage> byModel) {

    @RegisterForReflection
    @Schema(name = "ModelUsage")
    public record ModelUsage(
            @Schema(required = true) String model,
            @Schema(required = true) long promptTokens,
            @Schema(required = true) long completionTokens,
            @Schema(required = true) long totalTokens,
            @Schema(required = true) long cachedTokens,
            @Schema(required = true) long turns,

            @Schema(required = true, examples = "0.00006100")
            String cost,

            @Schema(required = true) boolean costComplete) {}
}
