package dev.stepchat.conversation.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.CreateConversation;
import dev.stepchat.conversation.api.ListPage;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;
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

    ConversationService(ConversationRepository conversations, MessageRepository messages, UsageLedger ledger,
                        CurrentOwner owner, Inputs inputs, ChatConfig config) {
        this.conversations = conversations;
        this.messages = messages;
        this.ledger = ledger;
        this.owner = owner;
        this.inputs = inputs;
        this.config = config;
    }

    @Transactional
    public ConversationView create(CreateConversation request) {
        CreateConversation body = request == null ? new CreateConversation(null, null, null, null) : request;
        inputs.checkConversation(body.title(), body.model(), body.systemPrompt(), body.metadata());
        Conversation conversation = new Conversation();
        conversation.owner = owner.id();
        conversation.title = body.title();
        conversation.model = body.model() == null ? config.defaultModel() : body.model();
        conversation.systemPrompt = body.systemPrompt();
        conversation.metadata = body.metadata() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(body.metadata());
        conversation.createdAt = Instant.now();
        conversation.updatedAt = conversation.createdAt;
        conversations.persist(conversation);
        return ConversationMapper.view(conversation);
    }

    @Transactional
    public ListPage<ConversationView> list(PageRequest page) {
        var slice = conversations.page(owner.id(), page);
        return ListPage.of(slice.rows().stream().map(ConversationMapper::view).toList(), ConversationView::id,
                slice.hasMore());
    }

    @Transactional
    public ConversationView get(UUID id) {
        return ConversationMapper.view(owned(id));
    }

    /**
     * Applies a JSON merge patch (RFC 7396) of title, model, system_prompt and metadata. With
     * {@code ifMatch} (an If-Match header) the conversation must still have that ETag.
     */
    @Transactional
    public ConversationView patch(UUID id, JsonNode patch, String ifMatch) {
        if (!(patch instanceof ObjectNode fields)) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "A merge patch must be a JSON object");
        }
        Conversation conversation = owned(id);
        if (ifMatch != null && !ETags.matches(ifMatch, ConversationView.etag(conversation.version))) {
            throw stale();
        }
        String title = fields.has("title") ? text(fields, "title") : conversation.title;
        String model = fields.has("model") ? text(fields, "model") : conversation.model;
        String systemPrompt = fields.has("system_prompt") ? text(fields, "system_prompt") : conversation.systemPrompt;
        Map<String, String> metadata = fields.has("metadata") ? mergeMetadata(conversation.metadata, fields.get("metadata"))
                : conversation.metadata;
        inputs.checkConversation(title, model, systemPrompt, metadata);
        conversation.title = title;
        conversation.model = model == null ? config.defaultModel() : model;
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

    @Transactional
    public ListPage<MessageView> messages(UUID id, PageRequest page) {
        owned(id);
        var slice = messages.page(id, page);
        return ListPage.of(slice.rows().stream().map(ConversationMapper::view).toList(), MessageView::id,
                slice.hasMore());
    }

    @Transactional
    public UsageReport usage(UUID id) {
        Conversation c = owned(id);
        return new UsageReport(c.id, c.promptTokens, c.completionTokens, c.totalTokens, c.cachedTokens, c.turns,
                ledger.byModel(id));
    }

    private static ProblemException stale() {
        return new ProblemException(ProblemType.PRECONDITION_FAILED,
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
