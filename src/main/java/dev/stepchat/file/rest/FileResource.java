package dev.stepchat.file.rest;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Encoding;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.file.Files;
import dev.stepchat.file.StoredFile;
import dev.stepchat.file.api.FileView;
import dev.stepchat.security.CurrentOwner;

/** Files the caller uploads to send in turns: images, owned like conversations. */
@Path("/files")
@Tag(name = "Files")
@RunOnVirtualThread
public class FileResource {

    private static final String EXAMPLE =
            "{\"id\":\"01938a6e-8f3a-7c4e-9b1a-2f6d3c1e5a77\",\"object\":\"file\",\"filename\":\"receipt.png\","
                    + "\"content_type\":\"image/png\",\"bytes\":48213,"
                    + "\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
                    + "\"created_at\":\"2026-12-07T10:00:00Z\"}";

    private final Files files;
    private final CurrentOwner owner;

    FileResource(Files files, CurrentOwner owner) {
        this.files = files;
        this.owner = owner;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "uploadFile",
            summary = "Upload an image",
            description = "The form's part named file: a PNG, JPEG, WebP or GIF image of at most"
                    + " stepchat.files.max-size bytes (10 MB = 10,485,760 by default). Its type is read from its bytes:"
                    + " another type, or a part Content-Type the bytes contradict, is a 415 unsupported-file-type. The"
                    + " size limit holds while the body is read, however it is sent. Send the file's id in a turn's"
                    + " content as {\"type\":\"image_file\",\"file_id\"}. A file no message uses is deleted after"
                    + " stepchat.files.unused-for (24 hours by default).")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.MULTIPART_FORM_DATA,
                            schema =
                                    @Schema(
                                            type = SchemaType.OBJECT,
                                            requiredProperties = {"file"},
                                            properties =
                                                    @SchemaProperty(
                                                            name = "file",
                                                            type = SchemaType.STRING,
                                                            format = "binary",
                                                            description = "The image")),
                            encoding =
                                    @Encoding(
                                            name = "file",
                                            contentType = "image/png, image/jpeg, image/webp, image/gif")))
    @APIResponse(
            responseCode = "201",
            description = "The file",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = FileView.class),
                            examples = @ExampleObject(name = "file", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "No part named file, an empty file, a malformed form")
    @APIResponse(responseCode = "413", description = "Larger than stepchat.files.max-size")
    @APIResponse(
            responseCode = "415",
            description = "Not multipart/form-data (unsupported-media-type), or not a PNG, JPEG, WebP or GIF image by"
                    + " its bytes (unsupported-file-type)")
    public Response upload(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body) {
        FileView file = files.upload(owner.id(), contentType, body);
        return Response.created(URI.create("/files/" + file.id()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(file)
                .build();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "getFile",
            summary = "A file's metadata",
            description = "Its name, the type read from its bytes, its size and SHA-256. Deleted files and other"
                    + " callers' files are not found.")
    @APIResponse(
            responseCode = "200",
            description = "The file",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = FileView.class),
                            examples = @ExampleObject(name = "file", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown, deleted, or another caller's file")
    public FileView get(
            @Parameter(description = "File id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id) {
        return FileView.of(files.find(owner.id(), Ids.file(id)));
    }

    @GET
    @Path("/{id}/content")
    @Produces("image/*")
    @Operation(
            operationId = "getFileContent",
            summary = "A file's bytes",
            description = "With its type, Content-Length and a Content-Disposition naming it. The bytes are checked"
                    + " against the file's SHA-256 as they are sent: damaged bytes are never delivered whole.")
    @APIResponse(
            responseCode = "200",
            description = "The bytes",
            headers = {
                @Header(name = "Content-Disposition", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Content-Length", schema = @Schema(type = SchemaType.INTEGER))
            },
            content = {
                @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/gif", schema = @Schema(type = SchemaType.STRING, format = "binary"))
            })
    @APIResponse(responseCode = "404", description = "Unknown, deleted, or another caller's file")
    public Response content(
            @Parameter(description = "File id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id) {
        StoredFile file = files.find(owner.id(), Ids.file(id));
        StreamingOutput bytes = out -> files.copy(file, out);
        return Response.ok(bytes, file.contentType)
                .header(HttpHeaders.CONTENT_LENGTH, file.bytes)
                .header("Content-Disposition", disposition(file.filename))
                .header("X-Content-Type-Options", "nosniff")
                .header(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable")
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteFile",
            summary = "Delete a file",
            description = "Its bytes are deleted; messages that used it stay readable, their part marked"
                    + " {\"type\":\"image_file\",\"file_id\",\"deleted\":true}.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown, deleted, or another caller's file")
    public void delete(
            @Parameter(description = "File id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id) {
        UUID file = Ids.file(id);
        files.delete(owner.id(), file);
    }

    /** inline (a browser shows the image), with the name as ASCII and as UTF-8 (RFC 6266). */
    static String disposition(String filename) {
        String ascii = filename.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        String utf8 =
                java.net.URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
        return "inline; filename=\"" + ascii + "\"; filename*=UTF-8''" + utf8;
    }
}
