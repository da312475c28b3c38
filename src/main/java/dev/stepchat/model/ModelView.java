package dev.stepchat.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One model of GET /models. */
@RegisterForReflection
@Schema(name = "Model")
public record ModelView(
        @Schema(required = true, examples = "step-3.5-flash")
        String id,

        @Schema(enumeration = "model", required = true) String object,

        @Schema(
                description = "Most tokens of prompt and reply together; null when the service's configuration does not"
                        + " describe the model (then its turns get no context fitting)",
                nullable = true,
                required = true)
        Integer contextWindow,

        @Schema(
                description = "A name for model pickers; null when none is configured",
                nullable = true,
                required = true)
        String displayName,

        @Schema(description = "Prices; null while none are configured for the model", nullable = true, required = true)
        Pricing pricing,

        @Schema(description = "What the model takes and does, as configured", required = true)
        Capabilities capabilities) {

    /** What a model takes: images (vision), tools, and whether it reasons. */
    @RegisterForReflection
    @Schema(name = "Capabilities")
    public record Capabilities(
            @Schema(description = "Takes image parts; else they are a 400 model-cannot-see", required = true)
            boolean vision,

            @Schema(description = "Takes tools; else they are a 400 model-cannot-use-tools", required = true)
            boolean tools,

            @Schema(description = "Reasons before answering (reasoning is streamed apart)", required = true)
            boolean reasoning) {}

    /** Prices per {@code per_tokens} tokens, as decimal strings. */
    @RegisterForReflection
    @Schema(name = "Pricing")
    public record Pricing(
            @Schema(required = true) String input,
            @Schema(required = true) String cachedInput,
            @Schema(required = true) String output,
            @Schema(required = true) long perTokens,
            @Schema(required = true) String currency) {}
}
