package dev.stepchat.conversation.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.api.ListPage;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.ConversationService;

/** The messages of a conversation. Sending one (a chat turn) is {@code turn.rest.TurnResource}. */
@Path("/conversations/{id}/messages")
@Tag(name = "Messages")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class MessageResource {

    private final ConversationService conversations;

    MessageResource(ConversationService conversations) {
        this.conversations = conversations;
    }

    @GET
    @Operation(
            operationId = "listMessages",
            summary = "List the messages of a conversation, oldest first by default",
            description =
                    "Cursor paging over the messages of the current branch (default) or of every branch, ordered by"
                            + " id (creation).")
    @APIResponse(responseCode = "200", description = "A page of messages")
    @APIResponse(responseCode = "400", description = "Bad query parameter or unknown cursor")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public ListPage<MessageView> list(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(
                            description = "Page size, 1 to 100",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "1",
                                            maximum = "100",
                                            defaultValue = "20"))
                    @QueryParam("limit")
                    String limit,
            @Parameter(
                            description = "Id of a message: the page continues after it",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @QueryParam("after")
                    String after,
            @Parameter(
                            description = "Id of a message: the page ends just before it",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @QueryParam("before")
                    String before,
            @Parameter(
                            description = "Order by id (creation)",
                            schema =
                                    @Schema(
                                            enumeration = {"asc", "desc"},
                                            defaultValue = "asc"))
                    @QueryParam("order")
                    String order,
            @Parameter(
                            description =
                                    "current: the path from the root to the current message; all: every message of"
                                            + " every branch (each with parent_id, for sibling switchers)",
                            schema =
                                    @Schema(
                                            enumeration = {"current", "all"},
                                            defaultValue = "current"))
                    @QueryParam("branch")
                    String branch) {
        return conversations.messages(
                Ids.conversation(id), PageRequest.parse(limit, after, before, order, false), branch);
    }

    @DELETE
    @Path("/{message_id}")
    @Operation(
            operationId = "deleteMessage",
            summary = "Delete a message and everything below it",
            description =
                    "Removes the message and its subtree (every branch that follows it). The conversation's totals"
                            + " and the usage ledger keep their tokens. If the current message was removed, the current message"
                            + " becomes the most recent last message under the removed message's parent (or of the remaining"
                            + " roots, or null).")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown conversation or message")
    @APIResponse(responseCode = "409", description = "A turn is running in that subtree")
    public void delete(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(description = "Message id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("message_id")
                    String messageId) {
        conversations.deleteMessage(Ids.conversation(id), Ids.message(messageId));
    }
}
