package dev.stepchat.share;

import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The JSON of share links: what the owner makes and lists, and what anyone with the link reads. */
public final class ShareViews {

    private ShareViews() {}

    /** The body of POST /conversations/{id}/shares; may be left out. */
    @RegisterForReflection
    @Schema(name = "CreateShare")
    public record CreateShare(
            @Schema(
                    description = "The last message shared, on the current branch's path to it; default the"
                            + " conversation's current message",
                    nullable = true)
            UUID messageId,

            @Min(1)
            @Max(Shares.MAX_EXPIRES_IN)
            @Schema(
                    description = "Seconds until the link stops working; none: it works until revoked",
                    minimum = "1",
                    maximum = "315360000",
                    nullable = true)
            Long expiresIn) {}

    /** A share link, as its owner sees it. */
    @RegisterForReflection
    @Schema(name = "Share")
    public record Share(
            @Schema(required = true, description = "22 base64url characters, 128 random bits")
            String id,

            @Schema(required = true, enumeration = "share") String object,

            @Schema(
                    required = true,
                    description = "The share's page (no token needed)",
                    examples = "/s/q8x3VbT0mY2kR1nP7wLc9A")
            String url,

            @Schema(required = true, description = "The last message shared")
            UUID messageId,

            @Schema(required = true, format = "date-time") String createdAt,

            @Schema(
                    required = true,
                    nullable = true,
                    format = "date-time",
                    description = "When the link stops working; null: never")
            String expiresAt) {}

    /** The owner's share links of a conversation, oldest first. */
    @RegisterForReflection
    @Schema(name = "ShareList")
    public record ShareList(
            @Schema(required = true, enumeration = "list") String object,
            @Schema(required = true) List<Share> data,

            @Schema(required = true, description = "Always false: a conversation's links come in one page")
            boolean hasMore) {}

    /** What anyone with the link reads: no system prompt, usage, cost, metadata or owner. */
    @RegisterForReflection
    @Schema(name = "SharedConversation")
    public record SharedConversation(
            @Schema(required = true, enumeration = "shared_conversation")
            String object,

            @Schema(required = true, description = "The share's id")
            String id,

            @Schema(required = true, nullable = true, description = "The conversation's title when shared")
            String title,

            @Schema(required = true, format = "date-time", description = "When the link was made")
            String createdAt,

            @Schema(required = true, description = "The branch up to the shared message, oldest first")
            List<SharedMessage> messages) {}

    @RegisterForReflection
    @Schema(name = "SharedMessage")
    public record SharedMessage(
            @Schema(
                    required = true,
                    enumeration = {"user", "assistant", "tool"})
            String role,

            @Schema(required = true) String content,

            @Schema(required = true, nullable = true, description = "Null: a text-only message")
            Object parts,

            @Schema(required = true, format = "date-time") String createdAt) {}
}
