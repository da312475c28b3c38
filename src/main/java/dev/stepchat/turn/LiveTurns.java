package dev.stepchat.turn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.StepFunConfig;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.observability.Gauges;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.DatabaseFaults;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.turn.api.TurnView;

/**
 * The turns this replica runs. It holds their leases (renewed together, every third of
 * {@code stepchat.turn-lease}), the streamed ones by answer id, flushes their text to the
 * database every {@code stepchat.streams.flush-every} in one statement (their stop requests are
 * read back in the same round), enforces their idle timeout and deadline, and stores their end.
 * The database work of a streamed turn is one insert at its start, at most one row update per
 * flush period while text arrives, and one transaction at its end, however many chunks it has.
 */
@ApplicationScoped
public class LiveTurns {

    /** How a streamed turn ended: its final event, and what a non-streamed request would have answered. */
    public record Finished(TurnEvent last, TurnView stored, ProblemException unstored) {}

    private final Map<UUID, LiveTurn> byAnswer = new ConcurrentHashMap<>();
    private final Set<UUID> leases = ConcurrentHashMap.newKeySet();
    private final DropInCalls dropIns;
    private final AtomicInteger readerCount = new AtomicInteger();
    private final StreamStore store;
    private final TurnCompletion completion;
    private final TurnSignals signals;
    private final TurnMetrics metrics;
    private final ChatConfig config;
    private final StepFunConfig stepFun;
    private final Scheduler scheduler;
    private final StreamReaders readers;

    LiveTurns(
            StreamStore store,
            TurnCompletion completion,
            TurnSignals signals,
            TurnMetrics metrics,
            ChatConfig config,
            StepFunConfig stepFun,
            Scheduler scheduler,
            MeterRegistry registry,
            StreamReaders readers,
            DropInCalls dropIns) {
        this.readers = readers;
        this.dropIns = dropIns;
        this.store = store;
        this.completion = completion;
        this.signals = signals;
        this.metrics = metrics;
        this.config = config;
        this.stepFun = stepFun;
        this.scheduler = scheduler;
        Gauges.replacing(registry, "stepchat.streams.readers", "stepchat.turns.streaming");
        Gauge.builder("stepchat.streams.readers", readerCount, AtomicInteger::get)
                .description("Connections reading a streamed turn (a POST's own stream or a resumed one)")
                .register(registry);
        Gauge.builder("stepchat.turns.streaming", byAnswer, Map::size)
                .description("Streamed turns this replica is running, connected or not")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        signals.onStop(this::stopHere);
        Duration every = config.turnLease().dividedBy(3);
        scheduler
                .newJob("renew-turn-leases")
                .setInterval(every.toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> renewLeases())
                .schedule();
    }

    // ------------------------------------------------------------------ leases

    /** A turn of this replica holds its conversation's lease (the holder is its user message). */
    void hold(UUID holder) {
        leases.add(holder);
    }

    void release(UUID holder) {
        leases.remove(holder);
    }

    void renewLeases() {
        readers.renew();
        dropIns.renew();
        if (leases.isEmpty()) {
            return;
        }
        try {
            store.renewLeases(List.copyOf(leases));
        } catch (RuntimeException e) {
            Log.warnf(
                    "Could not renew the leases of %d turns (%s); trying again in %s",
                    leases.size(), e.getMessage(), config.turnLease().dividedBy(3));
        }
    }

    // ------------------------------------------------------------------ streamed turns

    /**
     * A streamed turn's answer is stored in progress: it runs here until its end is stored. Its
     * caller's feed gives {@code ticket} (its place among the owner's open streams) back on close.
     */
    TurnFeed started(LiveTurn turn, MessageView userMessage, MessageView answer, StreamReaders.Ticket ticket) {
        byAnswer.put(answer.id(), turn);
        TurnFeed own = reader(turn, Cursor.BEFORE_START, ticket);
        turn.started(userMessage, answer, this::ending);
        return own;
    }

    /** A reader of a turn running here, if it runs here. */
    Optional<TurnFeed> reader(UUID answer, Cursor from, StreamReaders.Ticket ticket) {
        LiveTurn turn = byAnswer.get(answer);
        return turn == null ? Optional.empty() : Optional.of(reader(turn, from, ticket));
    }

    private TurnFeed reader(LiveTurn turn, Cursor from, StreamReaders.Ticket ticket) {
        return turn.reader(from, countedReader(ticket));
    }

    /**
     * Counts a reader (in the readers gauge); the returned action, run when it closes, uncounts it
     * and gives its ticket back.
     */
    Runnable countedReader(StreamReaders.Ticket ticket) {
        readerCount.incrementAndGet();
        return () -> {
            readerCount.decrementAndGet();
            ticket.close();
        };
    }

    /** Stops a turn if it runs here; the future completes once its end is stored. */
    Optional<CompletableFuture<Finished>> stopHere(UUID answer) {
        LiveTurn turn = byAnswer.get(answer);
        if (turn == null) {
            return Optional.empty();
        }
        turn.stop();
        return Optional.of(turn.end());
    }

    /** Where a turn's end goes: stored on a virtual thread (the upstream's I/O thread must not block). */
    private void ending(LiveTurn turn) {
        Thread.ofVirtual().name("turn-end").start(() -> finish(turn));
    }

    private void finish(LiveTurn turn) {
        LiveTurn.Ending ending = turn.ending();
        Answer answer = turn.answer();
        String path = turn.started.path();
        Problem problem = ending.problem() == null ? null : ending.problem().toProblem(path);
        Finished finished;
        String outcome;
        try {
            TurnView stored = completion.complete(
                    turn.started,
                    answer,
                    new StreamEnd(turn.messageId(), ending.status(), ending.finishReason(), problem));
            finished = new Finished(
                    problem == null
                            ? new TurnEvent.Done(Cursor.END, stored)
                            : new TurnEvent.Failed(Cursor.END, problem),
                    stored,
                    null);
            outcome = problem == null
                    ? ending.status().name().toLowerCase(java.util.Locale.ROOT)
                    : ending.problem().type().slug();
        } catch (ProblemException unstored) {
            finished = new Finished(new TurnEvent.Failed(Cursor.END, unstored.toProblem(path)), null, unstored);
            outcome = unstored.type().slug();
        } catch (RuntimeException unexpected) {
            Log.errorf(unexpected, "Could not store the end of the answer %s", turn.messageId());
            ProblemException internal =
                    new ProblemException(ProblemType.INTERNAL_ERROR, "The answer could not be stored");
            finished = new Finished(new TurnEvent.Failed(Cursor.END, internal.toProblem(path)), null, internal);
            outcome = ProblemType.INTERNAL_ERROR.slug();
        }
        byAnswer.remove(turn.messageId());
        turn.hold.close();
        metrics.turn(outcome, answer.model(), true);
        turn.finished(finished);
    }

    /** Flushes the text of the streams running here, reads their stop requests, and ends the timed-out. */
    @Scheduled(every = "${stepchat.streams.flush-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        if (byAnswer.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long idle = stepFun.stream().idleTimeout().toNanos();
        long max = stepFun.stream().maxDuration().toSeconds();
        List<LiveTurn.Unflushed> texts = new ArrayList<>();
        List<UUID> running = new ArrayList<>();
        List<LiveTurn> turns = List.copyOf(byAnswer.values());
        for (LiveTurn turn : turns) {
            turn.checkTime(now, idle, max);
            LiveTurn.Unflushed text = turn.unflushed();
            if (text != null) {
                texts.add(text);
            }
            running.add(turn.messageId());
        }
        AnswerRows.Flushed flushed;
        try {
            flushed = store.flush(texts, running);
        } catch (RuntimeException e) {
            if (DatabaseFaults.classify(e) == null) {
                throw e;
            }
            // whether it committed is unknown: those answers are written whole next time
            texts.forEach(text -> rewriteNext(text.messageId()));
            Log.debugf("Could not flush %d streams (%s); next round", texts.size(), e.getMessage());
            return;
        }
        for (LiveTurn.Unflushed text : texts) {
            if (flushed.written().contains(text.messageId())) {
                LiveTurn turn = byAnswer.get(text.messageId());
                if (turn != null) {
                    turn.flushed(text);
                }
            } else {
                rewriteNext(text.messageId());
            }
        }
        flushed.stopRequested().forEach(this::stopHere);
    }

    private void rewriteNext(UUID answer) {
        LiveTurn turn = byAnswer.get(answer);
        if (turn != null) {
            turn.rewriteNext();
        }
    }

    /**
     * Shutdown: turns whose caller has left are not requests the HTTP server waits for, so they are
     * given the rest of {@code quarkus.shutdown.timeout} here; those still running then end
     * incomplete, with a shutting-down problem, their text and usage kept.
     */
    void stopping(
            @Observes ShutdownEvent event,
            @org.eclipse.microprofile.config.inject.ConfigProperty(
                            name = "quarkus.shutdown.timeout",
                            defaultValue = "30S")
                    Duration timeout) {
        List<CompletableFuture<Finished>> ends =
                byAnswer.values().stream().map(LiveTurn::end).toList();
        if (ends.isEmpty()) {
            return;
        }
        Log.infof("Waiting up to %s for %d streamed turns to end", timeout, ends.size());
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (TimeoutException late) {
            Log.warnf("Ending %d streamed turns still running at shutdown", byAnswer.size());
        } catch (Exception e) {
            Log.debug("Interrupted while waiting for streamed turns", e);
        }
        ProblemException stopping = new ProblemException(
                ProblemType.SHUTTING_DOWN, "The instance answering stopped; the text so far is kept");
        byAnswer.values().forEach(turn -> turn.abort(stopping));
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.warn("Streamed turns could not all be stored at shutdown; they are closed as abandoned later");
        }
    }
}
