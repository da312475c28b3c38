package dev.stepchat.turn;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.subscription.Cancellable;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.observability.Shutdown;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.DatabaseFaults;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChunkSink;
import dev.stepchat.stepfun.StepFunClient;
import dev.stepchat.stepfun.Usage;
import dev.stepchat.usage.Prices;
import dev.stepchat.usage.SpendingLimits;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageLedger;

/**
 * Drop-in calls: a client that keeps its own history (OpenAI's wire format) calls StepFun through
 * the service. Nothing is stored as a conversation, but everything that guards a turn applies: the
 * owner's line and share (a running call is a leased {@code drop_in_call} row, counted with the
 * owner's turns in flight), the service's admission, the spending limits (the call's worst case
 * reserved while it runs) and, once StepFun answered, a ledger row with the call's id and no
 * conversation. The same shape as a turn: a short transaction, the upstream call with nothing
 * held, a short transaction.
 */
@ApplicationScoped
public class DropInCalls {

    /** A running call: its place among the turns in flight here and its lease. Closed once, after its usage is recorded. */
    public final class Call implements AutoCloseable {
        private final UUID id;
        private final String owner;
        private final String model;
        private final boolean streamed;
        private final TurnAdmission.Ticket ticket;
        private boolean open = true;

        private Call(UUID id, String owner, String model, boolean streamed, TurnAdmission.Ticket ticket) {
            this.id = id;
            this.owner = owner;
            this.model = model;
            this.streamed = streamed;
            this.ticket = ticket;
        }

        public UUID id() {
            return id;
        }

        @Override
        public synchronized void close() {
            if (!open) {
                return;
            }
            open = false;
            running.remove(id);
            ticket.close();
            try {
                QuarkusTransaction.requiringNew().run(() -> jdbc.update("delete from drop_in_call where id = ?", id));
            } catch (RuntimeException e) {
                // its lease runs out by itself
                Log.debugf("Could not delete the drop-in call %s: %s", id, e.getMessage());
            }
        }
    }

    private final Jdbc jdbc;
    private final ChatConfig config;
    private final OwnerAdmission owners;
    private final TurnAdmission admission;
    private final SpendingLimits spending;
    private final UsageLedger ledger;
    private final Prices prices;
    private final TurnCompletion completion;
    private final StepFunClient stepFun;
    private final TurnMetrics metrics;
    private final Shutdown shutdown;
    /** The calls running on this replica, whose leases it renews. */
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();

    DropInCalls(
            Jdbc jdbc,
            ChatConfig config,
            OwnerAdmission owners,
            TurnAdmission admission,
            SpendingLimits spending,
            UsageLedger ledger,
            Prices prices,
            TurnCompletion completion,
            StepFunClient stepFun,
            TurnMetrics metrics,
            Shutdown shutdown) {
        this.jdbc = jdbc;
        this.config = config;
        this.owners = owners;
        this.admission = admission;
        this.spending = spending;
        this.ledger = ledger;
        this.prices = prices;
        this.completion = completion;
        this.stepFun = stepFun;
        this.metrics = metrics;
        this.shutdown = shutdown;
    }

    /**
     * Admits a call of {@code owner} to {@code model} whose prompt is estimated at
     * {@code promptTokens} and whose reply may take {@code replyTokens}, or refuses it (429
     * {@code owner-rate-limited} or {@code spending-limit-reached}, 503 {@code overloaded} or
     * {@code shutting-down}) before StepFun is called.
     */
    public Call begin(String owner, String model, long promptTokens, long replyTokens, boolean streamed) {
        if (shutdown.stopping()) {
            throw new ProblemException(
                    ProblemType.SHUTTING_DOWN,
                    "This instance is shutting down; send again",
                    null,
                    Duration.ofSeconds(1));
        }
        try (OwnerAdmission.Place front = owners.line(owner)) {
            TurnAdmission.Ticket ticket = admission.admit();
            UUID id = Jdbc.newId();
            try {
                admission.beginning(() -> QuarkusTransaction.requiringNew().call(() -> {
                    owners.admit(owner);
                    jdbc.update("delete from drop_in_call where owner = ? and until < now()", owner);
                    jdbc.update(
                            "insert into drop_in_call (id, owner, until) values (?, ?, now() + make_interval(secs => ?))",
                            id,
                            owner,
                            (double) config.turnLease().toSeconds());
                    spending.reserve(owner, null, id, model, promptTokens, replyTokens);
                    return id;
                }));
            } catch (RuntimeException e) {
                ticket.close();
                throw e instanceof ProblemException || DatabaseFaults.classify(e) == null
                        ? e
                        : DatabaseFaults.toProblem(e);
            }
            running.add(id);
            return new Call(id, owner, model, streamed, ticket);
        }
    }

    /** A whole answer, its usage recorded; a failed call is the problem its caller gets. */
    public ChatCompletion complete(Call call, ChatCompletionRequest request) {
        ChatCompletion answer =
                upstream(call, () -> stepFun.complete(request).await().indefinitely());
        ended(call, answer.usage(), answer.model(), answer.id());
        return answer;
    }

    /**
     * A streamed answer: returns once StepFun's first chunk has arrived (until then failures are
     * retried, then are the problem its caller gets); the chunks go to {@code sink}. Its caller
     * calls {@link #ended} with the last usage StepFun sent.
     */
    public Cancellable stream(Call call, ChatCompletionRequest request, ChunkSink sink) {
        return upstream(call, () -> stepFun.stream(request, sink).await().indefinitely());
    }

    /** Records what the call used (StepFun's last usage; none: nothing to record) in the ledger. */
    public void ended(Call call, Usage usage, String reportedModel, String upstreamId) {
        TokenUsage tokens = UpstreamUsage.of(usage);
        metrics.turn("completed", call.model, call.streamed);
        if (tokens.totalTokens() == 0) {
            return;
        }
        BigDecimal cost = prices.cost(reportedModel, call.model, tokens);
        String model = reportedModel != null ? reportedModel : call.model;
        metrics.tokens(model, tokens.promptTokens(), tokens.completionTokens(), tokens.cachedTokens());
        metrics.cost(model, cost);
        completion.recordDurably(
                "usage of drop-in call " + call.id,
                tokens.totalTokens(),
                () -> QuarkusTransaction.requiringNew()
                        .run(() -> ledger.record(call.id, null, null, call.owner, model, tokens, cost, upstreamId)),
                () -> QuarkusTransaction.requiringNew().call(() -> ledger.recorded(call.id)));
    }

    private <T> T upstream(Call call, java.util.function.Supplier<T> upstream) {
        long start = System.nanoTime();
        try {
            T result = upstream.get();
            metrics.upstream(call.streamed, "ok", Duration.ofNanos(System.nanoTime() - start));
            return result;
        } catch (RuntimeException failure) {
            ProblemException problem = UpstreamProblems.toProblem(failure);
            metrics.upstream(call.streamed, problem.type().slug(), Duration.ofNanos(System.nanoTime() - start));
            metrics.turn(problem.type().slug(), call.model, call.streamed);
            throw problem;
        }
    }

    /** Renews the leases of the calls running here; with the turns' leases, a third of a lease apart. */
    void renew() {
        if (running.isEmpty()) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew()
                    .run(() -> jdbc.update(
                            "update drop_in_call set until = now() + make_interval(secs => ?) where id = any(?)",
                            (double) config.turnLease().toSeconds(),
                            List.copyOf(running).toArray(new UUID[0])));
        } catch (RuntimeException e) {
            Log.warnf("Could not renew %d drop-in calls (%s); trying again later", running.size(), e.getMessage());
        }
    }
}
