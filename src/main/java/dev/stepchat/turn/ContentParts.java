package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stepchat.conversation.MessagePart;
import dev.stepchat.problem.ProblemException;

/**
 * A turn's {@code content} sent as a list of parts, checked: text parts ({@code text}, a string)
 * and image parts ({@code image_file}, a file id), at least one part, at most {@link #MAX_IMAGES}
 * images; a message of images alone is allowed.
 */
record ContentParts(MessagePart[] parts, Set<UUID> files) {

    /** Images one message may carry. */
    static final int MAX_IMAGES = 16;

    static ContentParts of(JsonNode content) {
        if (content.isEmpty()) {
            throw ProblemException.invalid("content", "must hold at least one part");
        }
        List<MessagePart> parts = new ArrayList<>();
        Set<UUID> files = new LinkedHashSet<>();
        int images = 0;
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = "content[" + i + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case MessagePart.TEXT -> {
                    if (!part.path("text").isTextual()) {
                        throw ProblemException.invalid(at + ".text", "must be a string");
                    }
                    parts.add(MessagePart.text(part.path("text").textValue()));
                }
                case MessagePart.IMAGE_FILE -> {
                    UUID file = fileId(part.path("file_id"), at + ".file_id");
                    if (++images > MAX_IMAGES) {
                        throw ProblemException.invalid("content", "may hold at most " + MAX_IMAGES + " images");
                    }
                    files.add(file);
                    parts.add(MessagePart.image(file));
                }
                default ->
                    throw ProblemException.invalid(
                            at + ".type", "must be text or image_file (upload images with POST /files)");
            }
        }
        return new ContentParts(parts.toArray(MessagePart[]::new), files);
    }

    private static UUID fileId(JsonNode id, String field) {
        if (id.isTextual()) {
            try {
                return UUID.fromString(id.textValue());
            } catch (IllegalArgumentException notAnId) {
                // falls through
            }
        }
        throw ProblemException.invalid(field, "must be the id of a file (POST /files)");
    }
}
