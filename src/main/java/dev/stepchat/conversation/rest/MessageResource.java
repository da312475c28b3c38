package dev.stepchat.conversation.rest;

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
    @Operation(operationId = "listMessages", summary = "List the messages of a conversation, oldest first by default",
            description = "Cursor paging over the conversation's messages, ordered by id (creation).")
    @APIResponse(responseCode = "200", description = "A page of messages")
    @APIResponse(responseCode = "400", description = "Bad query parameter or unknown cursor")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public ListPage<MessageView> list(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid")) @PathParam("id") String id,
            @Parameter(description = "Page size, 1 to 100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = "20"))
            @QueryParam("limit") String limit,
            @Parameter(description = "Id of a message: the page continues after it", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("after") String after,
            @Parameter(description = "Id of a message: the page ends just before it", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("before") String before,
            @Parameter(description = "Order by id (creation)", schema = @Schema(enumeration = {"asc", "desc"}, defaultValue = "asc"))
            @QueryParam("order") String order) {
        return conversations.messages(Ids.conversation(id), PageRequest.parse(limit, after, before, order, false));
    }
}
