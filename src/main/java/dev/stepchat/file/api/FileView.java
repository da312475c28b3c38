package dev.stepchat.file.api;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.file.StoredFile;

/** A file as the API shows it (POST /files, GET /files/{id}). */
@RegisterForReflection
@Schema(name = "File")
public record FileView(
        @Schema(required = true, examples = "01938a6e-8f3a-7c4e-9b1a-2f6d3c1e5a77")
        UUID id,

        @Schema(enumeration = "file", required = true) String object,

        @Schema(
                description = "The name it was sent with (or image.<ext> when none)",
                required = true,
                examples = "receipt.png")
        String filename,

        @Schema(
                description = "The type read from its bytes",
                enumeration = {"image/png", "image/jpeg", "image/webp", "image/gif"},
                required = true)
        String contentType,

        @Schema(description = "Its size in bytes", required = true, examples = "48213")
        long bytes,

        @Schema(
                description = "SHA-256 of its bytes, lower-case hex",
                required = true,
                pattern = "^[0-9a-f]{64}$",
                examples = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        String sha256,

        @Schema(required = true) Instant createdAt) {

    public static FileView of(StoredFile file) {
        return new FileView(file.id, "file", file.filename, file.contentType, file.bytes, file.sha256, file.createdAt);
    }
}
