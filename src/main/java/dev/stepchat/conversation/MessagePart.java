package dev.stepchat.conversation;

import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One part of a message's content, in the order sent, as OpenAI's chat messages have them: a text,
 * or an uploaded image ({@code image_file}, by its file's id; {@code deleted} once the file was deleted).
 * Stored in {@code message.parts} by Hibernate's JSON mapper, which names the id {@code fileId}
 * (the API's snake case makes it {@code file_id}); the SQL that reads it (V16's trigger,
 * {@code Files#delete}) uses that name.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ContentPart")
public record MessagePart(
        @Schema(
                enumeration = {"text", "image_file"},
                required = true)
        String type,

        @Schema(description = "A text part's text") String text,

        @Schema(description = "An image part's file (POST /files)")
        UUID fileId,

        @Schema(description = "An image part whose file was deleted since (DELETE /files/{id}); absent otherwise")
        Boolean deleted) {

    public static final String TEXT = "text";
    public static final String IMAGE_FILE = "image_file";

    public static MessagePart text(String text) {
        return new MessagePart(TEXT, text, null, null);
    }

    public static MessagePart image(UUID fileId) {
        return new MessagePart(IMAGE_FILE, null, fileId, null);
    }

    @JsonIgnore
    public boolean isImage() {
        return IMAGE_FILE.equals(type);
    }
}
