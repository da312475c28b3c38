package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.config.FilesConfig;
import dev.stepchat.file.Files;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;
import dev.stepchat.stepfun.ChatCompletionRequest.Part;

/**
 * The images of a turn's prompt, sent the way StepFun documents for its vision models: each an
 * {@code image_url} part whose URL is a data URL ({@code data:image/png;base64,...}). The prompt names
 * them by file ({@link #FILE_URL}); their bytes are read here, after the turn's first transaction and
 * before the upstream call, newest message first, until {@code stepchat.files.max-request-images-size}
 * (StepFun's 20 MB a request): an older image past it, or one deleted since, is said in words.
 */
@ApplicationScoped
class UpstreamImages {

    /** How the prompt names an uploaded file until its bytes are sent. */
    static final String FILE_URL = "stepchat-file:";

    private final Files files;
    private final FilesConfig config;

    UpstreamImages(Files files, FilesConfig config) {
        this.files = files;
        this.config = config;
    }

    /** The request with its images' bytes in it (the same request when it has none). */
    ChatCompletionRequest inline(ChatCompletionRequest request) {
        if (request.messages().stream().noneMatch(m -> m.images() > 0)) {
            return request;
        }
        long budget = config.maxRequestImagesSize().asLongValue();
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if (message.images() == 0) {
                continue;
            }
            List<Part> parts = new ArrayList<>();
            for (Object part : (List<?>) message.content()) {
                Part wire = (Part) part;
                if (wire.imageUrl() != null && wire.imageUrl().url().startsWith(FILE_URL)) {
                    UUID id = UUID.fromString(wire.imageUrl().url().substring(FILE_URL.length()));
                    Files.Inlined image = files.dataUrl(id, budget);
                    if (image.dataUrl() == null) {
                        parts.add(Part.text(
                                image.gone()
                                        ? "(an image, deleted since)"
                                        : "(an earlier image, left out: the images of one request may total at most "
                                                + config.maxRequestImagesSize().asLongValue() + " bytes)"));
                    } else {
                        budget -= image.bytes();
                        parts.add(Part.image(image.dataUrl()));
                    }
                } else {
                    parts.add(wire);
                }
            }
            messages.set(
                    i,
                    new ChatMessage(
                            message.role(), parts, message.toolCalls(), message.toolCallId(), message.reasoning()));
        }
        return new ChatCompletionRequest(
                request.model(),
                messages,
                request.temperature(),
                request.topP(),
                request.maxTokens(),
                request.stream(),
                request.tools(),
                request.toolChoice());
    }
}
