package dev.stepchat.dropin.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.dropin.DropIn;
import dev.stepchat.dropin.OpenAiWire;
import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.stepfun.ChunkSink;
import dev.stepchat.stepfun.Usage;
import dev.stepchat.turn.rest.SseOut;

/**
 * A drop-in call's answer as OpenAI's server-sent chunks, written on the request's virtual thread
 * as StepFun's chunks arrive: {@code finish_reason} null until the chunk that ends the choice,
 * no usage in the choice chunks and, with {@code stream_options.include_usage}, a last chunk with
 * no choices and the usage; then {@code data: [DONE]}. A stream that fails midway ends with an
 * {@code error} event and no [DONE] (so does one that StepFun ended without a finish reason), so
 * that the SDKs raise an error instead of taking a partial answer for a whole one. A caller that hangs up cancels the upstream request. Either way the
 * usage StepFun reported last goes to the ledger.
 */
final class ChunkStream implements StreamingOutput, ChunkSink {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    /** StepFun ended the stream. */
    private record End() {}

    /** The stream failed after its first chunk. */
    private record Failed(Throwable failure) {}

    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private final DropIn dropIn;
    private final DropIn.Admitted admitted;
    private final ObjectMapper json;
    private final Duration keepAlive;
    private final Duration maxDuration;
    private final long created = Instant.now().getEpochSecond();
    private volatile Cancellable upstream;
    private volatile boolean callerGone;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    private Usage usage;
    /** A chunk with a finish reason came: the answer is whole. */
    private boolean whole;

    private String model;
    private String id;

    ChunkStream(
            DropIn dropIn,
            DropIn.Admitted admitted,
            ObjectMapper json,
            RoutingContext routing,
            Duration keepAlive,
            Duration maxDuration) {
        this.dropIn = dropIn;
        this.admitted = admitted;
        this.json = json;
        this.keepAlive = keepAlive;
        this.maxDuration = maxDuration;
        this.model = admitted.upstream().model();
        routing.response().closeHandler(closed -> {
            callerGone = true;
            arrived.add(new End());
            if (!writing.get() && upstream != null) {
                // hung up before the response was written: nothing will read the chunks
                upstream.cancel();
                finish();
            }
        });
    }

    /** Starts the upstream stream (returns once its first chunk has arrived) and gives the response. */
    Response start() {
        upstream = dropIn.stream(admitted, this);
        return Response.ok(this, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    @Override
    public void chunk(ChatCompletionChunk chunk) {
        arrived.add(chunk);
    }

    @Override
    public void failed(Throwable failure) {
        arrived.add(new Failed(failure));
    }

    @Override
    public void ended() {
        arrived.add(new End());
    }

    @Override
    public void write(OutputStream body) {
        writing.set(true);
        if (finished.get()) {
            return;
        }
        long deadline = System.nanoTime() + maxDuration.toNanos();
        try (SseOut out = new SseOut(body, keepAlive, "drop-in-keep-alive", this::hungUp)) {
            while (true) {
                Object next = arrived.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (callerGone) {
                    upstream.cancel();
                    return;
                }
                if (next == null) {
                    upstream.cancel();
                    send(out, error("The answer took longer than the service lets a stream run", "upstream_timeout"));
                    return;
                }
                if (next instanceof ChatCompletionChunk chunk) {
                    send(out, translate(chunk));
                } else if (next instanceof Failed) {
                    send(
                            out,
                            error("The model provider's stream failed before the answer was whole", "upstream_error"));
                    return;
                } else if (!whole) {
                    send(out, error("The model provider's stream ended before the answer was whole", "upstream_error"));
                    return;
                } else {
                    if (admitted.includeUsage()) {
                        send(
                                out,
                                new OpenAiWire.Chunk(
                                        id(), "chat.completion.chunk", created, model, List.of(), DropIn.usage(usage)));
                    }
                    out.write(DONE);
                    return;
                }
            }
        } catch (IOException e) {
            upstream.cancel();
        } catch (InterruptedException e) {
            upstream.cancel();
            Thread.currentThread().interrupt();
        } finally {
            finish();
        }
    }

    /** Records the call's usage and gives its places back, once, however it ended. */
    private void finish() {
        if (finished.compareAndSet(false, true)) {
            dropIn.ended(admitted, usage, model, id);
        }
    }

    private OpenAiWire.Chunk translate(ChatCompletionChunk chunk) {
        if (chunk.usage() != null) {
            usage = chunk.usage(); // StepFun's running total: the last one is the call's
        }
        if (chunk.model() != null) {
            model = chunk.model();
        }
        if (id == null && chunk.id() != null && !chunk.id().isBlank()) {
            id = chunk.id();
        }
        if (chunk.choices() != null
                && chunk.choices().stream()
                        .anyMatch(choice -> choice.finishReason() != null
                                && !choice.finishReason().isEmpty())) {
            whole = true;
        }
        List<OpenAiWire.ChunkChoice> choices = chunk.choices() == null
                ? List.of()
                : chunk.choices().stream()
                        .map(choice -> new OpenAiWire.ChunkChoice(
                                choice.index() == null ? 0 : choice.index(),
                                choice.delta() == null
                                        ? new OpenAiWire.Delta(null, null, null, null)
                                        : new OpenAiWire.Delta(
                                                choice.delta().role(),
                                                choice.delta().content(),
                                                emptyToNull(choice.delta().reasoning()),
                                                choice.delta().toolCalls()),
                                emptyToNull(choice.finishReason()),
                                null))
                        .toList();
        return new OpenAiWire.Chunk(id(), "chat.completion.chunk", created, model, choices, null);
    }

    private String id() {
        return id != null ? id : "chatcmpl-" + admitted.call().id();
    }

    private static OpenAiWire.ErrorBody error(String message, String code) {
        return new OpenAiWire.ErrorBody(new OpenAiWire.Error(message, "server_error", null, code));
    }

    private void send(SseOut out, Object data) throws IOException {
        out.write(("data: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A keep-alive could not be written: the caller is gone. */
    private void hungUp() {
        callerGone = true;
        arrived.add(new End());
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
