package dev.stepchat.turn;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.problem.ProblemException;

/**
 * The stored side of streamed answers while they run: what a reader on any replica reads of
 * one (its snapshot), a stop asked for, the running replica's flushes and lease renewals.
 */
@ApplicationScoped
public class StreamStore {

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final TurnLeases leases;
    private final AnswerRows answers;
    private final ChatConfig config;

    StreamStore(
            ConversationRepository conversations,
            MessageRepository messages,
            TurnLeases leases,
            AnswerRows answers,
            ChatConfig config) {
        this.conversations = conversations;
        this.messages = messages;
        this.leases = leases;
        this.answers = answers;
        this.config = config;
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
        reply.createdAt = TurnViews.now();
        messages.persist(reply);
        leases.answerStarted(started.conversationId(), started.userMessage().id(), reply.id, config.turnLease());
        return ConversationMapper.view(reply);
    }

    /** A streamed answer as it is stored now, for a reader on any replica. */
    public record Snapshot(
            MessageView userMessage, MessageView message, String reasoning, boolean running, TurnEvent finalEvent) {}

    /**
     * The stored state of an answer's stream: 404 for an unknown conversation or message, 400
     * for a user message.
     */
    @Transactional
    public Snapshot snapshot(UUID conversationId, String owner, UUID messageId) {
        Conversation conversation = conversations
                .findOwned(conversationId, owner)
                .orElseThrow(() -> ProblemException.notFound("Conversation"));
        Message reply = messages.inConversation(conversationId, messageId);
        if (reply == null) {
            throw ProblemException.notFound("Message");
        }
        if (reply.role != Message.Role.ASSISTANT) {
            throw ProblemException.invalid("message_id", "must be an assistant message: only answers have a stream");
        }
        if (conversation.mayHaveAbandoned(reply)
                && answers.closeAbandoned(conversationId).contains(reply.id)) {
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
            last = problem != null
                    ? new TurnEvent.Failed(Cursor.END, problem.toProblem())
                    : new TurnEvent.Done(
                            Cursor.END,
                            TurnViews.turn(
                                    user,
                                    user.role == Message.Role.TOOL ? messages.toolChain(user) : null,
                                    reply,
                                    ConversationMapper.totals(conversation)));
        }
        return new Snapshot(
                ConversationMapper.view(user), ConversationMapper.view(reply), reply.reasoning, running, last);
    }

    /**
     * The answer running in the conversation (its newest in progress), if any; 404 for a
     * conversation the caller does not own.
     */
    @Transactional
    public Optional<UUID> runningAnswer(UUID conversationId, String owner) {
        conversations.findOwned(conversationId, owner).orElseThrow(() -> ProblemException.notFound("Conversation"));
        return messages.find(
                        "conversationId = ?1 and role = ?2 and status = ?3 order by createdAt desc",
                        conversationId,
                        Message.Role.ASSISTANT,
                        Message.Status.IN_PROGRESS)
                .firstResultOptional()
                .map(message -> message.id);
    }

    /**
     * The last user message (or tool message) of the conversation's current branch: what a
     * regeneration answers again. 404 for a conversation the caller does not own, 400 when the
     * branch has none.
     */
    @Transactional
    public UUID lastAsked(UUID conversationId, String owner) {
        Conversation conversation = conversations
                .findOwned(conversationId, owner)
                .orElseThrow(() -> ProblemException.notFound("Conversation"));
        List<Message> path = conversation.currentMessageId == null
                ? List.of()
                : messages.path(conversationId, conversation.currentMessageId);
        for (int i = path.size() - 1; i >= 0; i--) {
            Message message = path.get(i);
            if (message.role == Message.Role.USER || message.role == Message.Role.TOOL) {
                return message.id;
            }
        }
        throw ProblemException.invalid("trigger", "the conversation has no user message to answer again");
    }

    /** Asks the replica running an answer to stop it; false if it is no longer running. */
    @Transactional
    public boolean requestStop(UUID messageId) {
        return answers.requestStop(messageId);
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
    public AnswerRows.Flushed flush(List<LiveTurn.Unflushed> texts, List<UUID> running) {
        Set<UUID> written = new HashSet<>();
        Set<UUID> stopped = new HashSet<>();
        if (!texts.isEmpty()) {
            AnswerRows.Flushed appended = answers.appendText(
                    texts.stream().map(LiveTurn.Unflushed::messageId).toList(),
                    texts.stream().map(LiveTurn.Unflushed::content).toList(),
                    texts.stream().map(LiveTurn.Unflushed::reasoning).toList(),
                    texts.stream().map(LiveTurn.Unflushed::contentAt).toList(),
                    texts.stream().map(LiveTurn.Unflushed::reasoningAt).toList());
            written.addAll(appended.written());
            stopped.addAll(appended.stopRequested());
        }
        if (!running.isEmpty()) {
            stopped.addAll(answers.stopRequested(running));
        }
        return new AnswerRows.Flushed(written, stopped);
    }

    /** Renews the leases of the turns running here. */
    @Transactional
    public void renewLeases(List<UUID> holders) {
        leases.renew(holders, config.turnLease());
    }
}
