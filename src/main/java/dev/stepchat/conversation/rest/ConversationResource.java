package dev.stepchat.conversation.rest;

import java.io.InputStream;
import java.net.URI;

import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.api.ConversationPatch;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.CreateConversation;
import dev.stepchat.conversation.api.ForkRequest;
import dev.stepchat.conversation.api.ListPage;
import dev.stepchat.conversation.export.ConversationExport;
import dev.stepchat.conversation.export.ConversationImport;
import dev.stepchat.conversation.export.ExportView;
import dev.stepchat.conversation.export.ImportView;
import dev.stepchat.conversation.service.ConversationService;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.usage.UsageReport;

/** Conversations: create, page through, read, merge-patch, delete, usage. Thin: HTTP in, DTO out. */
@Path("/conversations")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class ConversationResource {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private final ConversationService service;
    private final Idempotency idempotency;
    private final ConversationExport export;
    private final ConversationImport importer;

    ConversationResource(
            ConversationService service,
            Idempotency idempotency,
            ConversationExport export,
            ConversationImport importer) {
        this.export = export;
        this.importer = importer;
        this.service = service;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "createConversation",
            summary = "Create a conversation",
            description = "Every field is optional; a body may be left out. The model defaults to the server's default"
                    + " model. An untitled conversation takes its title from its first answered message.")
    @RequestBody(
            required = false,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CreateConversation.class),
                            examples =
                                    @ExampleObject(
                                            name = "titled",
                                            summary = "A titled conversation with a system prompt",
                                            value =
                                                    "{\"title\":\"Kyoto trip\",\"system_prompt\":\"Be brief\",\"metadata\":{\"project\":\"travel\"}}")))
    @APIResponse(
            responseCode = "201",
            description = "Created",
            headers =
                    @Header(
                            name = "Location",
                            description = "/conversations/{id}",
                            schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ConversationView.class),
                            examples =
                                    @ExampleObject(
                                            name = "created",
                                            value =
                                                    "{\"id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"object\":\"conversation\",\"title\":\"Kyoto trip\",\"model\":\"step-3.5-flash\",\"system_prompt\":\"Be brief\",\"metadata\":{\"project\":\"travel\"},\"created_at\":\"2026-11-25T10:00:00Z\",\"updated_at\":\"2026-11-25T10:00:00Z\",\"message_count\":0,\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0,\"cached_tokens\":0,\"turns\":0,\"cost\":\"0.00000000\",\"cost_complete\":true},\"context_limit\":null,\"max_total_tokens\":null,\"tools\":null,\"current_message_id\":null,\"forked_from\":null,\"pinned\":false,\"archived\":false}")))
    @APIResponse(responseCode = "400", description = "Malformed JSON or invalid fields")
    @APIResponse(responseCode = "409", description = "This Idempotency-Key's first request is still running")
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used for another request")
    @APIResponse(responseCode = "413", description = "Request body too large")
    @APIResponse(responseCode = "415", description = "Not JSON")
    public Response create(
            @Valid CreateConversation body,
            UriInfo uri,
            @Parameter(
                            description = "Makes a retried create safe: same key and body, same conversation",
                            schema = @Schema(maxLength = 255))
                    @HeaderParam(Idempotency.HEADER)
                    String idempotencyKey) {
        return idempotency.run(idempotencyKey, "POST", "/conversations", body, Idempotency::replayed, () -> {
            ConversationView created = service.create(body);
            URI location = uri.getBaseUriBuilder()
                    .path("conversations")
                    .path(created.id().toString())
                    .build();
            return Response.created(location)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(created)
                    .header(HttpHeaders.ETAG, created.etag())
                    .build();
        });
    }

    @GET
    @Operation(
            operationId = "listConversations",
            summary = "List or search conversations, newest first by default",
            description = "Cursor paging over the caller's conversations, ordered by id (creation). Archived ones are"
                    + " left out unless archived=true (only them) or archived=any; pinned=true lists only pinned ones."
                    + " With q: only those whose title or a message contains every word of q (case-insensitive;"
                    + " Chinese, Japanese or Korean text is found as a substring), each with match: the newest matching"
                    + " message and a snippet (null when the title matched); results are ranked, title matches first,"
                    + " then newest first, and the cursors follow that order.")
    @APIResponse(responseCode = "200", description = "A page of conversations")
    @APIResponse(responseCode = "400", description = "Bad query parameter or unknown cursor")
    public ListPage<ConversationView> list(
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
                            description = "Id of a conversation: the page continues after it",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @QueryParam("after")
                    String after,
            @Parameter(
                            description = "Id of a conversation: the page ends just before it",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @QueryParam("before")
                    String before,
            @Parameter(
                            description = "Order by id (creation)",
                            schema =
                                    @Schema(
                                            enumeration = {"asc", "desc"},
                                            defaultValue = "desc"))
                    @QueryParam("order")
                    String order,
            @Parameter(
                            description = "Search: words in the title or a message (at most 200 characters)",
                            schema = @Schema(type = SchemaType.STRING, maxLength = 200, examples = "量子计算"))
                    @QueryParam("q")
                    String q,
            @Parameter(description = "Only pinned conversations", schema = @Schema(type = SchemaType.BOOLEAN))
                    @QueryParam("pinned")
                    String pinned,
            @Parameter(
                            description = "false (default): not archived; true: only archived; any: both",
                            schema =
                                    @Schema(
                                            enumeration = {"false", "true", "any"},
                                            defaultValue = "false"))
                    @QueryParam("archived")
                    String archived) {
        if (pinned != null && !java.util.List.of("true", "false").contains(pinned)) {
            throw ProblemException.invalid("pinned", "must be true or false");
        }
        return service.list(PageRequest.parse(limit, after, before, order, true), q, "true".equals(pinned), archived);
    }

    @GET
    @Path("/{id}")
    @Operation(
            operationId = "getConversation",
            summary = "Read a conversation",
            description = "The conversation with its usage totals and its ETag (for If-Match on PATCH).")
    @APIResponse(
            responseCode = "200",
            description = "The conversation, with its ETag",
            headers = @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "404", description = "Unknown conversation or not a UUID")
    public Response get(@PathParam("id") String id) {
        return withETag(service.get(Ids.conversation(id)));
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "updateConversation",
            summary =
                    "Change a conversation (JSON merge patch of title, model, system_prompt, metadata, limits, pinned, archived, current_message_id)",
            description = "A field set to null is cleared (model goes back to the server default); fields not sent stay"
                    + " as they are; metadata keys merge, a key set to null is removed.")
    @RequestBody(
            content = {
                @Content(mediaType = MERGE_PATCH, schema = @Schema(implementation = ConversationPatch.class)),
                @Content(
                        mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(implementation = ConversationPatch.class))
            })
    @APIResponse(
            responseCode = "200",
            description = "The changed conversation, with its new ETag",
            headers = @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON or invalid fields")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "412", description = "If-Match names an older version")
    @APIResponse(responseCode = "415", description = "Neither merge-patch nor plain JSON")
    public Response patch(
            @PathParam("id") String id,
            JsonNode body,
            @Parameter(description = "The ETag the change was based on; a stale one is a 412")
                    @HeaderParam(HttpHeaders.IF_MATCH)
                    String ifMatch) {
        return withETag(service.patch(Ids.conversation(id), body, ifMatch));
    }

    private static Response withETag(ConversationView conversation) {
        return Response.ok(conversation, MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.ETAG, conversation.etag())
                .build();
    }

    @POST
    @Path("/{id}/fork")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "forkConversation",
            summary = "Fork a conversation at a message",
            description =
                    "A new conversation holding copies (new ids, same order) of the path from the root to the message"
                            + " (default: the current message), with the same model, system prompt and metadata and forked_from"
                            + " set. Copied answers keep their usage; the new conversation's totals start at zero. Its current"
                            + " message is the last copy. The original is unchanged.")
    @RequestBody(
            required = false,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ForkRequest.class),
                            examples =
                                    @ExampleObject(
                                            name = "at",
                                            value = "{\"message_id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\"}")))
    @APIResponse(
            responseCode = "201",
            description = "The new conversation",
            headers =
                    @Header(
                            name = "Location",
                            description = "/conversations/{id}",
                            schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "400", description = "message_id is not a message of this conversation, or it is empty")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "415", description = "Not JSON")
    public Response fork(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Valid ForkRequest body,
            UriInfo uri) {
        ConversationView created = service.fork(Ids.conversation(id), body == null ? null : body.messageId());
        URI location = uri.getBaseUriBuilder()
                .path("conversations")
                .path(created.id().toString())
                .build();
        return Response.created(location)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(created)
                .header(HttpHeaders.ETAG, created.etag())
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteConversation",
            summary = "Delete a conversation and its messages",
            description = "Its messages go with it; the usage ledger keeps what its turns spent.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public void delete(@PathParam("id") String id) {
        service.delete(Ids.conversation(id));
    }

    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "importConversations",
            summary = "Import conversations (this service's export, or ChatGPT's)",
            description = "The body is this service's JSON export of a conversation, or a ChatGPT data export's"
                    + " conversations.json (one conversation or a list). Messages keep their text, roles, branches and"
                    + " times (ChatGPT: the mapping tree and current_node; system and tool messages and content parts that"
                    + " are not text are left out, the parts counted); totals start at zero. All of it is stored, or"
                    + " nothing: a problem names the conversation and the field that is wrong. At most"
                    + " stepchat.limits.max-import-size (50 MB), 10,000 conversations of 100,000 messages each;"
                    + " read as a stream, one import at a time per server.")
    @APIResponse(
            responseCode = "201",
            description = "The created conversations",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ImportView.class)))
    @APIResponse(
            responseCode = "400",
            description = "Not JSON, not an export this service reads (the problem says where),"
                    + " or past an import cap (import-too-large, naming it)")
    @APIResponse(responseCode = "413", description = "Larger than the import limit")
    @APIResponse(responseCode = "415", description = "Not JSON")
    public Response importConversations(
            @RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema =
                                                    @Schema(
                                                            description =
                                                                    "An export (ConversationExport), or ChatGPT's conversations.json (an object or an array)"),
                                            examples =
                                                    @ExampleObject(
                                                            name = "ChatGPT",
                                                            value =
                                                                    "[{\"title\":\"Kyoto\",\"create_time\":1764064800.5,\"current_node\":\"b\",\"mapping\":{\"r\":{\"id\":\"r\",\"message\":null,\"parent\":null,\"children\":[\"a\"]},\"a\":{\"id\":\"a\",\"message\":{\"author\":{\"role\":\"user\"},\"content\":{\"content_type\":\"text\",\"parts\":[\"Plan three days in Kyoto\"]},\"create_time\":1764064801.0},\"parent\":\"r\",\"children\":[\"b\"]},\"b\":{\"id\":\"b\",\"message\":{\"author\":{\"role\":\"assistant\"},\"content\":{\"content_type\":\"text\",\"parts\":[\"Day one: Fushimi Inari\"]},\"create_time\":1764064803.0},\"parent\":\"a\",\"children\":[]}}}]")))
                    InputStream body) {
        return Response.status(Response.Status.CREATED)
                .entity(ImportView.of(importer.importAll(body)))
                .build();
    }

    @GET
    @Path("/{id}/export")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown"})
    @Operation(
            operationId = "exportConversation",
            summary = "Export a conversation (JSON, or Markdown)",
            description =
                    "As JSON: the conversation and every message of every branch in creation order, with usage and"
                            + " cost, as an attachment. With format=markdown: the current branch as Markdown. Written as it is"
                            + " read, page by page.")
    @APIResponse(
            responseCode = "200",
            description = "The export, as an attachment",
            headers = @Header(name = "Content-Disposition", schema = @Schema(type = SchemaType.STRING)),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExportView.class)),
                @Content(
                        mediaType = "text/markdown",
                        schema = @Schema(type = SchemaType.STRING),
                        examples =
                                @ExampleObject(
                                        name = "markdown",
                                        value =
                                                "# Kyoto trip\n\n**User**\n\nPlan three days in Kyoto\n\n"
                                                        + "**Assistant** (step-3.5-flash)\n\nDay one: Fushimi Inari at dawn...\n\n"))
            })
    @APIResponse(responseCode = "400", description = "format is not json or markdown")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public Response export(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(description = "json (default) or markdown", schema = @Schema(enumeration = {"json", "markdown"}))
                    @QueryParam("format")
                    String format) {
        if (format != null && !java.util.List.of("json", "markdown").contains(format)) {
            throw ProblemException.invalid("format", "must be json or markdown");
        }
        ConversationView conversation = export.conversation(Ids.conversation(id));
        boolean markdown = "markdown".equals(format);
        return Response.ok(
                        markdown ? export.markdown(conversation) : export.json(conversation),
                        markdown ? "text/markdown; charset=UTF-8" : MediaType.APPLICATION_JSON)
                .header(
                        "Content-Disposition",
                        "attachment; filename=\"" + ConversationExport.filename(conversation, markdown ? "md" : "json")
                                + "\"")
                .build();
    }

    @GET
    @Path("/{id}/usage")
    @Operation(
            operationId = "getConversationUsage",
            summary = "Token usage of a conversation, in total and by model",
            description = "Exact sums over every answered turn, and the same split by the model that answered.")
    @APIResponse(
            responseCode = "200",
            description = "Usage totals",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UsageReport.class)))
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    public UsageReport usage(@PathParam("id") String id) {
        return service.usage(Ids.conversation(id));
    }
}
