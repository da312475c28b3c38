package dev.stepchat.turn;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.FilesConfig;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.conversation.Tools;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.db.Jdbc;
import dev.stepchat.file.Files;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.model.ModelsConfig;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;
import dev.stepchat.usage.SpendingLimits;

/**
 * A turn's first short transaction, before the upstream call: the conversation's lease taken, the
 * owner's limits checked and the spending reserved, the user message stored, the history read
 * and fitted into the prompt ({@link Prompt}). Nothing here calls StepFun.
 */
@ApplicationScoped
class TurnStart {

    private final MessageRepository messages;
    private final TurnLeases leases;
    private final AnswerRows answers;
    private final ChatConfig config;
    private final TurnMetrics metrics;
    private final ModelCatalog models;
    private final ModelsConfig modelsConfig;
    private final SpendingLimits spending;
    private final Idempotency idempotency;
    private final OwnerAdmission owners;
    private final Files files;
    private final FilesConfig filesConfig;

    TurnStart(
            MessageRepository messages,
            TurnLeases leases,
            AnswerRows answers,
            ChatConfig config,
            TurnMetrics metrics,
            ModelCatalog models,
            ModelsConfig modelsConfig,
            SpendingLimits spending,
            Idempotency idempotency,
            OwnerAdmission owners,
            Files files,
            FilesConfig filesConfig) {
        this.messages = messages;
        this.leases = leases;
        this.answers = answers;
        this.config = config;
        this.metrics = metrics;
        this.models = models;
        this.modelsConfig = modelsConfig;
        this.spending = spending;
        this.idempotency = idempotency;
        this.owners = owners;
        this.files = files;
        this.filesConfig = filesConfig;
    }

    /**
     * Stores the user's message (in progress) under its parent and reads the history the model is
     * shown: the path from the root to that parent. A turn with {@code tool_results} stores them
     * instead, as a chain of tool messages under the assistant message whose calls they answer.
     */
    @Transactional(dontRollbackOn = PromptRefused.class)
    Started begin(UUID conversationId, String owner, SendMessage body, String path) {
        TurnLeases.ForTurn conversation = forTurn(conversationId, owner);
        withinLimits(conversation, owner);
        String model = body.model() != null ? body.model() : conversation.model();
        JsonNode tools = effectiveTools(body.tools(), conversation, model);
        JsonNode toolChoice = Tools.checkChoice(body.toolChoice(), tools);
        Optional<UUID> requested = body.requestedParent();
        // without a parent asked for, the current branch is read once: it gives the parent and the history
        List<Message> branch =
                requested == null ? messages.path(conversation.id(), conversation.currentMessageId()) : null;
        Message parent = branch == null ? parentOf(conversation, requested) : Prompt.lastAnswer(branch);
        UUID parentId = parent == null ? null : parent.id;
        List<Message> history =
                branch == null ? messages.path(conversation.id(), parentId) : Prompt.upTo(branch, parentId);
        Integer limit = contextLimit(conversation, model, body.maxTokens());
        if (body.toolResults() != null) {
            if (body.content() != null) {
                throw ProblemException.invalid("content", "must be left out when tool_results answers tool calls");
            }
            List<Message> results = ToolResults.chain(conversationId, parent, body.toolResults());
            Prompt fitted =
                    Prompt.fitResults(conversation.systemPrompt(), history, results, limit, filesConfig.imageTokens());
            return started(conversation, owner, model, fitted, results, body, tools, toolChoice, path);
        }
        String text = body.text();
        ContentParts parts = body.hasParts() ? ContentParts.of(body.content()) : null;
        if (parts == null && (text == null || text.isBlank())) {
            throw ProblemException.invalid("content", "must not be blank");
        }
        if (parts != null && !parts.files().isEmpty()) {
            images(owner, model, parts);
        }
        ToolResults.requireAnswered(parent);
        Message user = new Message();
        user.id = Jdbc.newId();
        user.conversationId = conversationId;
        user.parentId = parentId;
        user.role = Message.Role.USER;
        user.content = text;
        user.parts = parts == null ? null : parts.parts();
        user.status = Message.Status.IN_PROGRESS;
        user.createdAt = TurnViews.now();
        Prompt fitted = Prompt.fit(conversation.systemPrompt(), history, user, limit, filesConfig.imageTokens());
        return started(conversation, owner, model, fitted, List.of(user), body, tools, toolChoice, path);
    }

    /**
     * Stores a new turn's messages (its user message, or its chain of tool results, the last one
     * in progress) and takes the conversation's lease for it; a prompt that cannot fit keeps them,
     * the last one failed, and ends the turn here ({@link PromptRefused}).
     */
    private Started started(
            TurnLeases.ForTurn conversation,
            String owner,
            String model,
            Prompt fitted,
            List<Message> stored,
            SendMessage body,
            JsonNode tools,
            JsonNode toolChoice,
            String path) {
        UUID conversationId = conversation.id();
        Message last = stored.getLast();
        if (fitted.refusal() != null) {
            // kept, failed with the problem, and never sent: nothing fits around it
            last.status = Message.Status.FAILED;
            last.error = StoredError.of(fitted.refusal().toProblem(path));
            stored.forEach(messages::insert);
            leases.addFailedMessages(conversationId, last.id, stored.size());
            throw new PromptRefused(fitted.refusal(), model);
        }
        reserve(owner, conversationId, last.id, model, fitted, body.maxTokens());
        stored.forEach(messages::insert);
        if (!leases.start(conversationId, last.id, config.turnLease(), last.id, stored.size())) {
            // rolls back: the messages of a refused turn are not kept
            throw turnInProgress();
        }
        idempotency.attachTurn(conversationId, last.id);
        var request = new ChatCompletionRequest(
                model, fitted.upstream(), body.temperature(), body.topP(), body.maxTokens(), null, tools, toolChoice);
        return new Started(
                conversationId,
                owner,
                ConversationMapper.view(last),
                request,
                path,
                false,
                last.createdAt,
                fitted.context(),
                fitted.rawEstimate(),
                last.role == Message.Role.TOOL
                        ? stored.stream().map(ConversationMapper::view).toList()
                        : null);
    }

    /**
     * A new answer to an earlier user message (or to the tool results a turn sent), as a sibling
     * of its earlier answers: the history is the path down to that message; nothing is stored
     * until the answer comes.
     */
    @Transactional(dontRollbackOn = PromptRefused.class)
    Started regenerate(UUID conversationId, String owner, UUID userMessageId, Regenerate body, String path) {
        TurnLeases.ForTurn conversation = forTurn(conversationId, owner);
        Message user = messages.inConversation(conversationId, userMessageId);
        if (user == null) {
            throw ProblemException.notFound("Message");
        }
        withinLimits(conversation, owner);
        if (user.role == Message.Role.ASSISTANT) {
            throw ProblemException.invalid(
                    "message_id", "must be a user message: regenerate answers a user message again");
        }
        String model = body.model() != null ? body.model() : conversation.model();
        JsonNode tools = effectiveTools(body.tools(), conversation, model);
        JsonNode toolChoice = Tools.checkChoice(body.toolChoice(), tools);
        if (Prompt.images(user) > 0) {
            models.checkVision(model);
        }
        Integer limit = contextLimit(conversation, model, body.maxTokens());
        List<Message> chain = user.role == Message.Role.TOOL ? messages.toolChain(user) : null;
        Prompt fitted = chain == null
                ? Prompt.fit(
                        conversation.systemPrompt(),
                        messages.path(conversation.id(), user.parentId),
                        user,
                        limit,
                        filesConfig.imageTokens())
                : Prompt.fitResults(
                        conversation.systemPrompt(),
                        messages.path(conversation.id(), chain.getFirst().parentId),
                        chain,
                        limit,
                        filesConfig.imageTokens());
        if (fitted.refusal() != null) {
            throw new PromptRefused(fitted.refusal(), model);
        }
        reserve(owner, conversationId, user.id, model, fitted, body.maxTokens());
        if (!leases.start(conversationId, user.id, config.turnLease(), null, 0)) {
            throw turnInProgress();
        }
        idempotency.attachTurn(conversationId, user.id);
        var request = new ChatCompletionRequest(
                model, fitted.upstream(), body.temperature(), body.topP(), body.maxTokens(), null, tools, toolChoice);
        return new Started(
                conversationId,
                owner,
                ConversationMapper.view(user),
                request,
                path,
                true,
                Instant.now(),
                fitted.context(),
                fitted.rawEstimate(),
                chain == null
                        ? null
                        : chain.stream().map(ConversationMapper::view).toList());
    }

    /**
     * The images of a new message: a model that takes them (else 400 model-cannot-see), files of the
     * caller (else 404), together within what one upstream request carries (else 413); all before
     * anything is stored.
     */
    private void images(String owner, String model, ContentParts parts) {
        models.checkVision(model);
        long total = files.forTurn(owner, parts.files()).values().stream()
                .mapToLong(file -> file.bytes)
                .sum();
        long most = filesConfig.maxRequestImagesSize().asLongValue();
        if (total > most) {
            throw new ProblemException(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    "The message's images total " + total + " bytes; one request carries at most " + most
                            + " (stepchat.files.max-request-images-size)");
        }
    }

    /**
     * The tools of a turn: its own when it names them (an empty list: none), else its
     * conversation's; refused for a model that takes none.
     */
    private JsonNode effectiveTools(JsonNode own, TurnLeases.ForTurn conversation, String model) {
        JsonNode tools = own != null && !own.isNull() ? Tools.check(own, "tools") : conversation.tools();
        if (tools != null) {
            models.checkTools(model);
        }
        return tools;
    }

    /**
     * The conversation as a turn reads it, after closing the turn a dead replica left (its lease
     * expired): before anything else is read, so that its answer, now incomplete, is what the new
     * turn follows and what the model is sent, exactly as if the abandoned-turns job had run.
     */
    private TurnLeases.ForTurn forTurn(UUID conversationId, String owner) {
        TurnLeases.ForTurn conversation =
                leases.forTurn(conversationId, owner).orElseThrow(() -> ProblemException.notFound("Conversation"));
        if (conversation.leaseExpired()) {
            answers.closeAbandoned(conversationId);
        }
        return conversation;
    }

    /**
     * Reserves the turn's worst case (its prompt estimate and max_tokens, else the reply reserve)
     * against the owner's spending limits, or refuses it (see {@link SpendingLimits#reserve}).
     */
    private void reserve(
            String owner, UUID conversationId, UUID holder, String model, Prompt fitted, Integer maxTokens) {
        spending.reserve(
                owner,
                conversationId,
                holder,
                model,
                fitted.context().estimatedPromptTokens(),
                maxTokens != null ? maxTokens : modelsConfig.replyReserve());
    }

    /**
     * The conversation's own token cap, then the owner's share of the service (turns in flight and
     * per minute): refused before anything is stored. The spending limits come once the prompt
     * is known ({@link #reserve}).
     */
    private void withinLimits(TurnLeases.ForTurn conversation, String owner) {
        if (conversation.maxTotalTokens() != null && conversation.totalTokens() >= conversation.maxTotalTokens()) {
            metrics.refused(ProblemType.CONVERSATION_LIMIT_REACHED.slug());
            throw new ProblemException(
                    ProblemType.CONVERSATION_LIMIT_REACHED,
                    "This conversation has used "
                            + conversation.totalTokens() + " tokens of its max_total_tokens "
                            + conversation.maxTotalTokens()
                            + "; raise it or start a new conversation");
        }
        owners.admit(owner);
    }

    private static ProblemException turnInProgress() {
        return new ProblemException(
                ProblemType.TURN_IN_PROGRESS,
                "Another turn of this conversation is still running; send again when it has finished");
    }

    /**
     * The parent asked for by a new user message: an assistant message of this conversation, or
     * none for a new root. Without one, the parent is the current branch's {@link Prompt#lastAnswer}.
     */
    private Message parentOf(TurnLeases.ForTurn conversation, Optional<UUID> requested) {
        if (requested.isEmpty()) {
            return null;
        }
        Message parent = messages.inConversation(conversation.id(), requested.get());
        if (parent == null || parent.role != Message.Role.ASSISTANT) {
            throw ProblemException.invalid("parent_id", "must be an assistant message of this conversation");
        }
        return parent;
    }

    /** The conversation's context limit, else the model's window less the reply room; null when unknown. */
    private Integer contextLimit(TurnLeases.ForTurn conversation, String model, Integer maxTokens) {
        if (conversation.contextLimit() != null) {
            return conversation.contextLimit();
        }
        OptionalInt window = models.contextWindow(model);
        if (window.isEmpty()) {
            return null;
        }
        int reply = maxTokens != null ? maxTokens : Math.min(modelsConfig.replyReserve(), window.getAsInt() / 4);
        return Math.max(1, window.getAsInt() - reply);
    }
}
