package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * What a file is, read from its bytes with Apache Tika's magic numbers (never from its name or the
 * type its sender declared): the image types StepFun's vision models take, PNG, JPEG, WebP and GIF.
 */
final class ImageTypes {

    static final Set<String> ACCEPTED = Set.of("image/png", "image/jpeg", "image/webp", "image/gif");

    /** Names browsers and tools use for the same types. */
    private static final Map<String, String> ALIASES =
            Map.of("image/jpg", "image/jpeg", "image/pjpeg", "image/jpeg", "image/x-png", "image/png");

    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();

    private ImageTypes() {}

    /** The type the bytes show (the stream is read from its start and not closed). */
    static String detect(InputStream bytes) throws IOException {
        MediaType type =
                TYPES.detect(bytes.markSupported() ? bytes : new java.io.BufferedInputStream(bytes), new Metadata());
        return type.getBaseType().toString();
    }

    /**
     * A declared type, as one of ours: null when nothing useful was declared (none, or a generic
     * binary type), else its lower-case base type with aliases resolved.
     */
    static String declared(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (base.isEmpty() || base.equals("application/octet-stream")) {
            return null;
        }
        return ALIASES.getOrDefault(base, base);
    }

    /** The usual file name extension of an accepted type. */
    static String extension(String type) {
        return switch (type) {
            case "image/png" -> "png";
            case "image/jpeg" -> "jpg";
            case "image/webp" -> "webp";
            case "image/gif" -> "gif";
            default -> "bin";
        };
    }
}
