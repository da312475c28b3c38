package dev.stepchat.usage.api;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An owner's spending limits: the body of PUT and the answer of GET /admin/owners/{owner}/limits. */
@RegisterForReflection
@Schema(name = "Limits")
public record LimitsView(
        @Schema(required = true) @NotNull @Size(max = 4) List<@Valid @NotNull Limit> limits) {

    /** A limit per UTC day or calendar month, in tokens or in cost; null for none. */
    @RegisterForReflection
    @Schema(name = "Limit")
    public record Limit(
            @Schema(
                    enumeration = {"day", "month"},
                    required = true)
            @NotNull
            @Pattern(regexp = "day|month")
            String window,

            @Schema(
                    enumeration = {"tokens", "cost"},
                    required = true)
            @NotNull
            @Pattern(regexp = "tokens|cost")
            String unit,

            @Schema(
                    description = "Tokens: an integer; cost: a decimal string; null: no limit",
                    nullable = true,
                    required = true)
            com.fasterxml.jackson.databind.JsonNode limit) {}
}
