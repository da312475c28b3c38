package dev.stepchat.conversation.export;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.security.CurrentOwner;

/**
 * POST /conversations/import: our own export, or a ChatGPT data export's conversations.json (one
 * conversation or a list), read whole, checked whole, and stored in one transaction: all of it or
 * nothing. Imported messages keep their text, roles, tree and times; totals start at zero. What
 * is wrong is a 400 naming the conversation and the field.
 */
@ApplicationScoped
public class ConversationImport {

    /** One message to store: its id in the file, its parent's (null for a root), and what it says. */
    record Entry(String key, String parent, Message.Role role, String content, Instant createdAt) {
    }

    /** One conversation to store, its messages parents first. */
    record Parsed(String title, String systemPrompt, Instant createdAt, List<Entry> messages, String current) {
    }

    /** The created conversations and how many content parts that were not text were left out. */
    public record Result(List<ConversationView> conversations, int skippedParts) {
    }

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final CurrentOwner owner;
    private final ChatConfig config;

    ConversationImport(ConversationRepository conversations, MessageRepository messages, CurrentOwner owner,
                       ChatConfig config) {
        this.conversations = conversations;
        this.messages = messages;
        this.owner = owner;
        this.config = config;
    }

    @Transactional
    public Result importAll(JsonNode body) {
        int[] skipped = {0};
        List<Parsed> parsed = new ArrayList<>();
        if (body != null && body.isObject() && "conversation_export".equals(body.path("object").asText())) {
            parsed.add(ours(body, "conversation"));
        } else if (body != null && body.isObject() && body.has("mapping")) {
            parsed.add(chatGpt(body, "", skipped));
        } else if (body != null && body.isArray() && !body.isEmpty()) {
            for (int i = 0; i < body.size(); i++) {
                parsed.add(chatGpt(body.get(i), "[" + i + "]", skipped));
            }
        } else {
            throw ProblemException.invalid("body", "must be this service's conversation export, or a ChatGPT export's"
                    + " conversations.json (one conversation with a mapping, or a non-empty list of them)");
        }
        String caller = owner.id();
        List<ConversationView> created = new ArrayList<>();
        for (Parsed conversation : parsed) {
            created.add(store(caller, conversation));
        }
        return new Result(created, skipped[0]);
    }

    private ConversationView store(String caller, Parsed parsed) {
        Conversation conversation = new Conversation();
        conversation.owner = caller;
        conversation.title = parsed.title() == null ? null
                : parsed.title().substring(0, Math.min(parsed.title().length(), config.limits().maxTitleLength()));
        conversation.model = config.defaultModel();
        conversation.systemPrompt = parsed.systemPrompt();
        conversation.metadata = new LinkedHashMap<>();
        conversation.createdAt = parsed.createdAt() == null ? Instant.now() : parsed.createdAt();
        conversation.updatedAt = Instant.now();
        conversations.persist(conversation);
        Map<String, UUID> ids = new HashMap<>();
        for (Entry entry : parsed.messages()) {
            Message message = new Message();
            message.conversationId = conversation.id;
            message.parentId = entry.parent() == null ? null : ids.get(entry.parent());
            message.role = entry.role();
            message.content = entry.content();
            message.status = Message.Status.COMPLETED;
            message.createdAt = entry.createdAt() == null ? conversation.createdAt : entry.createdAt();
            messages.persist(message);
            ids.put(entry.key(), message.id);
        }
        conversation.messageCount = parsed.messages().size();
        conversation.currentMessageId = parsed.current() == null ? null : ids.get(parsed.current());
        return ConversationMapper.view(conversation);
    }

    // ------------------------------------------------------------------ this service's export

    private static Parsed ours(JsonNode body, String at) {
        JsonNode conversation = body.path("conversation");
        JsonNode list = body.path("messages");
        if (!conversation.isObject() || !list.isArray()) {
            throw ProblemException.invalid(at, "an export has a conversation object and a messages array");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            String field = "messages[" + i + "]";
            String id = text(m, "id", field, true);
            String parent = text(m, "parent_id", field, false);
            if (parent != null && !seen.contains(parent)) {
                throw ProblemException.invalid(field + ".parent_id", "must be the id of an earlier message of the export");
            }
            if (!seen.add(id)) {
                throw ProblemException.invalid(field + ".id", "appears twice");
            }
            entries.add(new Entry(id, parent, role(text(m, "role", field, true), field + ".role"),
                    text(m, "content", field, true), time(text(m, "created_at", field, false), field + ".created_at")));
        }
        String current = text(conversation, "current_message_id", at, false);
        if (current != null && !seen.contains(current)) {
            current = entries.isEmpty() ? null : entries.getLast().key();
        }
        return new Parsed(text(conversation, "title", at, false), text(conversation, "system_prompt", at, false),
                time(text(conversation, "created_at", at, false), at + ".created_at"), entries, current);
    }

    // ------------------------------------------------------------------ ChatGPT's conversations.json

    private static Parsed chatGpt(JsonNode conversation, String at, int[] skipped) {
        String where = at.isEmpty() ? "" : at + ".";
        JsonNode mapping = conversation.path("mapping");
        if (!conversation.isObject() || !mapping.isObject() || mapping.isEmpty()) {
            throw ProblemException.invalid(where + "mapping", "must be an object of message nodes");
        }
        // each node's parent, checked to exist and to lead to a root without a cycle
        Map<String, String> parents = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            JsonNode parent = node.getValue().path("parent");
            if (!node.getValue().isObject() || !(parent.isNull() || parent.isMissingNode() || parent.isTextual())) {
                throw ProblemException.invalid(where + "mapping." + node.getKey(), "must be a node with a parent id or null");
            }
            if (parent.isTextual() && !mapping.has(parent.asText())) {
                throw ProblemException.invalid(where + "mapping." + node.getKey() + ".parent", "is not a node of this mapping");
            }
            parents.put(node.getKey(), parent.isTextual() ? parent.asText() : null);
        }
        List<String> order = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        for (String key : parents.keySet()) {
            List<String> chain = new ArrayList<>();
            Set<String> onChain = new HashSet<>();
            String node = key;
            while (node != null && !placed.contains(node)) {
                if (!onChain.add(node)) {
                    throw ProblemException.invalid(where + "mapping." + node + ".parent", "makes a cycle");
                }
                chain.add(node);
                node = parents.get(node);
            }
            for (int i = chain.size() - 1; i >= 0; i--) {
                order.add(chain.get(i));
                placed.add(chain.get(i));
            }
        }
        // user and assistant messages with text are kept; the others (the empty root, system and
        // tool messages) are left out, their children attached to the nearest kept ancestor
        Map<String, String> kept = new HashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (String key : order) {
            JsonNode message = mapping.get(key).path("message");
            String role = message.path("author").path("role").asText("");
            String parent = parents.get(key);
            String keptParent = parent == null ? null : kept.get(parent);
            String text = role.equals("user") || role.equals("assistant") ? text(message.path("content"), skipped) : null;
            if (text != null && !text.isBlank()) {
                entries.add(new Entry(key, keptParent, role.equals("user") ? Message.Role.USER : Message.Role.ASSISTANT, text,
                        epoch(message.path("create_time"))));
                kept.put(key, key);
            } else {
                kept.put(key, keptParent);
            }
        }
        // entries are in an order where a parent comes first, as the store needs
        String currentNode = conversation.path("current_node").asText(null);
        String current = currentNode != null && kept.containsKey(currentNode) ? kept.get(currentNode)
                : entries.isEmpty() ? null : entries.getLast().key();
        return new Parsed(conversation.path("title").isTextual() ? conversation.path("title").asText() : null, null,
                epoch(conversation.path("create_time")), entries, current);
    }

    /** The text parts of a ChatGPT message content, joined; other parts are counted in {@code skipped}. */
    private static String text(JsonNode content, int[] skipped) {
        JsonNode parts = content.path("parts");
        if (!parts.isArray()) {
            return content.path("text").isTextual() ? content.path("text").asText() : null;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : parts) {
            if (part.isTextual()) {
                text.append(text.isEmpty() ? "" : "\n").append(part.asText());
            } else {
                skipped[0]++;
            }
        }
        return text.toString();
    }

    private static Instant epoch(JsonNode seconds) {
        if (!seconds.isNumber()) {
            return null;
        }
        BigDecimal value = seconds.decimalValue();
        return Instant.ofEpochSecond(value.longValue(), value.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    // ------------------------------------------------------------------ fields

    private static String text(JsonNode node, String name, String at, boolean required) {
        JsonNode value = node.path(name);
        if (value.isTextual()) {
            return value.asText();
        }
        if (required || !(value.isNull() || value.isMissingNode())) {
            throw ProblemException.invalid(at + "." + name, required ? "is required and must be a string" : "must be a string");
        }
        return null;
    }

    private static Message.Role role(String role, String field) {
        return switch (role) {
            case "user" -> Message.Role.USER;
            case "assistant" -> Message.Role.ASSISTANT;
            default -> throw ProblemException.invalid(field, "must be user or assistant");
        };
    }

    private static Instant time(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be an RFC 3339 time");
        }
    }
}
