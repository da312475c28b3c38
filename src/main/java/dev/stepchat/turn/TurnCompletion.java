package dev.stepchat.turn;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.DatabaseFaults;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.turn.api.TurnView;

/**
 * The writes that end a turn, made durable against database faults. An answer StepFun gave was
 * paid for, so its completing transaction is retried with backoff (it is our own write, and
 * idempotent: a commit whose acknowledgement was lost is found, not written twice) for
 * {@code stepchat.admission.completion-retry-for}. If the database is still unreachable then, the
 * caller gets a 503 and the turn is kept here until the database is back: the user message is
 * then marked failed with that problem and the usage goes to the totals and the ledger. A failed
 * turn's own write (marking its user message failed) is kept the same way. Only what is still kept
 * when the instance stops is lost; it is logged and counted in
 * {@code stepchat_usage_unrecorded_tokens_total}.
 */
@ApplicationScoped
public class TurnCompletion {

    /** A write that could not be made yet. */
    private record Pending(String what, UUID conversationId, long tokens, Runnable write) {}

    private static final long FIRST_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 1_000;

    private final AnswerStore store;
    private final TurnMetrics metrics;
    private final Duration retryFor;
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

    TurnCompletion(AnswerStore store, TurnMetrics metrics, ChatConfig config) {
        this.store = store;
        this.metrics = metrics;
        this.retryFor = config.admission().completionRetryFor();
    }

    /** Stores a whole answer; a 503 problem when the database stayed unreachable (its usage is then kept). */
    public TurnView complete(Started started, Answer answer) {
        return durably(
                started,
                answer,
                () -> store.completeWhole(started, answer),
                () -> store.storedWhole(started),
                // the answer never reached the database: its user message is marked failed later
                stored503 -> () -> store.failAnswered(started, answer, stored503));
    }

    /**
     * Stores a streamed answer's end; a 503 problem when the database stayed unreachable (the
     * answer, stored in progress already, is then completed once the database is back).
     */
    public TurnView complete(Started started, Answer answer, StreamEnd end) {
        return durably(
                started,
                answer,
                () -> store.completeStreamed(started, answer, end),
                () -> store.storedStreamed(started, end.messageId()),
                stored503 -> () -> {
                    if (store.storedStreamed(started, end.messageId()).isEmpty()) {
                        store.completeStreamed(started, answer, end);
                    }
                });
    }

    /**
     * Runs {@code write} until it commits, a commit whose acknowledgement was lost is found
     * ({@code stored}), or {@code completion-retry-for} has passed: then the write {@code later}
     * makes (given the 503 the caller gets) is kept until the database is back.
     */
    private TurnView durably(
            Started started,
            Answer answer,
            Supplier<TurnView> write,
            Supplier<Optional<TurnView>> stored,
            Function<Problem, Runnable> later) {
        Instant deadline = Instant.now().plus(retryFor);
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            RuntimeException failure;
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (DatabaseFaults.classify(e) == null) {
                    throw e;
                }
                failure = e;
            }
            Optional<TurnView> already = storedAlready(stored);
            if (already.isPresent()) {
                return already.get();
            }
            if (Instant.now().isAfter(deadline)) {
                ProblemException unavailable = new ProblemException(
                        ProblemType.DATABASE_UNAVAILABLE,
                        "The answer could not be stored because the database cannot be reached; the turn is"
                                + " stored when it is back, with its usage counted",
                        null,
                        DatabaseFaults.RETRY_AFTER);
                keep(new Pending(
                        "answer",
                        started.conversationId(),
                        answer.usage().totalTokens(),
                        later.apply(unavailable.toProblem(started.path()))));
                Log.warnf(
                        "Could not store the answer to conversation %s for %s (%s); kept until the database is back",
                        started.conversationId(), retryFor, failure.getMessage());
                throw unavailable;
            }
            backoff = pause(backoff);
        }
    }

    /** Marks a turn's user message failed with its problem, now or once the database is back. */
    public void fail(Started started, Problem problem) {
        try {
            store.fail(started, problem);
        } catch (RuntimeException e) {
            if (DatabaseFaults.classify(e) == null) {
                throw e;
            }
            keep(new Pending("failure", started.conversationId(), 0, () -> store.fail(started, problem)));
        }
    }

    /**
     * Makes a write that records usage already paid for (a drop-in call's ledger row): retried like
     * an answer's completion until {@code completion-retry-for} has passed ({@code stored} finds a
     * commit whose acknowledgement was lost), then kept until the database is back. Never fails
     * for a database fault: the answer is the caller's either way.
     */
    void recordDurably(String what, long tokens, Runnable write, java.util.function.BooleanSupplier stored) {
        Runnable once = () -> {
            if (!stored.getAsBoolean()) {
                write.run();
            }
        };
        Instant deadline = Instant.now().plus(retryFor);
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            try {
                once.run();
                return;
            } catch (RuntimeException e) {
                if (DatabaseFaults.classify(e) == null) {
                    throw e;
                }
                if (Instant.now().isAfter(deadline)) {
                    keep(new Pending(what, null, tokens, once));
                    Log.warnf(
                            "Could not record the %s for %s (%s); kept until the database is back",
                            what, retryFor, e.getMessage());
                    return;
                }
            }
            backoff = pause(backoff);
        }
    }

    /** Kept writes, tried again every few seconds on every replica that holds some. */
    @Scheduled(every = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retryKept() {
        for (Pending write : pending) {
            try {
                write.write().run();
                pending.remove(write);
                Log.infof("Stored the kept %s of conversation %s", write.what(), write.conversationId());
            } catch (RuntimeException e) {
                if (DatabaseFaults.classify(e) != null) {
                    return; // the database is still away: the others wait for the next round
                }
                pending.remove(write);
                Log.errorf(e, "Could not store the kept %s of conversation %s", write.what(), write.conversationId());
                metrics.unrecorded(write.tokens());
            }
        }
    }

    @PreDestroy
    void lastTry() {
        retryKept();
        for (Pending write : pending) {
            Log.errorf(
                    "Stopping with the %s of conversation %s unstored: %d tokens not in the ledger",
                    write.what(), write.conversationId(), write.tokens());
            metrics.unrecorded(write.tokens());
        }
        pending.clear();
    }

    private void keep(Pending write) {
        pending.add(write);
    }

    private static Optional<TurnView> storedAlready(Supplier<Optional<TurnView>> stored) {
        try {
            return stored.get();
        } catch (RuntimeException e) {
            if (DatabaseFaults.classify(e) == null) {
                throw e;
            }
            return Optional.empty();
        }
    }

    private static long pause(long backoff) {
        try {
            Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.DATABASE_UNAVAILABLE, "Interrupted while storing the answer");
        }
        return Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
}
