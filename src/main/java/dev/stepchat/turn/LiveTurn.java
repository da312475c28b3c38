package dev.stepchat.turn;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.smallrye.mutiny.subscription.Cancellable;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.stepfun.ChunkSink;
import dev.stepchat.turn.api.ToolCallDelta;

/**
 * A streamed turn on the replica that calls StepFun for it, from the request that began it to
 * its stored end, whoever is (or is no longer) connected. It is the one place the answer's text
 * lives while it streams: StepFun's chunks are added here (on the client's I/O thread), readers
 * take what they have not had yet from their own cursor (so a slow reader gets bigger deltas, never
 * a backlog), and the periodic flush copies it to the database. Nothing here does I/O.
 */
final class LiveTurn implements ChunkSink {

    /** Why the upstream stream ended. */
    record Ending(Message.Status status, String finishReason, ProblemException problem) {
        static final Ending COMPLETED = new Ending(Message.Status.COMPLETED, null, null);
        static final Ending STOPPED = new Ending(Message.Status.INCOMPLETE, "stopped", null);

        static Ending failed(ProblemException problem) {
            return new Ending(Message.Status.INCOMPLETE, null, problem);
        }
    }

    /**
     * Text not yet in the database: what to append to the stored answer and reasoning, which must
     * then have {@code contentAt} and {@code reasoningAt} characters (code points, as PostgreSQL
     * counts them), or -1 to replace them whole (after a flush whose outcome is unknown). What the
     * answer is then, in UTF-16 units and in code points, follows.
     */
    record Unflushed(
            UUID messageId,
            String content,
            String reasoning,
            int contentAt,
            int reasoningAt,
            int contentLength,
            int reasoningLength,
            int contentPoints,
            int reasoningPoints) {}

    final Started started;
    final TurnHold hold;
    private final long deadline;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StreamedAnswer answer = new StreamedAnswer();
    private final CompletableFuture<LiveTurns.Finished> end = new CompletableFuture<>();
    private Consumer<LiveTurn> onEnding;
    private volatile Cancellable upstream;
    private long lastChunk = System.nanoTime();
    private MessageView userMessage;
    private MessageView message;
    private int flushedContent;
    private int flushedReasoning;
    private int flushedContentPoints;
    private int flushedReasoningPoints;
    private boolean rewrite;
    private Ending ending;
    private TurnEvent last;

    LiveTurn(Started started, TurnHold hold, long deadline) {
        this.started = started;
        this.hold = hold;
        this.deadline = deadline;
    }

    // ------------------------------------------------------------------ StepFun's side

    @Override
    public void chunk(ChatCompletionChunk chunk) {
        lock.lock();
        try {
            if (ending == null) {
                answer.add(chunk);
                lastChunk = System.nanoTime();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void failed(Throwable failure) {
        end(Ending.failed(UpstreamProblems.toProblem(failure)));
    }

    @Override
    public void ended() {
        end(Ending.COMPLETED);
    }

    void opened(Cancellable upstream) {
        this.upstream = upstream;
    }

    // ------------------------------------------------------------------ the owner's side

    /**
     * The answer is stored in progress: readers may start, and the end, whenever it comes (it may
     * have come already), goes to {@code onEnding}.
     */
    void started(MessageView userMessage, MessageView message, Consumer<LiveTurn> onEnding) {
        boolean endedAlready;
        lock.lock();
        try {
            this.userMessage = userMessage;
            this.message = message;
            this.onEnding = onEnding;
            endedAlready = ending != null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (endedAlready) {
            onEnding.accept(this);
        }
    }

    UUID messageId() {
        return message.id();
    }

    /** Stops the upstream stream: the answer ends incomplete, "stopped", with the usage known. */
    void stop() {
        end(Ending.STOPPED);
    }

    /** Ends the turn with a problem (timeout, shutdown); the text so far is kept. */
    void abort(ProblemException problem) {
        end(Ending.failed(problem));
    }

    /** The idle timeout or the deadline, if one has passed. */
    void checkTime(long now, long idleTimeout, long maxSeconds) {
        boolean idle;
        lock.lock();
        try {
            if (ending != null) {
                return;
            }
            idle = now - lastChunk > idleTimeout;
        } finally {
            lock.unlock();
        }
        if (now - deadline > 0) {
            abort(new ProblemException(
                    ProblemType.UPSTREAM_TIMEOUT, "The answer took longer than " + maxSeconds + " s"));
        } else if (idle) {
            abort(new ProblemException(
                    ProblemType.UPSTREAM_TIMEOUT,
                    "The model provider sent nothing for "
                            + java.time.Duration.ofNanos(idleTimeout).toSeconds() + " s"));
        }
    }

    private void end(Ending why) {
        Consumer<LiveTurn> then;
        lock.lock();
        try {
            if (ending != null) {
                return;
            }
            ending = why;
            then = onEnding;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (why != Ending.COMPLETED) {
            Cancellable call = upstream;
            if (call != null) {
                call.cancel();
            }
        }
        if (then != null) {
            then.accept(this);
        }
    }

    Ending ending() {
        lock.lock();
        try {
            return ending;
        } finally {
            lock.unlock();
        }
    }

    /** The answer as it is stored when the turn ends. */
    Answer answer() {
        lock.lock();
        try {
            return answer.answer(started.upstream().model());
        } finally {
            lock.unlock();
        }
    }

    /** The end is stored: readers deliver its final event after the rest of the text. */
    void finished(LiveTurns.Finished finished) {
        lock.lock();
        try {
            last = finished.last();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        end.complete(finished);
    }

    /** Completes once the end is stored. */
    CompletableFuture<LiveTurns.Finished> end() {
        return end;
    }

    /** What the database does not have yet, or null. */
    Unflushed unflushed() {
        lock.lock();
        try {
            int content = answer.contentLength();
            int reasoning = answer.reasoningLength();
            if (message == null
                    || ending != null
                    || content == flushedContent && reasoning == flushedReasoning && !rewrite) {
                return null;
            }
            String contentTail = answer.contentFrom(rewrite ? 0 : flushedContent);
            String reasoningTail = answer.reasoningFrom(rewrite ? 0 : flushedReasoning);
            int contentPoints = (rewrite ? 0 : flushedContentPoints) + points(contentTail);
            int reasoningPoints = (rewrite ? 0 : flushedReasoningPoints) + points(reasoningTail);
            return new Unflushed(
                    message.id(),
                    contentTail == null ? "" : contentTail,
                    reasoningTail,
                    rewrite ? -1 : flushedContentPoints,
                    rewrite ? -1 : flushedReasoningPoints,
                    content,
                    reasoning,
                    contentPoints,
                    reasoningPoints);
        } finally {
            lock.unlock();
        }
    }

    private static int points(String text) {
        return text == null ? 0 : text.codePointCount(0, text.length());
    }

    /** The database has {@code text} appended (or written whole). */
    void flushed(Unflushed text) {
        lock.lock();
        try {
            flushedContent = text.contentLength();
            flushedReasoning = text.reasoningLength();
            flushedContentPoints = text.contentPoints();
            flushedReasoningPoints = text.reasoningPoints();
            rewrite = false;
        } finally {
            lock.unlock();
        }
    }

    /** The stored text is not what this replica last wrote (a flush whose commit was not confirmed): write it whole next time. */
    void rewriteNext() {
        lock.lock();
        try {
            rewrite = true;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ readers

    /** A reader from {@code from}; {@code onClose} runs once when it is closed. */
    TurnFeed reader(Cursor from, Runnable onClose) {
        return new Reader(from, onClose);
    }

    private final class Reader implements TurnFeed {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Runnable onClose;
        private Cursor cursor;

        Reader(Cursor from, Runnable onClose) {
            this.cursor = from;
            this.onClose = onClose;
        }

        @Override
        public TurnEvent next() throws InterruptedException {
            lock.lock();
            try {
                while (true) {
                    if (closed.get() || cursor.ended()) {
                        return null;
                    }
                    if (!cursor.started()) {
                        cursor = Cursor.AFTER_START;
                        return new TurnEvent.Start(cursor.id(), userMessage, message);
                    }
                    String content = answer.contentFrom(cursor.content());
                    String reasoning = answer.reasoningFrom(cursor.reasoning());
                    List<ToolCall> calls = answer.toolCalls();
                    List<ToolCallDelta> pieces = ToolStream.from(calls, cursor.tools());
                    if (content != null || reasoning != null || pieces != null) {
                        cursor = Cursor.at(
                                Math.max(cursor.content(), answer.contentLength()),
                                Math.max(cursor.reasoning(), answer.reasoningLength()),
                                Math.max(cursor.tools(), ToolStream.length(calls)));
                        return new TurnEvent.Delta(cursor.id(), content, reasoning, pieces);
                    }
                    if (last != null) {
                        cursor = cursor.finish();
                        return last;
                    }
                    changed.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                onClose.run();
            }
        }
    }
}
