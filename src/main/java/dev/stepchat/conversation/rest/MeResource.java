package dev.stepchat.conversation.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.conversation.export.ConversationExport;

/** What the caller may take of their own data. */
@Path("/me")
@Tag(name = "Conversations")
@RunOnVirtualThread
public class MeResource {

    static final String ZIP = "application/zip";

    private final ConversationExport export;

    MeResource(ConversationExport export) {
        this.export = export;
    }

    @GET
    @Path("/export")
    @Produces(ZIP)
    @Operation(
            operationId = "exportMyData",
            summary = "All the caller's data, as one zip archive",
            description = "Every conversation of the caller, archived ones included, each as"
                    + " conversations/{id}.json in the format of GET /conversations/{id}/export (every branch, with"
                    + " usage and cost), and export.json (whose, when, how many). Written as it is read, a page of"
                    + " conversations at a time.")
    @APIResponse(
            responseCode = "200",
            description = "The archive, as an attachment",
            headers = @Header(name = "Content-Disposition", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = ZIP, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    public Response export() {
        return Response.ok(export.archive(), ZIP)
                .header("Content-Disposition", "attachment; filename=\"stepchat-export.zip\"")
                .build();
    }
}
