package dev.stepchat.conversation.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.usage.UsageTotals;

@RegisterForReflection
@Schema(name = "Conversation")
public record ConversationView(
        @Schema(description = "UUIDv7, time-ordered", required = true)
        UUID id,

        @Schema(enumeration = "conversation", required = true)
        String object,

        @Schema(nullable = true, required = true) String title,

        @Schema(description = "Default model of the conversation's turns", examples = "step-3.5-flash", required = true)
        String model,

        @Schema(nullable = true, required = true) String systemPrompt,

        @Schema(description = "At most 16 pairs; keys at most 64, values at most 512 characters", required = true)
        Map<String, String> metadata,

        @Schema(required = true) Instant createdAt,
        @Schema(required = true) Instant updatedAt,

        @Schema(
                description = "Most prompt tokens a turn may send; null: the model's context window less the room kept"
                        + " for the reply",
                nullable = true,
                required = true)
        Integer contextLimit,

        @Schema(
                description =
                        "Most tokens the conversation may use in total (turns after that are refused); null: no cap",
                nullable = true,
                required = true)
        Long maxTotalTokens,

        @Schema(
                description = "The tools its turns offer the model, as given; null when none",
                type = SchemaType.ARRAY,
                implementation = Tool.class,
                nullable = true,
                required = true)
        JsonNode tools,

        @Schema(description = "Stored messages of all branches", required = true)
        long messageCount,

        @Schema(description = "Exact sums over every answered turn", required = true)
        UsageTotals usage,

        @Schema(
                description = "The last message of the branch being shown; null when empty",
                nullable = true,
                required = true)
        UUID currentMessageId,

        @Schema(
                description = "Where this conversation was forked from; null when it was not",
                nullable = true,
                required = true)
        ForkedFrom forkedFrom,

        @Schema(description = "Kept at the top of the user's list (a filter: pinned=true)", required = true)
        boolean pinned,

        @Schema(description = "Hidden from lists unless archived=true or archived=any", required = true)
        boolean archived,

        @Schema(description = "Search results only (q): where it matched; null when the title did", nullable = true)
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        java.util.Optional<Match> match,

        @JsonIgnore @Schema(hidden = true) long version) {

    /** A search hit in a message: the newest matching message and the text around the match. */
    @RegisterForReflection
    @Schema(name = "SearchMatch")
    public record Match(
            @Schema(required = true) UUID messageId,

            @Schema(description = "About 120 characters around the match", required = true)
            String snippet) {}

    /** The same conversation as a search hit. */
    public ConversationView withMatch(Match hit) {
        return new ConversationView(
                id,
                object,
                title,
                model,
                systemPrompt,
                metadata,
                createdAt,
                updatedAt,
                contextLimit,
                maxTotalTokens,
                tools,
                messageCount,
                usage,
                currentMessageId,
                forkedFrom,
                pinned,
                archived,
                java.util.Optional.ofNullable(hit),
                version);
    }

    /** The conversation and message a fork was copied from. */
    @RegisterForReflection
    @Schema(name = "ForkedFrom")
    public record ForkedFrom(
            @Schema(required = true) UUID conversationId,
            @Schema(required = true) UUID messageId) {}

    /** The ETag of this state of the conversation. */
    public String etag() {
        return etag(version);
    }

    /** The ETag of a conversation at {@code version}. */
    public static String etag(long version) {
        return "\"" + version + "\"";
    }
}
