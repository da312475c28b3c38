package dev.stepchat.turn;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.subscription.Cancellable;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.StepFunConfig;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.Inputs;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.observability.Shutdown;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.DatabaseFaults;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.StepFunClient;
import dev.stepchat.stepfun.StepFunException;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;
import dev.stepchat.turn.api.ToolResult;
import dev.stepchat.turn.api.TurnView;
import dev.stepchat.usage.TokenUsage;

/**
 * A chat turn: short transaction (store the user message, read the history), the upstream call
 * with no transaction or connection held, short transaction (store the reply, add the usage).
 * Not transactional itself, on purpose.
 */
@ApplicationScoped
public class TurnService {

    private final TurnStart start;
    private final StreamStore streams;
    private final StepFunClient stepFun;
    private final CurrentOwner owner;
    private final Inputs inputs;

    private final StepFunConfig config;

    private final TurnMetrics metrics;
    private final Shutdown shutdown;
    private final TurnAdmission admission;
    private final OwnerAdmission owners;
    private final TurnCompletion completion;
    private final ModelCatalog models;
    private final LiveTurns live;
    private final TurnSignals signals;
    private final ChatConfig chat;
    /** How often running streams reach the database: how often a reader elsewhere looks again. */
    private final Duration flushPeriod;

    private final StreamReaders readers;

    private final UpstreamImages images;

    TurnService(
            TurnStart start,
            StreamStore streams,
            StepFunClient stepFun,
            CurrentOwner owner,
            Inputs inputs,
            StepFunConfig config,
            TurnMetrics metrics,
            Shutdown shutdown,
            TurnAdmission admission,
            OwnerAdmission owners,
            TurnCompletion completion,
            ModelCatalog models,
            LiveTurns live,
            TurnSignals signals,
            ChatConfig chat,
            StreamReaders readers,
            UpstreamImages images) {
        this.readers = readers;
        this.images = images;
        this.models = models;
        this.live = live;
        this.signals = signals;
        this.chat = chat;
        this.flushPeriod = io.quarkus.runtime.configuration.DurationConverter.parseDuration(
                chat.streams().flushEvery().strip());
        this.admission = admission;
        this.owners = owners;
        this.completion = completion;
        this.metrics = metrics;
        this.shutdown = shutdown;
        this.start = start;
        this.streams = streams;
        this.stepFun = stepFun;
        this.owner = owner;
        this.inputs = inputs;
        this.config = config;
    }

    public TurnView send(UUID conversationId, SendMessage body, String path) {
        checkTurn(body);
        return answered(() -> start.begin(conversationId, owner.id(), body, path));
    }

    /** A new answer to an earlier user message (a sibling of its earlier answers). */
    public TurnView regenerate(UUID conversationId, UUID userMessageId, Regenerate body, String path) {
        checkTurn(null, body.model());
        return answered(() -> start.regenerate(conversationId, owner.id(), userMessageId, body, path));
    }

    /** The same, streamed. */
    public StreamedTurn streamRegenerated(UUID conversationId, UUID userMessageId, Regenerate body, String path) {
        checkTurn(null, body.model());
        return streamed(() -> start.regenerate(conversationId, owner.id(), userMessageId, body, path));
    }

    private TurnView answered(java.util.function.Supplier<Started> begin) {
        owners.refuseIfFullHere(owner.id());
        Begun begun = begin(begin, false);
        Started started = begun.started();
        try (TurnHold hold = begun.hold()) {
            Answer answer = call(
                    started,
                    false,
                    () -> answer(stepFun.complete(images.inline(started.upstream(), hold))
                            .await()
                            .indefinitely()));
            TurnView turn;
            try {
                turn = completion.complete(started, answer);
            } catch (ProblemException unstored) {
                metrics.turn(unstored.type().slug(), answer.model(), false);
                throw unstored;
            }
            metrics.turn("completed", answer.model(), false);
            return turn;
        }
    }

    /** A turn past its first transaction, and what it holds from there. */
    private record Begun(TurnHold hold, Started started) {}

    /**
     * Takes a turn's places and runs its first transaction. The owner's line comes first and is
     * left once that transaction has ended: an owner's turns queued behind one another hold none
     * of the places the other owners' turns need.
     */
    private Begun begin(java.util.function.Supplier<Started> begin, boolean streamed) {
        try (OwnerAdmission.Place front = owners.line(owner.id())) {
            TurnHold hold = new TurnHold(admission.admit(), live);
            try {
                Started started = begun(begin, streamed);
                hold.leased(started.userMessage().id());
                hold.alsoRelease(owners.runsHere(owner.id()));
                return new Begun(hold, started);
            } catch (RuntimeException e) {
                hold.close();
                throw e;
            }
        }
    }

    /**
     * A streamed turn, as its caller's feed of events and, for an Idempotency-Key, what a
     * non-streamed request would have answered (once the turn has ended).
     */
    public record StreamedTurn(TurnFeed feed, CompletionStage<LiveTurns.Finished> end) {}

    /**
     * A streamed turn. Returns once StepFun's first chunk has arrived and the answer is stored in
     * progress; until then failures are retried and end as a problem response like a non-streamed
     * turn. From there the turn runs on this replica until it ends, whether its caller stays or
     * not; the caller reads it through the returned feed.
     */
    public StreamedTurn stream(UUID conversationId, SendMessage body, String path) {
        checkTurn(body);
        return streamed(() -> start.begin(conversationId, owner.id(), body, path));
    }

    private StreamedTurn streamed(java.util.function.Supplier<Started> begin) {
        owners.refuseIfFullHere(owner.id());
        // the caller's stream is one of the owner's open streams: refused, if too many, before anything
        StreamReaders.Ticket reading = readers.open(owner.id());
        Begun begun;
        try {
            begun = begin(begin, true);
        } catch (RuntimeException e) {
            reading.close();
            throw e;
        }
        TurnHold hold = begun.hold();
        Started started = begun.started();
        try {
            LiveTurn turn = new LiveTurn(
                    started,
                    hold,
                    System.nanoTime() + config.stream().maxDuration().toNanos());
            Cancellable upstream = call(
                    started,
                    true,
                    () -> stepFun.stream(images.inline(started.upstream(), hold), turn)
                            .await()
                            .indefinitely());
            turn.opened(upstream);
            MessageView answer;
            try {
                answer = streams.startAnswer(started, turn.answer().model());
            } catch (RuntimeException e) {
                upstream.cancel();
                ProblemException problem = e instanceof ProblemException p ? p : DatabaseFaults.toProblem(e);
                metrics.turn(problem.type().slug(), started.upstream().model(), true);
                completion.fail(started, problem.toProblem(started.path()));
                throw problem;
            }
            // from here the turn releases what it holds when its end is stored (LiveTurns)
            TurnFeed feed = live.started(turn, started.userMessage(), TurnViews.starting(answer), reading);
            return new StreamedTurn(feed, turn.end());
        } catch (RuntimeException e) {
            hold.close();
            reading.close();
            throw e;
        }
    }

    /**
     * The events of an answer after {@code lastEventId} (all of them without one): from memory when
     * its turn runs here, else from the database, following it live until its end.
     */
    public TurnFeed events(UUID conversationId, UUID messageId, String lastEventId) {
        Cursor from = Cursor.parse(lastEventId);
        String caller = owner.id();
        readers.refuseIfFullHere(caller);
        StreamStore.Snapshot first = streams.snapshot(conversationId, caller, messageId);
        StreamReaders.Ticket reading = readers.open(caller);
        try {
            Optional<TurnFeed> here = live.reader(messageId, from, reading);
            if (here.isPresent()) {
                return here.get();
            }
            return new StoredFeed(
                    () -> streams.snapshot(conversationId, caller, messageId),
                    messageId,
                    first,
                    from,
                    signals,
                    flushPeriod,
                    live.countedReader(reading));
        } catch (RuntimeException e) {
            reading.close();
            throw e;
        }
    }

    /** The last user message of the current branch answered again, streamed (the AI SDK's regenerate). */
    public StreamedTurn streamRegeneratedLast(UUID conversationId, Regenerate body, String path) {
        return streamRegenerated(conversationId, streams.lastAsked(conversationId, owner.id()), body, path);
    }

    /**
     * The events of the answer running in the conversation from its start, following it live; empty
     * when none runs.
     */
    public Optional<TurnFeed> running(UUID conversationId) {
        return streams.runningAnswer(conversationId, owner.id()).map(answer -> events(conversationId, answer, null));
    }

    /**
     * Stops a running answer on whichever replica runs it: the upstream request is cancelled and
     * the answer stored incomplete, "stopped", with the usage known. Returns the message once its
     * end is stored (or as it is after {@code stepchat.streams.stop-wait}); a message that is not
     * running is returned as it is.
     */
    public MessageView stop(UUID conversationId, UUID messageId) {
        String caller = owner.id();
        StreamStore.Snapshot snapshot = streams.snapshot(conversationId, caller, messageId);
        if (!snapshot.running()) {
            return snapshot.message();
        }
        Duration wait = chat.streams().stopWait();
        Optional<CompletableFuture<LiveTurns.Finished>> here = live.stopHere(messageId);
        if (here.isPresent()) {
            try {
                here.get().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException late) {
                // answered below with the message as it is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (streams.requestStop(messageId)) {
            awaitEnd(() -> streams.snapshot(conversationId, caller, messageId), messageId, wait);
        }
        return streams.snapshot(conversationId, caller, messageId).message();
    }

    /** Waits until the answer's end is stored, woken by its announcement or looking once per flush period. */
    private void awaitEnd(StoredFeed.Reader reader, UUID messageId, Duration wait) {
        java.util.concurrent.Semaphore woken = new java.util.concurrent.Semaphore(0);
        long deadline = System.nanoTime() + wait.toNanos();
        try (AutoCloseable watch = signals.watch(messageId, woken::release)) {
            while (reader.read().running()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                woken.tryAcquire(Math.min(left, flushPeriod.toNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProblemException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first transaction, within the database admission; a turn whose prompt cannot fit the
     * context limit ends there, before any upstream call (its user message is stored failed).
     */
    private Started begun(java.util.function.Supplier<Started> begin, boolean streamed) {
        try {
            return admission.beginning(begin);
        } catch (PromptRefused refused) {
            metrics.turn(refused.type().slug(), refused.model(), streamed);
            throw refused;
        }
    }

    private void checkTurn(SendMessage body) {
        if (body.toolResults() == null
                && !body.hasParts()
                && (body.text() == null || body.text().isBlank())) {
            throw ProblemException.invalid("content", "must not be blank");
        }
        if (body.toolResults() != null && body.toolResults().isEmpty()) {
            throw ProblemException.invalid("tool_results", "must hold one result for each tool call");
        }
        checkTurn(body.text(), body.model());
        if (body.toolResults() != null) {
            for (int i = 0; i < body.toolResults().size(); i++) {
                ToolResult result = body.toolResults().get(i);
                if (result != null) {
                    inputs.checkContent(result.content(), "tool_results[" + i + "].content");
                }
            }
        }
    }

    private void checkTurn(String content, String model) {
        inputs.checkTurn(content, model);
        models.check("model", model);
        if (shutdown.stopping()) {
            throw new ProblemException(
                    ProblemType.SHUTTING_DOWN,
                    "This instance is shutting down; send the turn again",
                    null,
                    Duration.ofSeconds(1));
        }
    }

    /** The upstream call, outside any transaction; a failure marks the user's message failed. */
    private <T> T call(Started started, boolean streamed, java.util.function.Supplier<T> upstream) {
        long start = System.nanoTime();
        try {
            T result = upstream.get();
            metrics.upstream(streamed, "ok", Duration.ofNanos(System.nanoTime() - start));
            return result;
        } catch (RuntimeException failure) {
            ProblemException problem = UpstreamProblems.toProblem(failure);
            metrics.upstream(streamed, problem.type().slug(), Duration.ofNanos(System.nanoTime() - start));
            metrics.turn(problem.type().slug(), started.upstream().model(), streamed);
            completion.fail(started, problem.toProblem(started.path()));
            throw problem;
        }
    }

    private static Answer answer(ChatCompletion completion) {
        ChatCompletion.Choice choice = completion == null ? null : completion.first();
        List<ToolCall> calls = choice == null || choice.message() == null
                ? null
                : UpstreamToolCalls.of(choice.message().toolCalls());
        if (choice == null || choice.message() == null || (choice.message().content() == null && calls == null)) {
            throw new StepFunException(StepFunException.Kind.BAD_RESPONSE, 200, "", null, null);
        }
        TokenUsage usage = UpstreamUsage.of(completion.usage());
        String reasoning = choice.message().reasoning();
        return new Answer(
                choice.message().content() == null ? "" : choice.message().content(),
                reasoning == null || reasoning.isEmpty() ? null : reasoning,
                completion.model(),
                choice.finishReason(),
                usage,
                completion.id(),
                calls);
    }
}
