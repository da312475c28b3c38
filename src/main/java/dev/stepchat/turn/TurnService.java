package dev.stepchat.turn;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stepchat.config.StepFunConfig;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.service.Inputs;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.observability.Shutdown;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.StepFunClient;
import dev.stepchat.stepfun.StepFunException;
import dev.stepchat.stepfun.StreamingAnswer;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;
import dev.stepchat.turn.api.TurnView;
import dev.stepchat.usage.TokenUsage;

/**
 * A chat turn: short transaction (store the user message, read the history), the upstream call
 * with no transaction or connection held, short transaction (store the reply, add the usage).
 * Not transactional itself, on purpose.
 */
@ApplicationScoped
public class TurnService {

    private final TurnStore store;
    private final StepFunClient stepFun;
    private final CurrentOwner owner;
    private final Inputs inputs;

    private final ObjectMapper json;
    private final StepFunConfig config;

    private final TurnMetrics metrics;
    private final Shutdown shutdown;
    private final TurnAdmission admission;
    private final TurnCompletion completion;
    private final ModelCatalog models;

    TurnService(TurnStore store, StepFunClient stepFun, CurrentOwner owner, Inputs inputs, ObjectMapper json,
                StepFunConfig config, TurnMetrics metrics, Shutdown shutdown, TurnAdmission admission,
                TurnCompletion completion, ModelCatalog models) {
        this.models = models;
        this.admission = admission;
        this.completion = completion;
        this.metrics = metrics;
        this.shutdown = shutdown;
        this.store = store;
        this.stepFun = stepFun;
        this.owner = owner;
        this.inputs = inputs;
        this.json = json;
        this.config = config;
    }

    public TurnView send(UUID conversationId, SendMessage body, String path) {
        checkTurn(body.content(), body.model());
        return answered(() -> store.begin(conversationId, owner.id(), body, path));
    }

    /** A new answer to an earlier user message (a sibling of its earlier answers). */
    public TurnView regenerate(UUID conversationId, UUID userMessageId, Regenerate body, String path) {
        checkTurn(null, body.model());
        return answered(() -> store.regenerate(conversationId, owner.id(), userMessageId, body, path));
    }

    /** The same, streamed. */
    public StreamingOutput streamRegenerated(UUID conversationId, UUID userMessageId, Regenerate body, String path,
                                             java.util.function.Consumer<Runnable> onCallerGone) {
        checkTurn(null, body.model());
        return streamed(() -> store.regenerate(conversationId, owner.id(), userMessageId, body, path), onCallerGone);
    }

    private TurnView answered(java.util.function.Supplier<TurnStore.Started> begin) {
        try (TurnAdmission.Ticket ticket = admission.admit()) {
            TurnStore.Started started = refusedIfUnfit(admission.beginning(begin), false);
            TurnStore.Answer answer = call(started, false,
                    () -> answer(stepFun.complete(started.upstream()).await().indefinitely()));
            TurnView turn;
            try {
                turn = completion.complete(started, answer, Message.Status.COMPLETED);
            } catch (ProblemException unstored) {
                metrics.turn(unstored.type().slug(), answer.model(), false);
                throw unstored;
            }
            metrics.turn("completed", answer.model(), false);
            return turn;
        }
    }

    /**
     * A streamed turn. Returns once StepFun's first chunk has arrived; until then failures are
     * retried and end as a problem response like a non-streamed turn. The returned output writes
     * the events; {@code onCallerGone} is to be called when the caller disconnects.
     */
    public StreamingOutput stream(UUID conversationId, SendMessage body, String path,
                                  java.util.function.Consumer<Runnable> onCallerGone) {
        checkTurn(body.content(), body.model());
        return streamed(() -> store.begin(conversationId, owner.id(), body, path), onCallerGone);
    }

    private StreamingOutput streamed(java.util.function.Supplier<TurnStore.Started> begin,
                                     java.util.function.Consumer<Runnable> onCallerGone) {
        TurnAdmission.Ticket ticket = admission.admit();
        try {
            TurnStore.Started started = refusedIfUnfit(admission.beginning(begin), true);
            StreamingAnswer opened = call(started, true, () -> stepFun.stream(started.upstream()).await().indefinitely());
            // the stream gives the ticket back when it has stored its reply
            TurnStream stream = new TurnStream(completion, started, opened, json, config.stream().idleTimeout(),
                    config.stream().maxDuration(), metrics, ticket);
            onCallerGone.accept(stream::callerGone);
            return stream;
        } catch (RuntimeException e) {
            ticket.close();
            throw e;
        }
    }

    /** A stored Turn (JSON) as the events of a stream, for a replayed streamed request. */
    public String replayAsEvents(String turn) {
        return TurnStream.replay(json, turn);
    }

    /** A turn whose prompt cannot fit the context limit ends here, before any upstream call. */
    private TurnStore.Started refusedIfUnfit(TurnStore.Started started, boolean streamed) {
        if (started.refusal() != null) {
            metrics.turn(started.refusal().type().slug(), started.upstream().model(), streamed);
            throw started.refusal();
        }
        return started;
    }

    private void checkTurn(String content, String model) {
        inputs.checkTurn(content, model);
        models.check("model", model);
        if (shutdown.stopping()) {
            throw new ProblemException(ProblemType.SHUTTING_DOWN,
                    "This instance is shutting down; send the turn again", null, Duration.ofSeconds(1));
        }
    }

    /** The upstream call, outside any transaction; a failure marks the user's message failed. */
    private <T> T call(TurnStore.Started started, boolean streamed, java.util.function.Supplier<T> upstream) {
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

    private static TurnStore.Answer answer(ChatCompletion completion) {
        ChatCompletion.Choice choice = completion == null ? null : completion.first();
        if (choice == null || choice.message() == null || choice.message().content() == null) {
            throw new StepFunException(StepFunException.Kind.BAD_RESPONSE, 200, "", null, null);
        }
        TokenUsage usage = completion.usage() == null ? TokenUsage.ZERO : completion.usage().toTokenUsage();
        String reasoning = choice.message().reasoning();
        return new TurnStore.Answer(choice.message().content(), reasoning == null || reasoning.isEmpty() ? null : reasoning,
                completion.model(), choice.finishReason(), usage, completion.id());
    }
}
