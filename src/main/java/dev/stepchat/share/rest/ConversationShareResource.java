package dev.stepchat.share.rest;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.share.ShareViews.CreateShare;
import dev.stepchat.share.ShareViews.Share;
import dev.stepchat.share.ShareViews.ShareList;
import dev.stepchat.share.Shares;

/** The conversation's share links, made and listed by its owner. */
@Path("/conversations/{id}/shares")
@Tag(name = "Sharing")
@RunOnVirtualThread
public class ConversationShareResource {

    private final Shares shares;

    ConversationShareResource(Shares shares) {
        this.shares = shares;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "createShare",
            summary = "Share a conversation read-only",
            description = "Copies the current branch up to message_id (default: the current message) now: later turns,"
                    + " edits, renames or deletions do not change the copy. Anyone with the link reads it without a"
                    + " token, at GET /shared/{share_id} and as a page at the url, until it expires (expires_in"
                    + " seconds), is revoked, or the conversation is deleted. The copy holds each message's role,"
                    + " text and time: no system prompt, usage, cost, metadata or owner.")
    @RequestBody(
            required = false,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CreateShare.class),
                            examples = @ExampleObject(name = "a week", value = "{\"expires_in\":604800}")))
    @APIResponse(
            responseCode = "201",
            description = "The link",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Share.class),
                            examples =
                                    @ExampleObject(
                                            name = "share",
                                            value =
                                                    "{\"id\":\"q8x3VbT0mY2kR1nP7wLc9A\",\"object\":\"share\",\"url\":\"/s/q8x3VbT0mY2kR1nP7wLc9A\",\"message_id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"created_at\":\"2026-12-07T10:00:00Z\",\"expires_at\":\"2026-12-14T10:00:00Z\"}")))
    @APIResponse(responseCode = "400", description = "No messages, a message of another conversation, a bad expires_in")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "415", description = "Not JSON")
    public Response create(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Valid CreateShare body) {
        Share share = shares.create(Ids.conversation(id), body);
        return Response.created(URI.create("/shared/" + share.id()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(share)
                .build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "listShares",
            summary = "The conversation's share links",
            description = "Its owner's links to the conversation, oldest first, expired ones included.")
    @APIResponse(
            responseCode = "200",
            description = "The links",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ShareList.class)))
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public ShareList list(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id) {
        return shares.list(Ids.conversation(id));
    }
}
