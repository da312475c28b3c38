package dev.stepchat.turn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.config.FilesConfig;
import dev.stepchat.file.Files;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
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

    /** What the model is told in place of an image deleted since its message was sent. */
    static final String DELETED = "(an image, deleted since)";

    /** How long a turn waits for room among the images in flight. */
    static final Duration WAIT = Duration.ofSeconds(10);

    private final Files files;
    private final FilesConfig config;
    private final TurnMetrics metrics;
    /** The images in flight on this replica, in KiB. */
    private final Semaphore inFlight;

    private final int inFlightKib;

    UpstreamImages(Files files, FilesConfig config, TurnMetrics metrics) {
        this.files = files;
        this.config = config;
        this.metrics = metrics;
        this.inFlightKib =
                (int) Math.min(Integer.MAX_VALUE, config.maxImagesInFlight().asLongValue() / 1024);
        this.inFlight = new Semaphore(inFlightKib, true);
    }

    /**
     * The request with its images' bytes in it (the same request when it has none). Their room
     * among the images in flight on this replica is taken first (waiting up to {@link #WAIT}, else
     * 503 overloaded) and given back when the turn ends ({@code hold}).
     */
    ChatCompletionRequest inline(ChatCompletionRequest request, TurnHold hold) {
        if (request.messages().stream().noneMatch(m -> m.images() > 0)) {
            return request;
        }
        int kib = (int) Math.min(inFlightKib, (config.maxRequestImagesSize().asLongValue() + 1023) / 1024);
        try {
            if (!inFlight.tryAcquire(kib, WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                metrics.refused(ProblemType.OVERLOADED.slug());
                throw new ProblemException(
                        ProblemType.OVERLOADED,
                        "This instance holds as many images in calls to the model as it may"
                                + " (stepchat.files.max-images-in-flight); send again shortly",
                        null,
                        Duration.ofSeconds(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        hold.alsoRelease(() -> inFlight.release(kib));
        return inline(request);
    }

    private ChatCompletionRequest inline(ChatCompletionRequest request) {
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
                                        ? DELETED
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
