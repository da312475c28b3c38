package dev.stepchat.turn;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.panache.common.Sort;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.conversation.StreamOutcome;
import dev.stepchat.conversation.Titles;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.db.Jdbc;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.turn.api.TurnView;
import dev.stepchat.usage.Prices;
import dev.stepchat.usage.UsageLedger;
import dev.stepchat.usage.UsageTotals;

/**
 * The settling of a turn's answer, in the short transaction after the upstream call: the answer
 * stored (or the user message failed), the usage added to the conversation and the ledger, the
 * lease given back; and, after a lost commit acknowledgement or a dead replica, how a turn ended.
 * Nothing here calls StepFun.
 */
@ApplicationScoped
public class AnswerStore {

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final TurnLeases leases;
    private final AnswerRows answers;
    private final UsageLedger ledger;
    private final ChatConfig config;
    private final TurnMetrics metrics;
    private final Prices prices;

    AnswerStore(
            ConversationRepository conversations,
            MessageRepository messages,
            TurnLeases leases,
            AnswerRows answers,
            UsageLedger ledger,
            ChatConfig config,
            TurnMetrics metrics,
            Prices prices) {
        this.conversations = conversations;
        this.messages = messages;
        this.leases = leases;
        this.answers = answers;
        this.ledger = ledger;
        this.config = config;
        this.metrics = metrics;
        this.prices = prices;
    }

    /**
     * Stores a streamed answer's end: the answer (stored in progress since its start) completed in
     * place with its text and usage, the user message completed, the usage added to the totals and
     * the ledger, all in one transaction; its readers on other replicas are told at commit.
     */
    @Transactional
    public TurnView completeStreamed(Started started, Answer answer, StreamEnd end) {
        Message user = messages.findById(started.userMessage().id());
        Message reply = messages.findById(end.messageId());
        BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        if (user == null || reply == null) {
            throw conversationGone(started, answer, cost);
        }
        user.status = Message.Status.COMPLETED;
        answered(reply, started, answer, end.status(), end.finishReason(), cost);
        reply.stopRequestedAt = null;
        UsageTotals totals = settled(reply, started, answer, cost, end.problem(), null);
        recorded(reply, started, answer, cost);
        answers.signal(TurnSignal.end(reply.id));
        return TurnViews.turn(ConversationMapper.view(user), started.toolMessages(), reply, totals);
    }

    /**
     * Stores a whole answer (not streamed) in four statements and no entity: the user message
     * completed, the usage added to the conversation (returning its totals), the answer inserted
     * with those totals, the ledger row with the owner's day.
     */
    @Transactional
    public TurnView completeWhole(Started started, Answer answer) {
        BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        if (!answers.markCompleted(started.userMessage().id())) {
            throw conversationGone(started, answer, cost);
        }
        Message reply = new Message();
        reply.id = Jdbc.newId();
        answered(reply, started, answer, Message.Status.COMPLETED, null, cost);
        reply.createdAt = TurnViews.now();
        UsageTotals totals = settled(reply, started, answer, cost, null, reply.id);
        messages.insert(reply); // before its ledger row, which refers to it
        recorded(reply, started, answer, cost);
        return TurnViews.turn(started.userMessage().withStatus("completed"), started.toolMessages(), reply, totals);
    }

    /**
     * Adds an answer's usage to its conversation (counting {@code newReply} as a new message when
     * given) and gives the turn's lease back; the answer keeps the totals in its stream outcome.
     */
    private UsageTotals settled(
            Message reply, Started started, Answer answer, BigDecimal cost, Problem problem, UUID newReply) {
        UsageTotals totals = leases.finish(
                started.conversationId(),
                started.userMessage().id(),
                answer.usage(),
                cost,
                Titles.fromFirstMessage(
                        started.userMessage().content(), config.limits().autoTitleLength()),
                newReply);
        TurnView.Context context = started.context();
        reply.streamOutcome = new StreamOutcome(
                totals,
                context.messagesSent(),
                context.messagesOmitted(),
                context.estimatedPromptTokens(),
                problem == null ? null : StoredError.of(problem));
        return totals;
    }

    /** The answer's usage in the ledger and the metrics. */
    private void recorded(Message reply, Started started, Answer answer, BigDecimal cost) {
        ledger.record(
                started.conversationId(),
                reply.id,
                started.owner(),
                answer.model(),
                answer.usage(),
                cost,
                answer.upstreamId());
        metrics.tokens(
                answer.model(),
                answer.usage().promptTokens(),
                answer.usage().completionTokens(),
                answer.usage().cachedTokens());
        metrics.cost(answer.model(), cost);
    }

    /** The conversation was deleted while StepFun answered: the tokens were still spent, so the ledger keeps them. */
    private ProblemException conversationGone(Started started, Answer answer, BigDecimal cost) {
        ledger.record(
                started.conversationId(),
                null,
                started.owner(),
                answer.model(),
                answer.usage(),
                cost,
                answer.upstreamId());
        return ProblemException.notFound("Conversation");
    }

    /** Fills an answer message with what the model answered and what it cost. */
    private static void answered(
            Message reply,
            Started started,
            Answer answer,
            Message.Status status,
            String finishReason,
            BigDecimal cost) {
        reply.conversationId = started.conversationId();
        reply.parentId = started.userMessage().id();
        reply.messagesOmitted = started.context().messagesOmitted();
        reply.estimatedPromptTokens = started.rawEstimate();
        reply.role = Message.Role.ASSISTANT;
        reply.content = answer.content();
        reply.toolCalls = answer.toolCalls() == null ? null : answer.toolCalls().toArray(ToolCall[]::new);
        reply.reasoning = answer.reasoning();
        reply.status = status;
        reply.model = answer.model();
        reply.finishReason = finishReason != null ? finishReason : answer.finishReason();
        reply.promptTokens = Math.toIntExact(answer.usage().promptTokens());
        reply.completionTokens = Math.toIntExact(answer.usage().completionTokens());
        reply.totalTokens = Math.toIntExact(answer.usage().totalTokens());
        reply.cachedTokens = Math.toIntExact(answer.usage().cachedTokens());
        reply.cost = cost;
    }

    /**
     * The whole answer's turn as stored, if its completing transaction committed (a retry after a
     * lost commit acknowledgement finds it here instead of writing it twice): the user message is
     * completed and the reply is the first assistant message after it (one turn at a time per
     * conversation).
     */
    @Transactional
    public Optional<TurnView> storedWhole(Started started) {
        return stored(
                started,
                user -> messages.find(
                                "parentId = ?1 and role = ?2 and createdAt >= ?3",
                                Sort.by("id"),
                                user.id,
                                Message.Role.ASSISTANT,
                                started.startedAt())
                        .firstResult());
    }

    /** The same for a streamed answer: its message, begun at its start, has its usage. */
    @Transactional
    public Optional<TurnView> storedStreamed(Started started, UUID messageId) {
        return stored(started, user -> messages.findById(messageId));
    }

    private Optional<TurnView> stored(Started started, Function<Message, Message> replyTo) {
        Message user = messages.findById(started.userMessage().id());
        if (user == null || user.status != Message.Status.COMPLETED) {
            return Optional.empty();
        }
        Message reply = replyTo.apply(user);
        Conversation conversation = conversations.findById(started.conversationId());
        if (reply == null || conversation == null || reply.totalTokens == null) {
            return Optional.empty();
        }
        return Optional.of(TurnViews.turn(user, toolChain(user), reply, ConversationMapper.totals(conversation)));
    }

    /** How a turn ended, as what its request answered: the turn, or the problem it failed with. */
    public sealed interface Ended {
        record Answered(TurnView turn) implements Ended {}

        record Failed(Problem problem) implements Ended {}
    }

    /**
     * How the turn whose lease {@code holder} held ended, for a request begun at {@code since},
     * once no live replica holds it: a turn its replica left is closed first (as the job would).
     * Its answer (the first created since the request, completed or incomplete) makes it answered;
     * else the user message's problem, or {@code turn-abandoned} for a regeneration that never
     * got an answer.
     */
    @Transactional
    public Ended ended(UUID conversationId, UUID holder, Instant since) {
        Conversation conversation = conversations.findById(conversationId);
        if (conversation == null) {
            return new Ended.Failed(ProblemException.notFound("Conversation").toProblem(null));
        }
        answers.closeAbandoned(conversationId);
        Message user = messages.findById(holder);
        Message reply = user == null
                ? null
                : messages.find(
                                "parentId = ?1 and role = ?2 and createdAt >= ?3",
                                Sort.by("id"),
                                user.id,
                                Message.Role.ASSISTANT,
                                since)
                        .firstResult();
        if (reply != null && reply.status != Message.Status.IN_PROGRESS) {
            return new Ended.Answered(
                    TurnViews.turn(user, toolChain(user), reply, ConversationMapper.totals(conversation)));
        }
        if (user != null && user.status == Message.Status.FAILED && user.error != null) {
            return new Ended.Failed(user.error.toProblem());
        }
        return new Ended.Failed(AnswerRows.ABANDONED.toProblem());
    }

    /**
     * Ends a turn whose answer could not be stored in time: the user message is failed with the
     * problem the caller got, and the usage StepFun reported still goes to the totals and the
     * ledger (the tokens were spent).
     */
    @Transactional
    public void failAnswered(Started started, Answer answer, Problem problem) {
        UUID userId = started.userMessage().id();
        BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        Message user = messages.findById(userId);
        if (user != null) {
            if (!started.regenerated()) {
                user.status = Message.Status.FAILED;
                user.error = StoredError.of(problem);
            }
            leases.finishFailed(started.conversationId(), userId, answer.usage(), cost);
        }
        ledger.record(
                started.conversationId(),
                null,
                started.owner(),
                answer.model(),
                answer.usage(),
                cost,
                answer.upstreamId());
        metrics.tokens(
                answer.model(),
                answer.usage().promptTokens(),
                answer.usage().completionTokens(),
                answer.usage().cachedTokens());
    }

    /**
     * Keeps the user's message, marked failed with the problem the caller got; a failed
     * regeneration leaves the message as it was (it has its earlier answers).
     */
    @Transactional
    public void fail(Started started, Problem problem) {
        Message user = messages.findById(started.userMessage().id());
        if (user != null) {
            if (!started.regenerated()) {
                user.status = Message.Status.FAILED;
                user.error = StoredError.of(problem);
            }
            leases.release(user.conversationId, user.id);
        }
    }

    /** The results a tool-results turn stored, when {@code user} (its last one) is a tool message. */
    private List<Message> toolChain(Message user) {
        return user.role == Message.Role.TOOL ? messages.toolChain(user) : null;
    }
}
