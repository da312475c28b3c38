package dev.stepchat.conversation.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.problem.Problem.FieldError;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * The limits on what clients store, from configuration. Collects every invalid field of a request
 * into one 400 problem.
 */
@ApplicationScoped
public class Inputs {

    /** Fixed by the contract. */
    static final int MAX_METADATA_PAIRS = 16;

    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;
    static final int MAX_MODEL = 128;

    private final ChatConfig.Limits limits;

    Inputs(ChatConfig config) {
        this.limits = config.limits();
    }

    /** Checks the fields of a conversation as they would be stored. */
    void checkConversation(String title, String model, String systemPrompt, Map<String, String> metadata) {
        List<FieldError> errors = new ArrayList<>();
        text(errors, "title", title, limits.maxTitleLength());
        text(errors, "system_prompt", systemPrompt, limits.maxSystemPromptLength());
        model(errors, "model", model);
        if (metadata != null) {
            if (metadata.size() > MAX_METADATA_PAIRS) {
                errors.add(new FieldError("metadata", "at most " + MAX_METADATA_PAIRS + " pairs"));
            }
            metadata.forEach((key, value) -> {
                if (key.isEmpty() || key.length() > MAX_METADATA_KEY || hasNul(key)) {
                    errors.add(new FieldError(
                            "metadata",
                            "key '" + shorten(key) + "' must have 1 to " + MAX_METADATA_KEY + " characters"));
                }
                if (value == null) {
                    errors.add(new FieldError("metadata[" + shorten(key) + "]", "must be a string"));
                } else if (value.length() > MAX_METADATA_VALUE || hasNul(value)) {
                    errors.add(new FieldError(
                            "metadata[" + shorten(key) + "]", "at most " + MAX_METADATA_VALUE + " characters"));
                }
            });
        }
        throwIfAny(errors);
    }

    /** Checks the fields of a turn that bean validation cannot know the limits of. */
    public void checkTurn(String content, String model) {
        List<FieldError> errors = new ArrayList<>();
        checkContent(errors, content, "content");
        model(errors, "model", model);
        throwIfAny(errors);
    }

    /** A text the model is sent (a message's content, a tool result): its length and characters. */
    public void checkContent(String text, String field) {
        List<FieldError> errors = new ArrayList<>();
        checkContent(errors, text, field);
        throwIfAny(errors);
    }

    private void checkContent(List<FieldError> errors, String content, String field) {
        if (content != null && content.length() > limits.maxContentLength()) {
            throw new ProblemException(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    field + " has " + content.length() + " characters; at most " + limits.maxContentLength()
                            + " are accepted",
                    List.of(new FieldError(field, "at most " + limits.maxContentLength() + " characters")),
                    null);
        }
        if (content != null && hasNul(content)) {
            errors.add(new FieldError(field, "must not contain NUL characters"));
        }
    }

    private static void text(List<FieldError> errors, String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            errors.add(new FieldError(field, "at most " + max + " characters"));
        } else if (hasNul(value)) {
            errors.add(new FieldError(field, "must not contain NUL characters"));
        }
    }

    private static void model(List<FieldError> errors, String field, String model) {
        if (model != null && (model.isBlank() || model.length() > MAX_MODEL || hasNul(model))) {
            errors.add(new FieldError(field, "must have 1 to " + MAX_MODEL + " characters"));
        }
    }

    private static boolean hasNul(String value) {
        return value.indexOf('\0') >= 0;
    }

    private static String shorten(String key) {
        return key.length() > MAX_METADATA_KEY ? key.substring(0, MAX_METADATA_KEY) + "…" : key;
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ProblemException(ProblemType.VALIDATION_FAILED, "The request has invalid fields", errors, null);
        }
    }
}
