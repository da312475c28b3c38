package dev.stepchat.turn;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkus.logging.Log;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.turn.api.ToolCallDelta;

/**
 * The events of an answer read from the database: for a reader on a replica that does not run
 * the turn, or of a turn that has ended. The text so far comes at once; while the answer is in
 * progress the database is read again when its end is announced ({@link TurnSignals}) and at least
 * once per flush period (the running replica writes the text that often), so live text arrives
 * about one to two flush periods after StepFun sent it.
 */
final class StoredFeed implements TurnFeed {

    /** Reads the answer's stored state (one short transaction). */
    interface Reader {
        StreamStore.Snapshot read();
    }

    private final Reader reader;
    private final Duration pollEvery;
    private final Runnable onClose;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean closed = new AtomicBoolean();
    private StreamStore.Snapshot snapshot;
    private Cursor cursor;
    private final AutoCloseable watch;

    StoredFeed(
            Reader reader,
            UUID messageId,
            StreamStore.Snapshot first,
            Cursor from,
            TurnSignals signals,
            Duration pollEvery,
            Runnable onClose) {
        this.reader = reader;
        this.snapshot = first;
        this.cursor = from;
        this.pollEvery = pollEvery;
        this.onClose = onClose;
        this.watch = signals.watch(messageId, wake::release);
    }

    @Override
    public TurnEvent next() throws InterruptedException {
        while (!closed.get() && !cursor.ended()) {
            if (!cursor.started()) {
                cursor = Cursor.AFTER_START;
                return new TurnEvent.Start(cursor.id(), snapshot.userMessage(), TurnViews.starting(snapshot.message()));
            }
            String text = snapshot.message().content();
            String reasoning = snapshot.reasoning() == null ? "" : snapshot.reasoning();
            String content = cursor.content() < text.length() ? text.substring(cursor.content()) : null;
            String thought = cursor.reasoning() < reasoning.length() ? reasoning.substring(cursor.reasoning()) : null;
            // an answer's tool calls are stored when it ends: a reader on another replica gets them then
            List<ToolCall> calls = snapshot.message().toolCalls() == null
                    ? List.of()
                    : snapshot.message().toolCalls();
            List<ToolCallDelta> pieces = ToolStream.from(calls, cursor.tools());
            if (content != null || thought != null || pieces != null) {
                cursor = Cursor.at(
                        Math.max(cursor.content(), text.length()),
                        Math.max(cursor.reasoning(), reasoning.length()),
                        Math.max(cursor.tools(), ToolStream.length(calls)));
                return new TurnEvent.Delta(cursor.id(), content, thought, pieces);
            }
            if (snapshot.finalEvent() != null) {
                cursor = cursor.finish();
                return snapshot.finalEvent();
            }
            wake.tryAcquire(pollEvery.toMillis(), TimeUnit.MILLISECONDS);
            wake.drainPermits();
            if (closed.get()) {
                break;
            }
            try {
                snapshot = reader.read();
            } catch (ProblemException gone) {
                // deleted meanwhile: nothing more to send
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            wake.release();
            try {
                watch.close();
            } catch (Exception e) {
                Log.debug("Could not stop watching a stream", e);
            }
            onClose.run();
        }
    }
}
