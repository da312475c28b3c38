package dev.stepchat.share.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.share.ShareViews.SharedConversation;
import dev.stepchat.share.Shares;

/** A share link revoked by its owner, and read by anyone who has it. */
@Path("/")
@Tag(name = "Sharing")
@RunOnVirtualThread
public class ShareResource {

    private final Shares shares;

    ShareResource(Shares shares) {
        this.shares = shares;
    }

    @DELETE
    @Path("/shares/{share_id}")
    @Operation(
            operationId = "revokeShare",
            summary = "Revoke a share link",
            description = "The link stops working at once: its page and GET /shared/{share_id} answer 404.")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "404", description = "Unknown share, or another owner's")
    public void revoke(
            @Parameter(description = "The share's id", schema = @Schema(type = SchemaType.STRING, maxLength = 22))
                    @PathParam("share_id")
                    String shareId) {
        shares.revoke(shareId);
    }

    @GET
    @Path("/shared/{share_id}")
    @Produces(MediaType.APPLICATION_JSON)
    @SecurityRequirements
    @Operation(
            operationId = "readShare",
            summary = "A shared conversation (no token needed)",
            description = "The copy a share link holds: the title and messages as they were when it was made. 404 when"
                    + " the link is unknown, revoked or expired, or its conversation was deleted.")
    @APIResponse(
            responseCode = "200",
            description = "The shared copy",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SharedConversation.class),
                            examples =
                                    @ExampleObject(
                                            name = "shared",
                                            value =
                                                    "{\"object\":\"shared_conversation\",\"id\":\"q8x3VbT0mY2kR1nP7wLc9A\",\"title\":\"Kyoto\",\"created_at\":\"2026-12-07T10:00:00Z\",\"messages\":[{\"role\":\"user\",\"content\":\"Plan three days in Kyoto\",\"parts\":null,\"created_at\":\"2026-12-07T09:59:00Z\"},{\"role\":\"assistant\",\"content\":\"Day one: Fushimi Inari at dawn...\",\"parts\":null,\"created_at\":\"2026-12-07T09:59:03Z\"}]}")))
    @APIResponse(responseCode = "404", description = "Unknown, revoked or expired")
    public SharedConversation read(
            @Parameter(description = "The share's id", schema = @Schema(type = SchemaType.STRING, maxLength = 22))
                    @PathParam("share_id")
                    String shareId) {
        return shares.read(shareId);
    }
}
