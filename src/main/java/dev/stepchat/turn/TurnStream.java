package dev.stepchat.turn;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

import dev.stepchat.conversation.Message;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemResponses;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.stepfun.StreamingAnswer;
import dev.stepchat.turn.api.TurnView;

/**
 * Writes a streamed turn as server-sent events: a {@code delta} per piece of text as StepFun
 * produces it, then {@code done} with the Turn once the reply is stored, or {@code error} with a
 * problem after which the text so far is stored as an {@code incomplete} reply (its usage added to
 * the totals). The reactive client feeds a queue; this writer runs on the request's virtual thread
 * and holds no database connection while it waits.
 */
final class TurnStream implements StreamingOutput, Idempotency.Deferred {

    /** What the queue can hold besides chunks. */
    private enum Signal { END, CALLER_GONE }

    /** Written by this class's own mapper call, so registered for a native executable's reflection. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String content, String reasoning) {
    }

    private final TurnCompletion completion;
    private final TurnAdmission.Ticket ticket;
    private final TurnStore.Started started;
    private final StreamingAnswer upstream;
    private final ObjectMapper json;
    private final Duration idleTimeout;
    private final Duration maxDuration;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<Response> outcome = new CompletableFuture<>();

    private final TurnMetrics metrics;

    TurnStream(TurnCompletion completion, TurnStore.Started started, StreamingAnswer upstream, ObjectMapper json,
               Duration idleTimeout, Duration maxDuration, TurnMetrics metrics, TurnAdmission.Ticket ticket) {
        this.metrics = metrics;
        this.completion = completion;
        this.ticket = ticket;
        this.started = started;
        this.upstream = upstream;
        this.json = json;
        this.idleTimeout = idleTimeout;
        this.maxDuration = maxDuration;
    }

    /** What a non-streamed request would have answered: the stored Turn, or the problem. */
    @Override
    public CompletionStage<Response> outcome() {
        return outcome;
    }

    /** The caller closed the connection: stop waiting for StepFun at once. */
    void callerGone() {
        queue.add(Signal.CALLER_GONE);
    }

    @Override
    public void write(OutputStream out) {
        try {
            stream(out);
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
            throw e;
        } finally {
            ticket.close();
        }
    }

    private void stream(OutputStream out) {
        StreamedAnswer answer = new StreamedAnswer();
        long deadline = System.nanoTime() + maxDuration.toNanos();
        upstream.rest().subscribe().with(queue::add, queue::add, () -> queue.add(Signal.END));
        ProblemException failure = null;
        boolean callerGone = false;
        try {
            send(out, "delta", answer.add(upstream.first()));
            while (true) {
                long left = Math.min(idleTimeout.toNanos(), deadline - System.nanoTime());
                Object next = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    boolean pastDeadline = deadline - System.nanoTime() <= 0;
                    failure = new ProblemException(ProblemType.UPSTREAM_TIMEOUT, pastDeadline
                            ? "The answer took longer than " + maxDuration.toSeconds() + " s"
                            : "The model provider sent nothing for " + idleTimeout.toSeconds() + " s");
                    break;
                }
                if (next == Signal.END) {
                    break;
                }
                if (next == Signal.CALLER_GONE) {
                    callerGone = true;
                    break;
                }
                if (next instanceof Throwable upstreamFailure) {
                    failure = UpstreamProblems.toProblem(upstreamFailure);
                    break;
                }
                send(out, "delta", answer.add((ChatCompletionChunk) next));
            }
        } catch (IOException e) {
            callerGone = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callerGone = true;
        }
        if (failure != null || callerGone) {
            upstream.close();
        }
        Message.Status status = failure == null && !callerGone ? Message.Status.COMPLETED : Message.Status.INCOMPLETE;
        TurnStore.Answer stored = answer.answer(started.upstream().model());
        TurnView turn = null;
        try {
            turn = completion.complete(started, stored, status);
        } catch (ProblemException e) {
            failure = e;
        }
        metrics.turn(failure == null ? status.name().toLowerCase(java.util.Locale.ROOT) : failure.type().slug(),
                stored.model(), true);
        Problem problem = failure == null ? null : failure.toProblem(started.path());
        outcome.complete(turn != null
                ? Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON_TYPE).entity(turn).build()
                : ProblemResponses.of(problem));
        if (callerGone) {
            Log.debugf("Caller left a streamed turn of conversation %s; the partial reply is stored", started.conversationId());
            return;
        }
        try {
            if (problem == null) {
                send(out, "done", turn);
            } else {
                send(out, "error", problem);
            }
        } catch (IOException e) {
            // the caller left just at the end; everything is stored
        }
    }

    /** A stored Turn sent again as events: its whole reply as one delta, then done. */
    static String replay(ObjectMapper json, String turn) {
        try {
            String content = json.readTree(turn).path("message").path("content").asText("");
            return "event: delta\ndata: " + json.writeValueAsString(new Delta(content, null)) + "\n\n"
                    + "event: done\ndata: " + turn + "\n\n";
        } catch (IOException e) {
            throw new IllegalStateException("Stored turn is not JSON", e);
        }
    }

    private void send(OutputStream out, String event, String[] delta) throws IOException {
        if (delta[0] != null || delta[1] != null) {
            send(out, event, new Delta(delta[0], delta[1]));
        }
    }

    private void send(OutputStream out, String event, Object data) throws IOException {
        out.write(("event: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
