package dev.stepchat.turn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.panache.common.Sort;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Jdbc;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.conversation.StreamOutcome;
import dev.stepchat.conversation.Titles;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.model.ContextFit;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.model.ModelsConfig;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;
import dev.stepchat.turn.api.TurnView;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageLedger;
import dev.stepchat.usage.UsageTotals;

/**
 * The two short transactions of a turn, before and after the upstream call. Nothing here calls
 * StepFun: a transaction (and its pooled connection) never spans the upstream call.
 */
@ApplicationScoped
public class TurnStore {

    /** What the first transaction hands to the upstream call. */
    public record Started(UUID conversationId, String owner, MessageView userMessage, ChatCompletionRequest upstream,
                          String path, boolean regenerated, Instant startedAt, TurnView.Context context,
                          int rawEstimate, ProblemException refusal) {
    }

    /** What the upstream answered, as it is stored. */
    public record Answer(String content, String reasoning, String model, String finishReason, TokenUsage usage,
                         String upstreamId) {
    }

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final UsageLedger ledger;
    private final ChatConfig config;

    private final TurnMetrics metrics;

    private final ModelCatalog models;
    private final ModelsConfig modelsConfig;
    private final dev.stepchat.usage.Prices prices;
    private final dev.stepchat.usage.SpendingLimits spending;

    private final Idempotency idempotency;
    private final OwnerAdmission owners;

    TurnStore(ConversationRepository conversations, MessageRepository messages, UsageLedger ledger, ChatConfig config,
              TurnMetrics metrics, ModelCatalog models, ModelsConfig modelsConfig, dev.stepchat.usage.Prices prices,
              dev.stepchat.usage.SpendingLimits spending, Idempotency idempotency, OwnerAdmission owners) {
        this.idempotency = idempotency;
        this.owners = owners;
        this.spending = spending;
        this.prices = prices;
        this.models = models;
        this.modelsConfig = modelsConfig;
        this.metrics = metrics;
        this.conversations = conversations;
        this.messages = messages;
        this.ledger = ledger;
        this.config = config;
    }

    /**
     * Stores the user's message (in progress) under its parent and reads the history the model is
     * shown: the path from the root to that parent.
     */
    @Transactional
    public Started begin(UUID conversationId, String owner, SendMessage body, String path) {
        ConversationRepository.ForTurn conversation = forTurn(conversationId, owner);
        withinLimits(conversation, owner);
        Optional<UUID> requested = body.requestedParent();
        // without a parent asked for, the current branch is read once: it gives the parent and the history
        List<Message> branch = requested == null ? messages.path(conversation.id(), conversation.currentMessageId()) : null;
        UUID parent = branch == null ? parentOf(conversation, requested) : lastAnswer(branch);
        List<Message> history = branch == null ? messages.path(conversation.id(), parent) : upTo(branch, parent);
        String model = body.model() != null ? body.model() : conversation.model();
        Fitted fitted = fit(conversation, history, body.content(), model, body.maxTokens());

        Message user = new Message();
        user.id = Jdbc.newId();
        user.conversationId = conversationId;
        user.parentId = parent;
        user.role = Message.Role.USER;
        user.content = body.content();
        user.status = Message.Status.IN_PROGRESS;
        user.createdAt = now();
        if (fitted.refusal() != null) {
            // kept, failed with the problem, and never sent: nothing fits around it
            user.status = Message.Status.FAILED;
            user.error = StoredError.of(fitted.refusal().toProblem(path));
            messages.insert(user);
            conversations.addFailedMessage(conversationId, user.id);
        } else {
            reserve(owner, conversationId, user.id, model, fitted, body.maxTokens());
            messages.insert(user);
            if (!conversations.startTurn(conversationId, user.id, config.turnLease(), user.id)) {
                // rolls back: the message of a refused turn is not kept
                throw turnInProgress();
            }
            idempotency.attachTurn(conversationId, user.id);
        }
        var request = new ChatCompletionRequest(model, fitted.upstream(), body.temperature(), body.topP(), body.maxTokens(),
                null);
        return new Started(conversationId, owner, ConversationMapper.view(user), request, path, false, user.createdAt,
                fitted.context(), fitted.rawEstimate(), fitted.refusal());
    }

    /**
     * A new answer to an earlier user message, as a sibling of its earlier answers: the history is
     * the path down to that message; nothing is stored until the answer comes.
     */
    @Transactional
    public Started regenerate(UUID conversationId, String owner, UUID userMessageId, Regenerate body, String path) {
        ConversationRepository.ForTurn conversation = forTurn(conversationId, owner);
        Message user = messages.inConversation(conversationId, userMessageId);
        if (user == null) {
            throw ProblemException.notFound("Message");
        }
        withinLimits(conversation, owner);
        if (user.role != Message.Role.USER) {
            throw ProblemException.invalid("message_id", "must be a user message: regenerate answers a user message again");
        }
        String model = body.model() != null ? body.model() : conversation.model();
        Fitted fitted = fit(conversation, messages.path(conversation.id(), user.parentId), user.content, model,
                body.maxTokens());
        if (fitted.refusal() == null) {
            reserve(owner, conversationId, user.id, model, fitted, body.maxTokens());
            if (!conversations.startTurn(conversationId, user.id, config.turnLease(), null)) {
                throw turnInProgress();
            }
            idempotency.attachTurn(conversationId, user.id);
        }
        var request = new ChatCompletionRequest(model, fitted.upstream(), body.temperature(), body.topP(), body.maxTokens(),
                null);
        return new Started(conversationId, owner, ConversationMapper.view(user), request, path, true, Instant.now(),
                fitted.context(), fitted.rawEstimate(), fitted.refusal());
    }

    /**
     * The conversation as a turn reads it, after closing the turn a dead replica left (its lease
     * expired): before anything else is read, so that its answer, now incomplete, is what the new
     * turn follows and what the model is sent, exactly as if the abandoned-turns job had run.
     */
    private ConversationRepository.ForTurn forTurn(UUID conversationId, String owner) {
        ConversationRepository.ForTurn conversation = conversations.forTurn(conversationId, owner)
                .orElseThrow(() -> ProblemException.notFound("Conversation"));
        if (conversation.leaseExpired()) {
            messages.closeAbandoned(conversationId);
        }
        return conversation;
    }

    /**
     * Reserves the turn's worst case (its prompt estimate and max_tokens, else the reply reserve)
     * against the owner's spending limits, or refuses it (see {@link dev.stepchat.usage.SpendingLimits#reserve}).
     */
    private void reserve(String owner, UUID conversationId, UUID holder, String model, Fitted fitted, Integer maxTokens) {
        spending.reserve(owner, conversationId, holder, model, fitted.context().estimatedPromptTokens(),
                maxTokens != null ? maxTokens : modelsConfig.replyReserve());
    }

    /**
     * The conversation's own token cap, then the owner's share of the service (turns in flight and
     * per minute): refused before anything is stored. The spending limits come once the prompt
     * is known ({@link #reserve}).
     */
    private void withinLimits(ConversationRepository.ForTurn conversation, String owner) {
        if (conversation.maxTotalTokens() != null && conversation.totalTokens() >= conversation.maxTotalTokens()) {
            metrics.refused(ProblemType.CONVERSATION_LIMIT_REACHED.slug());
            throw new ProblemException(ProblemType.CONVERSATION_LIMIT_REACHED, "This conversation has used "
                    + conversation.totalTokens() + " tokens of its max_total_tokens " + conversation.maxTotalTokens()
                    + "; raise it or start a new conversation");
        }
        owners.admit(owner);
    }

    private static ProblemException turnInProgress() {
        return new ProblemException(ProblemType.TURN_IN_PROGRESS,
                "Another turn of this conversation is still running; send again when it has finished");
    }

    /**
     * The parent asked for by a new user message: an assistant message of this conversation, or
     * none for a new root. Without one, the parent is the current branch's {@link #lastAnswer}.
     */
    private UUID parentOf(ConversationRepository.ForTurn conversation, Optional<UUID> requested) {
        if (requested.isEmpty()) {
            return null;
        }
        Message parent = messages.inConversation(conversation.id(), requested.get());
        if (parent == null || parent.role != Message.Role.ASSISTANT) {
            throw ProblemException.invalid("parent_id", "must be an assistant message of this conversation");
        }
        return parent.id;
    }

    /**
     * The current branch's last completed or incomplete answer, or null (a failed user message at
     * its end is left as a dead-end sibling).
     */
    private static UUID lastAnswer(List<Message> branch) {
        for (int i = branch.size() - 1; i >= 0; i--) {
            Message m = branch.get(i);
            if (m.role == Message.Role.ASSISTANT
                    && (m.status == Message.Status.COMPLETED || m.status == Message.Status.INCOMPLETE)) {
                return m.id;
            }
        }
        return null;
    }

    /** The start of a path, down to {@code last} (none for null). */
    private static List<Message> upTo(List<Message> path, UUID last) {
        for (int i = 0; i < path.size(); i++) {
            if (path.get(i).id.equals(last)) {
                return path.subList(0, i + 1);
            }
        }
        return List.of();
    }

    /** The upstream messages of a turn, what fitting them cost, or why they cannot fit. */
    private record Fitted(List<ChatMessage> upstream, TurnView.Context context, int rawEstimate,
                          ProblemException refusal) {
    }

    /**
     * The system prompt, then the completed and incomplete messages of {@code path} (the root down to the new
     * message's parent) that fit the conversation's context limit (or the model's window less the room
     * for the reply), oldest exchanges left out first, then the new message.
     */
    private Fitted fit(ConversationRepository.ForTurn conversation, List<Message> path, String newMessage, String model,
                       Integer maxTokens) {
        List<ContextFit.Entry<Message>> history = new ArrayList<>();
        for (Message earlier : path) {
            if (earlier.status == Message.Status.COMPLETED || earlier.status == Message.Status.INCOMPLETE) {
                history.add(new ContextFit.Entry<>(earlier, earlier.role == Message.Role.USER, earlier.content,
                        earlier.role == Message.Role.ASSISTANT ? earlier.promptTokens : null, earlier.estimatedPromptTokens));
            }
        }
        Integer limit = contextLimit(conversation, model, maxTokens);
        String system = conversation.systemPrompt() == null || conversation.systemPrompt().isEmpty() ? null
                : conversation.systemPrompt();
        ContextFit.Result<Message> result = ContextFit.fit(system, history, newMessage,
                limit == null ? Integer.MAX_VALUE : limit);
        List<ChatMessage> upstream = new ArrayList<>();
        if (system != null) {
            upstream.add(new ChatMessage("system", system));
        }
        for (Message kept : result.kept()) {
            upstream.add(new ChatMessage(kept.role == Message.Role.USER ? "user" : "assistant", kept.content));
        }
        upstream.add(new ChatMessage("user", newMessage));
        TurnView.Context context = new TurnView.Context(upstream.size(), result.omitted(), result.estimatedPromptTokens());
        ProblemException refusal = result.fits() ? null : new ProblemException(ProblemType.CONTEXT_LENGTH_EXCEEDED,
                "The system prompt and the new message need about " + result.estimatedPromptTokens()
                        + " tokens; this conversation's limit is " + limit + " (shorten the message or raise context_limit)");
        return new Fitted(upstream, context, result.rawEstimate(), refusal);
    }

    /** The conversation's context limit, else the model's window less the reply room; null when unknown. */
    private Integer contextLimit(ConversationRepository.ForTurn conversation, String model, Integer maxTokens) {
        if (conversation.contextLimit() != null) {
            return conversation.contextLimit();
        }
        java.util.OptionalInt window = models.contextWindow(model);
        if (window.isEmpty()) {
            return null;
        }
        int reply = maxTokens != null ? maxTokens : Math.min(modelsConfig.replyReserve(), window.getAsInt() / 4);
        return Math.max(1, window.getAsInt() - reply);
    }

    /**
     * A streamed answer has begun (StepFun's first chunk is in): it is stored in progress, with
     * no text yet, as the conversation's current message.
     *
     * @return the answer as the start event shows it
     */
    @Transactional
    public MessageView startAnswer(Started started, String model) {
        Message reply = new Message();
        reply.conversationId = started.conversationId();
        reply.parentId = started.userMessage().id();
        reply.messagesOmitted = started.context().messagesOmitted();
        reply.estimatedPromptTokens = started.rawEstimate();
        reply.role = Message.Role.ASSISTANT;
        reply.content = "";
        reply.status = Message.Status.IN_PROGRESS;
        reply.model = model;
        reply.createdAt = now();
        messages.persist(reply);
        conversations.answerStarted(started.conversationId(), started.userMessage().id(), reply.id, config.turnLease());
        return ConversationMapper.view(reply);
    }

    /**
     * Stores the reply with its usage, marks the user's message completed and adds the usage to the
     * totals and the ledger, all in one transaction. A streamed reply ({@code streamed}, stored in
     * progress since its start) is completed in place; otherwise the reply is a new message.
     *
     * @param finishReason overrides the upstream's (a stopped stream), or null
     * @param problem      the problem a stream ended with (its text is kept), or null
     */
    @Transactional
    public TurnView complete(Started started, Answer answer, Message.Status status, UUID streamed, String finishReason,
                             Problem problem) {
        if (streamed == null) {
            return completeNew(started, answer, status, finishReason, problem);
        }
        Message user = messages.findById(started.userMessage().id());
        Message reply = messages.findById(streamed);
        java.math.BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        if (user == null || reply == null) {
            throw conversationGone(started, answer, cost);
        }
        user.status = Message.Status.COMPLETED;
        answered(reply, started, answer, status, finishReason, cost);
        reply.stopRequestedAt = null;
        UsageTotals totals = settled(reply, started, answer, cost, problem, null);
        recorded(reply, started, answer, cost);
        messages.signal("end:" + reply.id);
        return turn(user, reply, totals);
    }

    /**
     * Stores a whole answer (not streamed) in four statements and no entity: the user message
     * completed, the usage added to the conversation (returning its totals), the answer inserted
     * with those totals, the ledger row with the owner's day.
     */
    private TurnView completeNew(Started started, Answer answer, Message.Status status, String finishReason,
                                 Problem problem) {
        java.math.BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        if (!messages.markCompleted(started.userMessage().id())) {
            throw conversationGone(started, answer, cost);
        }
        Message reply = new Message();
        reply.id = Jdbc.newId();
        answered(reply, started, answer, status, finishReason, cost);
        reply.createdAt = now();
        UsageTotals totals = settled(reply, started, answer, cost, problem, reply.id);
        messages.insert(reply); // before its ledger row, which refers to it
        recorded(reply, started, answer, cost);
        MessageView user = started.userMessage();
        return turn(new MessageView(user.id(), user.object(), user.conversationId(), user.parentId(), user.role(),
                user.content(), "completed", user.model(), user.finishReason(), user.usage(), null, user.createdAt()),
                reply, totals);
    }

    /**
     * Adds an answer's usage to its conversation (counting {@code newReply} as a new message when
     * given) and gives the turn's lease back; the answer keeps the totals in its stream outcome.
     */
    private UsageTotals settled(Message reply, Started started, Answer answer, java.math.BigDecimal cost, Problem problem,
                                UUID newReply) {
        UsageTotals totals = conversations.finishTurn(started.conversationId(), started.userMessage().id(), answer.usage(),
                cost, Titles.fromFirstMessage(started.userMessage().content(), config.limits().autoTitleLength()), newReply);
        TurnView.Context context = started.context();
        reply.streamOutcome = new StreamOutcome(totals, context.messagesSent(), context.messagesOmitted(),
                context.estimatedPromptTokens(), problem == null ? null : StoredError.of(problem));
        return totals;
    }

    /** The answer's usage in the ledger and the metrics. */
    private void recorded(Message reply, Started started, Answer answer, java.math.BigDecimal cost) {
        ledger.record(started.conversationId(), reply.id, started.owner(), answer.model(), answer.usage(), cost,
                answer.upstreamId());
        metrics.tokens(answer.model(), answer.usage());
        metrics.cost(answer.model(), cost);
    }

    /** The conversation was deleted while StepFun answered: the tokens were still spent, so the ledger keeps them. */
    private ProblemException conversationGone(Started started, Answer answer, java.math.BigDecimal cost) {
        ledger.record(started.conversationId(), null, started.owner(), answer.model(), answer.usage(), cost,
                answer.upstreamId());
        return ProblemException.notFound("Conversation");
    }

    /** Fills an answer message with what the model answered and what it cost. */
    private static void answered(Message reply, Started started, Answer answer, Message.Status status, String finishReason,
                                 java.math.BigDecimal cost) {
        reply.conversationId = started.conversationId();
        reply.parentId = started.userMessage().id();
        reply.messagesOmitted = started.context().messagesOmitted();
        reply.estimatedPromptTokens = started.rawEstimate();
        reply.role = Message.Role.ASSISTANT;
        reply.content = answer.content();
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
     * Now, to the microsecond PostgreSQL keeps: a message's created_at in a turn's response is the
     * one every later read gives.
     */
    private static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    /** A turn as its done event carries it, from its stored messages. */
    private static TurnView turn(Message user, Message reply, UsageTotals totals) {
        return turn(ConversationMapper.view(user), reply, totals);
    }

    private static TurnView turn(MessageView user, Message reply, UsageTotals totals) {
        MessageView answer = ConversationMapper.view(reply);
        StreamOutcome outcome = reply.streamOutcome;
        TurnView.Context context = outcome == null || outcome.messagesSent() == null
                ? new TurnView.Context(0, reply.messagesOmitted == null ? 0 : reply.messagesOmitted,
                reply.estimatedPromptTokens == null ? 0 : reply.estimatedPromptTokens)
                : new TurnView.Context(outcome.messagesSent(), outcome.messagesOmitted(), outcome.estimatedPromptTokens());
        return new TurnView(user, answer,
                answer.usage() == null ? TokenUsage.ZERO : answer.usage(),
                outcome != null && outcome.conversationUsage() != null ? outcome.conversationUsage() : totals, context);
    }

    /** A streamed answer as it is stored now, for a reader on any replica. */
    public record Snapshot(MessageView userMessage, MessageView message, String reasoning, boolean running,
                           TurnEvent finalEvent) {
    }

    /**
     * The stored state of an answer's stream: 404 for an unknown conversation or message, 400
     * for a user message.
     */
    @Transactional
    public Snapshot snapshot(UUID conversationId, String owner, UUID messageId) {
        Conversation conversation = conversations.findOwned(conversationId, owner)
                .orElseThrow(() -> ProblemException.notFound("Conversation"));
        Message reply = messages.inConversation(conversationId, messageId);
        if (reply == null) {
            throw ProblemException.notFound("Message");
        }
        if (reply.role != Message.Role.ASSISTANT) {
            throw ProblemException.invalid("message_id", "must be an assistant message: only answers have a stream");
        }
        if (conversation.mayHaveAbandoned(reply) && messages.closeAbandoned(conversationId).contains(reply.id)) {
            // its replica died: its readers get the text it flushed, then turn-abandoned, now
            messages.getEntityManager().refresh(reply);
        }
        Message user = reply.parentId == null ? null : messages.findById(reply.parentId);
        if (user == null) {
            throw ProblemException.notFound("Message");
        }
        boolean running = reply.status == Message.Status.IN_PROGRESS;
        TurnEvent last = null;
        if (!running) {
            StoredError problem = reply.streamOutcome == null ? null : reply.streamOutcome.problem();
            last = problem != null ? new TurnEvent.Failed(Cursor.END, problem.toProblem())
                    : new TurnEvent.Done(Cursor.END, turn(user, reply, ConversationMapper.totals(conversation)));
        }
        return new Snapshot(ConversationMapper.view(user), ConversationMapper.view(reply), reply.reasoning, running, last);
    }

    /** The message as a start event shows it: in progress, no text yet. */
    static MessageView starting(MessageView answer) {
        return new MessageView(answer.id(), answer.object(), answer.conversationId(), answer.parentId(), answer.role(), "",
                "in_progress", answer.model(), null, null, null, answer.createdAt());
    }

    /** Asks the replica running an answer to stop it; false if it is no longer running. */
    @Transactional
    public boolean requestStop(UUID messageId) {
        return messages.requestStop(messageId);
    }

    /** A message as it is stored now (after a stop). */
    @Transactional
    public MessageView message(UUID messageId) {
        Message message = messages.findById(messageId);
        if (message == null) {
            throw ProblemException.notFound("Message");
        }
        return ConversationMapper.view(message);
    }

    /** Appends the text streamed since the last flush of the answers running here, and reads their stop requests. */
    @Transactional
    public MessageRepository.Flushed flush(List<LiveTurn.Unflushed> texts, List<UUID> running) {
        java.util.Set<UUID> written = new java.util.HashSet<>();
        java.util.Set<UUID> stopped = new java.util.HashSet<>();
        if (!texts.isEmpty()) {
            MessageRepository.Flushed appended = messages.appendText(texts.stream().map(LiveTurn.Unflushed::messageId).toList(),
                    texts.stream().map(LiveTurn.Unflushed::content).toList(),
                    texts.stream().map(LiveTurn.Unflushed::reasoning).toList(),
                    texts.stream().map(LiveTurn.Unflushed::contentAt).toList(),
                    texts.stream().map(LiveTurn.Unflushed::reasoningAt).toList());
            written.addAll(appended.written());
            stopped.addAll(appended.stopRequested());
        }
        if (!running.isEmpty()) {
            stopped.addAll(messages.stopRequested(running));
        }
        return new MessageRepository.Flushed(written, stopped);
    }

    /** Renews the leases of the turns running here. */
    @Transactional
    public void renewLeases(List<UUID> holders) {
        conversations.renewLeases(holders, config.turnLease());
    }

    /**
     * The turn as stored, if its completing transaction committed (a retry after a lost commit
     * acknowledgement finds it here instead of writing it twice): the user message is completed
     * and the reply is the first assistant message after it (one turn at a time per conversation),
     * or, streamed, the answer begun at its start has its usage.
     */
    @Transactional
    public Optional<TurnView> stored(Started started, UUID streamed) {
        Message user = messages.findById(started.userMessage().id());
        if (user == null || user.status != Message.Status.COMPLETED) {
            return Optional.empty();
        }
        Message reply = streamed != null ? messages.findById(streamed)
                : messages.find("parentId = ?1 and role = ?2 and createdAt >= ?3", Sort.by("id"),
                user.id, Message.Role.ASSISTANT, started.startedAt()).firstResult();
        Conversation conversation = conversations.findById(started.conversationId());
        if (reply == null || conversation == null || reply.totalTokens == null) {
            return Optional.empty();
        }
        return Optional.of(turn(user, reply, ConversationMapper.totals(conversation)));
    }

    /** How a turn ended, as what its request answered: the turn, or the problem it failed with. */
    public sealed interface Ended {
        record Answered(TurnView turn) implements Ended {
        }

        record Failed(Problem problem) implements Ended {
        }
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
        messages.closeAbandoned(conversationId);
        Message user = messages.findById(holder);
        Message reply = user == null ? null : messages.find("parentId = ?1 and role = ?2 and createdAt >= ?3",
                Sort.by("id"), user.id, Message.Role.ASSISTANT, since).firstResult();
        if (reply != null && reply.status != Message.Status.IN_PROGRESS) {
            return new Ended.Answered(turn(user, reply, ConversationMapper.totals(conversation)));
        }
        if (user != null && user.status == Message.Status.FAILED && user.error != null) {
            return new Ended.Failed(user.error.toProblem());
        }
        return new Ended.Failed(MessageRepository.ABANDONED.toProblem());
    }

    /**
     * Ends a turn whose answer could not be stored in time: the user message is failed with the
     * problem the caller got, and the usage StepFun reported still goes to the totals and the
     * ledger (the tokens were spent).
     */
    @Transactional
    public void failAnswered(Started started, Answer answer, Problem problem) {
        UUID userId = started.userMessage().id();
        java.math.BigDecimal cost = prices.cost(answer.model(), started.upstream().model(), answer.usage());
        Message user = messages.findById(userId);
        if (user != null) {
            if (!started.regenerated()) {
                user.status = Message.Status.FAILED;
                user.error = StoredError.of(problem);
            }
            conversations.addUsageOfFailedTurn(started.conversationId(), userId, answer.usage(), cost);
        }
        ledger.record(started.conversationId(), null, started.owner(), answer.model(), answer.usage(), cost, answer.upstreamId());
        metrics.tokens(answer.model(), answer.usage());
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
            conversations.releaseTurnLease(user.conversationId, user.id);
        }
    }
}
