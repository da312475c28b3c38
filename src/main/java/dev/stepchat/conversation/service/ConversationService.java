package dev.stepchat.conversation.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.Paging;
import dev.stepchat.conversation.RunningTurns;
import dev.stepchat.conversation.Search;
import dev.stepchat.conversation.Tools;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.CreateConversation;
import dev.stepchat.conversation.api.ListPage;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.usage.Money;
import dev.stepchat.usage.UsageLedger;
import dev.stepchat.usage.UsageReport;

/** Conversations and their messages, each operation one short transaction. */
@ApplicationScoped
public class ConversationService {

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final UsageLedger ledger;
    private final CurrentOwner owner;
    private final Inputs inputs;
    private final ChatConfig config;
    private final ModelCatalog models;
    private final RunningTurns runningTurns;

    ConversationService(
            ConversationRepository conversations,
            MessageRepository messages,
            UsageLedger ledger,
            CurrentOwner owner,
            Inputs inputs,
            ChatConfig config,
            ModelCatalog models,
            RunningTurns runningTurns) {
        this.models = models;
        this.runningTurns = runningTurns;
        this.conversations = conversations;
        this.messages = messages;
        this.ledger = ledger;
        this.owner = owner;
        this.inputs = inputs;
        this.config = config;
    }

    /**
     * A new conversation. Its model is checked against StepFun's list first, outside the
     * transaction: that may ask StepFun, and no transaction is held across a call to it.
     */
    public ConversationView create(CreateConversation request) {
        CreateConversation body =
                request == null ? new CreateConversation(null, null, null, null, null, null, null) : request;
        inputs.checkConversation(body.title(), body.model(), body.systemPrompt(), body.metadata());
        models.check("model", body.model());
        return QuarkusTransaction.joiningExisting().call(() -> created(body));
    }

    private ConversationView created(CreateConversation body) {
        Conversation conversation = new Conversation();
        conversation.owner = owner.id();
        conversation.title = body.title();
        conversation.model = body.model() == null ? config.defaultModel() : body.model();
        conversation.systemPrompt = body.systemPrompt();
        conversation.metadata = body.metadata() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(body.metadata());
        conversation.contextLimit = checkedContextLimit(body.contextLimit(), conversation.model);
        conversation.maxTotalTokens = body.maxTotalTokens();
        conversation.tools = Tools.check(body.tools(), "tools");
        if (conversation.tools != null) {
            models.checkTools(conversation.model);
        }
        conversation.createdAt = Instant.now();
        conversation.updatedAt = conversation.createdAt;
        conversations.persist(conversation);
        return ConversationMapper.view(conversation);
    }

    @Transactional
    public ListPage<ConversationView> list(PageRequest page) {
        return list(page, null, false, null);
    }

    /**
     * A page of the caller's conversations, filtered: {@code q} (words in the title or a message),
     * {@code pinned}, {@code archived} (null or "false": not archived; "true": only archived; "any").
     * A search hit carries its match: the newest message containing every word, with a snippet.
     */
    @Transactional
    public ListPage<ConversationView> list(PageRequest page, String q, boolean pinned, String archived) {
        if (archived != null && !List.of("true", "false", "any").contains(archived)) {
            throw ProblemException.invalid("archived", "must be true, false or any");
        }
        if (q != null && q.length() > 200) {
            throw ProblemException.invalid("q", "must have at most 200 characters");
        }
        List<String> words = Search.words(q);
        var slice = conversations.page(owner.id(), page, words, pinned, archived == null ? "false" : archived);
        List<ConversationView> views =
                slice.rows().stream().map(ConversationMapper::view).toList();
        if (!words.isEmpty()) {
            Map<UUID, Message> hits = messages.newestMatches(owner.id(), slice.rows(), words);
            views = views.stream()
                    .map(v -> {
                        Message hit = hits.get(v.id());
                        return v.withMatch(
                                hit == null
                                        ? null
                                        : new ConversationView.Match(hit.id, Search.snippet(hit.content, words)));
                    })
                    .toList();
        }
        return ListPage.of(views, ConversationView::id, slice.hasMore());
    }

    @Transactional
    public ConversationView get(UUID id) {
        return ConversationMapper.view(owned(id));
    }

    /**
     * Applies a JSON merge patch (RFC 7396) of title, model, system_prompt and metadata. With
     * {@code ifMatch} (an If-Match header) the conversation must still have that ETag.
     */
    public ConversationView patch(UUID id, JsonNode patch, String ifMatch) {
        if (!(patch instanceof ObjectNode fields)) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "A merge patch must be a JSON object");
        }
        if (fields.has("model")) {
            // against StepFun's list, which may ask StepFun: before the transaction, never inside it
            String model = text(fields, "model");
            inputs.checkConversation(null, model, null, null);
            models.check("model", model);
        }
        return QuarkusTransaction.joiningExisting().call(() -> patched(id, fields, ifMatch));
    }

    private ConversationView patched(UUID id, ObjectNode fields, String ifMatch) {
        Conversation conversation = owned(id);
        if (ifMatch != null && !ETags.matches(ifMatch, ConversationView.etag(conversation.version))) {
            throw stale();
        }
        if (fields.has("current_message_id")) {
            conversation.currentMessageId = branchEnd(conversation, fields.get("current_message_id"));
        }
        String title = fields.has("title") ? text(fields, "title") : conversation.title;
        String model = fields.has("model") ? text(fields, "model") : conversation.model;
        String systemPrompt = fields.has("system_prompt") ? text(fields, "system_prompt") : conversation.systemPrompt;
        Map<String, String> metadata = fields.has("metadata")
                ? mergeMetadata(conversation.metadata, fields.get("metadata"))
                : conversation.metadata;
        inputs.checkConversation(title, model, systemPrompt, metadata);
        if (fields.has("context_limit")) {
            JsonNode limit = fields.get("context_limit");
            if (!limit.isNull() && !(limit.isIntegralNumber() && limit.canConvertToInt())) {
                throw ProblemException.invalid("context_limit", "must be a positive whole number or null");
            }
            conversation.contextLimit = limit.isNull() ? null : limit.intValue();
        }
        conversation.contextLimit =
                checkedContextLimit(conversation.contextLimit, model == null ? config.defaultModel() : model);
        for (String flag : List.of("pinned", "archived")) {
            if (fields.has(flag)) {
                if (!fields.get(flag).isBoolean()) {
                    throw ProblemException.invalid(flag, "must be true or false");
                }
                if (flag.equals("pinned")) {
                    conversation.pinned = fields.get(flag).booleanValue();
                } else {
                    conversation.archived = fields.get(flag).booleanValue();
                }
            }
        }
        if (fields.has("max_total_tokens")) {
            JsonNode cap = fields.get("max_total_tokens");
            if (!cap.isNull() && !(cap.isIntegralNumber() && cap.canConvertToLong() && cap.longValue() > 0)) {
                throw ProblemException.invalid("max_total_tokens", "must be a positive whole number or null");
            }
            conversation.maxTotalTokens = cap.isNull() ? null : cap.longValue();
        }
        if (fields.has("tools")) {
            conversation.tools = Tools.check(fields.get("tools"), "tools");
        }
        conversation.title = title;
        conversation.model = model == null ? config.defaultModel() : model;
        if (conversation.tools != null && (fields.has("tools") || fields.has("model"))) {
            models.checkTools(conversation.model);
        }
        conversation.systemPrompt = systemPrompt;
        conversation.metadata = metadata;
        conversation.updatedAt = Instant.now();
        try {
            // the version check of the optimistic lock: a change made since the read is a 412
            conversations.flush();
        } catch (OptimisticLockException e) {
            throw stale();
        }
        return ConversationMapper.view(conversation);
    }

    @Transactional
    public void delete(UUID id) {
        if (!conversations.deleteOwned(id, owner.id())) {
            throw ProblemException.notFound("Conversation");
        }
    }

    /**
     * The messages of the current branch (the path from the root to the current message), or of
     * every branch ({@code branch=all}).
     */
    @Transactional
    public ListPage<MessageView> messages(UUID id, PageRequest page, String branch) {
        Conversation conversation = owned(id);
        if (conversation.turnLeaseLapsed()) {
            // a dead replica's turn: listed as it ends, incomplete, not in progress until the job runs
            runningTurns.closeAbandoned(id);
        }
        Paging.Slice<Message> slice;
        if (branch == null || branch.equals("current")) {
            slice = messages.pathPage(id, conversation.currentMessageId, page);
        } else if (branch.equals("all")) {
            slice = messages.page(id, page);
        } else {
            throw ProblemException.invalid("branch", "must be current or all");
        }
        return ListPage.of(
                slice.rows().stream().map(ConversationMapper::view).toList(), MessageView::id, slice.hasMore());
    }

    /**
     * A new conversation holding copies of the path from the root to {@code messageId} (the current
     * message when null): same model, system prompt and metadata, totals from zero.
     */
    @Transactional
    public ConversationView fork(UUID id, UUID messageId) {
        Conversation source = owned(id);
        UUID at = messageId != null ? messageId : source.currentMessageId;
        if (at == null) {
            throw ProblemException.invalid("message_id", "the conversation has no message to fork at");
        }
        if (messageId != null && messages.inConversation(id, messageId) == null) {
            throw ProblemException.invalid("message_id", "must be a message of this conversation");
        }
        Conversation copy = new Conversation();
        copy.owner = source.owner;
        copy.title = source.title;
        copy.model = source.model;
        copy.systemPrompt = source.systemPrompt;
        copy.contextLimit = source.contextLimit;
        copy.maxTotalTokens = source.maxTotalTokens;
        copy.tools = source.tools;
        copy.metadata = new LinkedHashMap<>(source.metadata == null ? Map.of() : source.metadata);
        copy.forkedFromConversationId = source.id;
        copy.forkedFromMessageId = at;
        copy.createdAt = Instant.now();
        copy.updatedAt = copy.createdAt;
        conversations.persist(copy);
        UUID previous = null;
        List<Message> path = messages.path(id, at);
        for (Message original : path) {
            Message message = Message.copyOf(original);
            message.conversationId = copy.id;
            message.parentId = previous;
            messages.persist(message);
            previous = message.id;
        }
        copy.messageCount = path.size();
        copy.currentMessageId = previous;
        return ConversationMapper.view(copy);
    }

    /**
     * Deletes a message and everything below it. The totals and the ledger keep their tokens. If
     * the current message went with it, the current message becomes the most recent last message
     * under the deleted message's parent (or of the whole conversation when a root went).
     */
    @Transactional
    public void deleteMessage(UUID id, UUID messageId) {
        Conversation conversation = owned(id);
        Message message = messages.inConversation(id, messageId);
        if (message == null) {
            throw ProblemException.notFound("Message");
        }
        List<UUID> subtree = messages.subtree(id, messageId);
        boolean running = messages.count("id in ?1 and status = ?2", subtree, Message.Status.IN_PROGRESS) > 0
                || runningTurns.leaseHeldBy(id, subtree);
        if (running) {
            throw new ProblemException(
                    ProblemType.TURN_IN_PROGRESS,
                    "A turn is running in this part of the conversation; delete it when it has finished");
        }
        // the foreign key takes the subtree with it
        messages.delete("id", messageId);
        conversation.messageCount -= subtree.size();
        if (conversation.currentMessageId != null && subtree.contains(conversation.currentMessageId)) {
            conversation.currentMessageId = messages.latestLeaf(id, message.parentId);
        }
        conversation.updatedAt = Instant.now();
    }

    @Transactional
    public UsageReport usage(UUID id) {
        Conversation c = owned(id);
        return new UsageReport(
                c.id,
                c.promptTokens,
                c.completionTokens,
                c.totalTokens,
                c.cachedTokens,
                c.turns,
                Money.format(c.cost),
                c.costComplete,
                ledger.byModel(id));
    }

    /** A context limit: positive, and at most the model's context window when it is known. */
    private Integer checkedContextLimit(Integer limit, String model) {
        if (limit == null) {
            return null;
        }
        if (limit < 1) {
            throw ProblemException.invalid("context_limit", "must be a positive whole number or null");
        }
        java.util.OptionalInt window = models.contextWindow(model);
        if (window.isPresent() && limit > window.getAsInt()) {
            throw ProblemException.invalid(
                    "context_limit", "must be at most the model's context window, " + window.getAsInt());
        }
        return limit;
    }

    /** The most recently created last message under the message a sibling switcher names. */
    private UUID branchEnd(Conversation conversation, JsonNode value) {
        UUID id = null;
        if (value.isTextual()) {
            try {
                id = UUID.fromString(value.textValue());
            } catch (IllegalArgumentException notAnId) {
                id = null;
            }
        }
        if (id == null || messages.inConversation(conversation.id, id) == null) {
            throw ProblemException.invalid("current_message_id", "must be the id of a message of this conversation");
        }
        return messages.latestLeaf(conversation.id, id);
    }

    private static ProblemException stale() {
        return new ProblemException(
                ProblemType.PRECONDITION_FAILED,
                "The conversation has changed since it was read; read it again and re-apply the change");
    }

    private Conversation owned(UUID id) {
        return conversations.findOwned(id, owner.id()).orElseThrow(() -> ProblemException.notFound("Conversation"));
    }

    private static String text(ObjectNode fields, String name) {
        JsonNode value = fields.get(name);
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ProblemException.invalid(name, "must be a string or null");
        }
        return value.textValue();
    }

    private static Map<String, String> mergeMetadata(Map<String, String> current, JsonNode patch) {
        if (patch.isNull()) {
            return new LinkedHashMap<>();
        }
        if (!patch.isObject()) {
            throw ProblemException.invalid("metadata", "must be an object or null");
        }
        Map<String, String> merged = new LinkedHashMap<>(current == null ? Map.of() : current);
        for (var entry : patch.properties()) {
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                merged.remove(entry.getKey());
            } else if (value.isTextual()) {
                merged.put(entry.getKey(), value.textValue());
            } else {
                throw ProblemException.invalid("metadata[" + entry.getKey() + "]", "must be a string or null");
            }
        }
        return merged;
    }
}
