package dev.stepchat.conversation.api;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A cursor page of a list. */
@RegisterForReflection
public record ListPage<T>(
        @Schema(enumeration = "list", required = true) String object,
        @Schema(required = true) List<T> data,

        @Schema(description = "Id of the first item; null on an empty page", nullable = true, required = true)
        UUID firstId,

        @Schema(description = "Id of the last item; null on an empty page", nullable = true, required = true)
        UUID lastId,

        @Schema(description = "Whether more items follow in this direction", required = true)
        boolean hasMore) {

    public static <T> ListPage<T> of(List<T> data, Function<T, UUID> id, boolean hasMore) {
        return new ListPage<>(
                "list",
                data,
                data.isEmpty() ? null : id.apply(data.getFirst()),
                data.isEmpty() ? null : id.apply(data.getLast()),
                hasMore);
    }
}
