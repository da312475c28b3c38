package dev.stepchat.conversation.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.conversation.Tools;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;

/**
 * POST /conversations/import: our own export, or a ChatGPT data export's conversations.json (one
 * conversation or a list), stored all of it or nothing. Imported messages keep their text, roles,
 * tree and times; totals start at zero. What is wrong is a 400 naming the conversation and the
 * field.
 *
 * <p>Memory stays bounded by about one conversation, whatever the file: the body is first spooled
 * to a temporary file (no more than {@code stepchat.limits.max-import-size}: the body reader
 * refuses the rest), then read back as a stream, one conversation at a time, each checked and
 * stored at once and let go (flushed and cleared from the persistence context) before the next is
 * read. The whole file is one transaction, so any conversation that is wrong leaves nothing
 * stored; the transaction starts only once the upload is complete, so a slow upload holds no
 * database connection. At most {@code stepchat.limits.imports-at-once} imports run at once on a
 * replica (their files share its temporary folder); another is a 503 {@code overloaded}. An import
 * spends at most {@code stepchat.limits.import-share} of its time reading and storing, in bursts of
 * 20 ms, and pauses for the rest: other owners' turns find the CPU and the database between bursts.
 */
@Startup
@ApplicationScoped
public class ConversationImport {

    /** One message to store: its id in the file, its parent's (null for a root), and what it says. */
    record Entry(
            String key,
            String parent,
            Message.Role role,
            String content,
            Instant createdAt,
            ToolCall[] toolCalls,
            String toolCallId) {

        Entry(String key, String parent, Message.Role role, String content, Instant createdAt) {
            this(key, parent, role, content, createdAt, null, null);
        }
    }

    /** One conversation to store, its messages parents first. */
    record Parsed(
            String title,
            String systemPrompt,
            Instant createdAt,
            List<Entry> messages,
            String current,
            JsonNode tools) {

        Parsed(String title, String systemPrompt, Instant createdAt, List<Entry> messages, String current) {
            this(title, systemPrompt, createdAt, messages, current, null);
        }
    }

    /** The created conversations and how many content parts that were not text were left out. */
    public record Result(List<ConversationView> conversations, int skippedParts) {}

    /** The earliest and latest time PostgreSQL and RFC 3339 can both hold: years 1 to 9999. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final CurrentOwner owner;
    private final ChatConfig config;
    private final ObjectMapper json;
    /** One conversation of the file as a tree; what follows it in the file is the next one's. */
    private final ObjectReader oneValue;

    private final Semaphore running;

    ConversationImport(
            ConversationRepository conversations,
            MessageRepository messages,
            CurrentOwner owner,
            ChatConfig config,
            ObjectMapper json) {
        this.conversations = conversations;
        this.messages = messages;
        this.owner = owner;
        this.config = config;
        this.json = json;
        this.oneValue = json.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.running = new Semaphore(config.limits().importsAtOnce());
        // a share out of range stops the start (this bean is made at start-up), not the first import
        Pacer.ofShare(config.limits().importShare());
    }

    /** Reads the body to its end (spooled), then stores what it holds in one transaction. */
    public Result importAll(InputStream body) {
        if (!running.tryAcquire()) {
            throw new ProblemException(
                    ProblemType.OVERLOADED,
                    "Another import is running on this instance"
                            + " (stepchat.limits.imports-at-once); send it again shortly",
                    null,
                    Duration.ofSeconds(5));
        }
        Path spool = null;
        try {
            spool = Files.createTempFile("stepchat-import-", ".json");
            try (OutputStream out = Files.newOutputStream(spool)) {
                body.transferTo(out);
            }
            Path file = spool;
            String caller = owner.id();
            return QuarkusTransaction.joiningExisting().call(() -> stored(file, caller));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            running.release();
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    Log.warnf("Could not delete the import file %s: %s", spool, e.getMessage());
                }
            }
        }
    }

    /** The file's conversations, each read, checked and stored before the next is read. */
    private Result stored(Path file, String caller) {
        int[] skipped = {0};
        List<ConversationView> created = new ArrayList<>();
        Pacer pacer = Pacer.ofShare(config.limits().importShare());
        try (JsonParser parser = json.getFactory().createParser(file.toFile())) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                JsonNode body = oneValue.readValue(parser);
                if ("conversation_export".equals(body.path("object").asText())) {
                    created.add(store(caller, ours(body, "conversation")));
                } else if (body.has("mapping")) {
                    created.add(store(caller, chatGpt(body, "", skipped)));
                } else {
                    throw notAnExport();
                }
            } else if (first == JsonToken.START_ARRAY) {
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (created.size() == config.limits().maxImportConversations()) {
                        throw tooLarge(
                                "more than " + config.limits().maxImportConversations() + " conversations",
                                "stepchat.limits.max-import-conversations");
                    }
                    created.add(
                            store(caller, chatGpt(oneValue.readValue(parser), "[" + created.size() + "]", skipped)));
                    pacer.stepDone();
                }
                if (created.isEmpty()) {
                    throw notAnExport();
                }
            } else {
                throw notAnExport();
            }
            if (parser.nextToken() != null) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The import has more after its JSON value");
            }
        } catch (JsonProcessingException e) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "The import is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Result(created, skipped[0]);
    }

    private static ProblemException notAnExport() {
        return ProblemException.invalid(
                "body",
                "must be this service's conversation export, or a ChatGPT export's"
                        + " conversations.json (one conversation with a mapping, or a non-empty list of them)");
    }

    private static ProblemException tooLarge(String what, String key) {
        return new ProblemException(ProblemType.IMPORT_TOO_LARGE, "The import has " + what + "; the limit is " + key);
    }

    private ConversationView store(String caller, Parsed unchecked) {
        Parsed parsed = checked(unchecked, "conversation");
        Conversation conversation = new Conversation();
        conversation.owner = caller;
        conversation.title = parsed.title() == null
                ? null
                : parsed.title()
                        .substring(
                                0,
                                Math.min(
                                        parsed.title().length(), config.limits().maxTitleLength()));
        conversation.model = config.defaultModel();
        conversation.systemPrompt = parsed.systemPrompt();
        conversation.tools = parsed.tools();
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
            message.toolCalls = entry.toolCalls();
            message.toolCallId = entry.toolCallId();
            message.status = Message.Status.COMPLETED;
            message.createdAt = entry.createdAt() == null ? conversation.createdAt : entry.createdAt();
            messages.persist(message);
            ids.put(entry.key(), message.id);
        }
        conversation.messageCount = parsed.messages().size();
        conversation.currentMessageId = parsed.current() == null ? null : ids.get(parsed.current());
        ConversationView view = ConversationMapper.view(conversation);
        // written now and let go: the persistence context holds one conversation at a time
        conversations.flush();
        conversations.getEntityManager().clear();
        return view;
    }

    /** A conversation's checks against the API's own limits, before it is stored. */
    private Parsed checked(Parsed parsed, String at) {
        ChatConfig.Limits limits = config.limits();
        if (parsed.messages().size() > limits.maxImportMessages()) {
            throw tooLarge(
                    "a conversation (" + at + ") with more than " + limits.maxImportMessages() + " messages",
                    "stepchat.limits.max-import-messages");
        }
        if (parsed.systemPrompt() != null && parsed.systemPrompt().length() > limits.maxSystemPromptLength()) {
            throw tooLarge(
                    "a system prompt (" + at + ") of more than " + limits.maxSystemPromptLength() + " characters",
                    "stepchat.limits.max-system-prompt-length");
        }
        noNul(parsed.title(), at + ".title");
        noNul(parsed.systemPrompt(), at + ".system_prompt");
        for (Entry entry : parsed.messages()) {
            if (entry.content().length() > limits.maxContentLength()) {
                throw tooLarge(
                        "a message (" + at + ", " + entry.key() + ") of more than " + limits.maxContentLength()
                                + " characters",
                        "stepchat.limits.max-content-length");
            }
            noNul(entry.content(), at + ".messages." + entry.key() + ".content");
        }
        return parsed;
    }

    /** PostgreSQL's text holds no NUL character. */
    private static void noNul(String text, String field) {
        if (text != null && text.indexOf('\u0000') >= 0) {
            throw ProblemException.invalid(field, "must not contain the NUL character");
        }
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
                throw ProblemException.invalid(
                        field + ".parent_id", "must be the id of an earlier message of the export");
            }
            if (!seen.add(id)) {
                throw ProblemException.invalid(field + ".id", "appears twice");
            }
            Message.Role role = role(text(m, "role", field, true), field + ".role");
            entries.add(new Entry(
                    id,
                    parent,
                    role,
                    text(m, "content", field, true),
                    time(text(m, "created_at", field, false), field + ".created_at"),
                    role == Message.Role.ASSISTANT ? toolCalls(m.get("tool_calls"), field + ".tool_calls") : null,
                    role == Message.Role.TOOL ? text(m, "tool_call_id", field, true) : null));
        }
        String current = text(conversation, "current_message_id", at, false);
        if (current != null && !seen.contains(current)) {
            current = entries.isEmpty() ? null : entries.getLast().key();
        }
        return new Parsed(
                text(conversation, "title", at, false),
                text(conversation, "system_prompt", at, false),
                time(text(conversation, "created_at", at, false), at + ".created_at"),
                entries,
                current,
                Tools.check(conversation.get("tools"), at + ".conversation.tools"));
    }

    // ------------------------------------------------------------------ ChatGPT's conversations.json

    private Parsed chatGpt(JsonNode conversation, String at, int[] skipped) {
        String where = at.isEmpty() ? "" : at + ".";
        JsonNode mapping = conversation.path("mapping");
        if (!conversation.isObject() || !mapping.isObject() || mapping.isEmpty()) {
            throw ProblemException.invalid(where + "mapping", "must be an object of message nodes");
        }
        if (mapping.size() > config.limits().maxImportMessages()) {
            throw tooLarge(
                    "a conversation (" + (at.isEmpty() ? "the first" : at) + ") with more than "
                            + config.limits().maxImportMessages() + " messages",
                    "stepchat.limits.max-import-messages");
        }
        // each node's parent, checked to exist and to lead to a root without a cycle
        Map<String, String> parents = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            JsonNode parent = node.getValue().path("parent");
            if (!node.getValue().isObject() || !(parent.isNull() || parent.isMissingNode() || parent.isTextual())) {
                throw ProblemException.invalid(
                        where + "mapping." + node.getKey(), "must be a node with a parent id or null");
            }
            if (parent.isTextual() && !mapping.has(parent.asText())) {
                throw ProblemException.invalid(
                        where + "mapping." + node.getKey() + ".parent", "is not a node of this mapping");
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
            String text =
                    role.equals("user") || role.equals("assistant") ? text(message.path("content"), skipped) : null;
            if (text != null && !text.isBlank()) {
                entries.add(new Entry(
                        key,
                        keptParent,
                        role.equals("user") ? Message.Role.USER : Message.Role.ASSISTANT,
                        text,
                        epoch(message.path("create_time"), where + "mapping." + key + ".message.create_time")));
                kept.put(key, key);
            } else {
                kept.put(key, keptParent);
            }
        }
        // entries are in an order where a parent comes first, as the store needs
        String currentNode = conversation.path("current_node").asText(null);
        String current = currentNode != null && kept.containsKey(currentNode)
                ? kept.get(currentNode)
                : entries.isEmpty() ? null : entries.getLast().key();
        return new Parsed(
                conversation.path("title").isTextual()
                        ? conversation.path("title").asText()
                        : null,
                null,
                epoch(conversation.path("create_time"), where + "create_time"),
                entries,
                current);
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

    private static Instant epoch(JsonNode seconds, String field) {
        if (!seconds.isNumber()) {
            return null;
        }
        BigDecimal value = seconds.decimalValue();
        if (value.compareTo(BigDecimal.valueOf(EARLIEST.getEpochSecond())) < 0
                || value.compareTo(BigDecimal.valueOf(LATEST.getEpochSecond())) > 0) {
            throw ProblemException.invalid(field, "must be a time between the years 1 and 9999 (seconds since 1970)");
        }
        return Instant.ofEpochSecond(
                value.longValue(),
                value.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    // ------------------------------------------------------------------ fields

    private static String text(JsonNode node, String name, String at, boolean required) {
        JsonNode value = node.path(name);
        if (value.isTextual()) {
            return value.asText();
        }
        if (required || !(value.isNull() || value.isMissingNode())) {
            throw ProblemException.invalid(
                    at + "." + name, required ? "is required and must be a string" : "must be a string");
        }
        return null;
    }

    /** An exported answer's tool calls (OpenAI's shape); null for none. */
    private static ToolCall[] toolCalls(JsonNode calls, String field) {
        if (calls == null || calls.isNull()) {
            return null;
        }
        if (!calls.isArray()) {
            throw ProblemException.invalid(field, "must be a list of tool calls or null");
        }
        ToolCall[] read = new ToolCall[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String at = field + "[" + i + "]";
            read[i] = ToolCall.function(
                    text(call, "id", at, true),
                    text(call.path("function"), "name", at + ".function", true),
                    text(call.path("function"), "arguments", at + ".function", true));
        }
        return read.length == 0 ? null : read;
    }

    private static Message.Role role(String role, String field) {
        return switch (role) {
            case "user" -> Message.Role.USER;
            case "assistant" -> Message.Role.ASSISTANT;
            case "tool" -> Message.Role.TOOL;
            default -> throw ProblemException.invalid(field, "must be user, assistant or tool");
        };
    }

    private static Instant time(String value, String field) {
        if (value == null) {
            return null;
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be an RFC 3339 time");
        }
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            throw ProblemException.invalid(field, "must be a time between the years 1 and 9999");
        }
        return time;
    }
}
