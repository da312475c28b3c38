package dev.stepchat.conversation.export;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.security.CurrentOwner;

/**
 * A conversation written out as it is read: the JSON export (the conversation, then every message
 * of every branch in creation order, with usage and cost), its messages read in pages of
 * {@value #PAGE}, each in its own short transaction; or the current branch as Markdown, read in one
 * query. Either is written message by message, so a conversation of 10,000 messages is never one
 * string in memory, and no connection is held while the caller reads.
 */
@ApplicationScoped
public class ConversationExport {

    static final int PAGE = 500;

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final CurrentOwner owner;
    private final ObjectMapper json;
    private final Clock clock;

    ConversationExport(
            ConversationRepository conversations,
            MessageRepository messages,
            CurrentOwner owner,
            ObjectMapper json,
            Clock clock) {
        this.conversations = conversations;
        this.messages = messages;
        this.owner = owner;
        this.json = json;
        this.clock = clock;
    }

    /**
     * All the caller's data as one zip archive, written as it is read: each conversation (archived
     * ones included) as {@code conversations/{id}.json} in the JSON export's format, every branch,
     * read {@value #PAGE} conversations per short transaction; then {@code export.json} saying
     * whose, when and how many.
     */
    public StreamingOutput archive() {
        String caller = owner.id();
        return out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            OutputStream entry = new FilterOutputStream(zip) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    zip.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                    zip.flush(); // the entry ends, not the archive
                }
            };
            int count = 0;
            UUID after = null;
            while (true) {
                UUID from = after;
                List<ConversationView> page = QuarkusTransaction.requiringNew()
                        .call(() -> (from == null
                                        ? conversations.find("owner = ?1", Sort.by("id"), caller)
                                        : conversations.find("owner = ?1 and id > ?2", Sort.by("id"), caller, from))
                                .range(0, PAGE - 1).list().stream()
                                        .map(ConversationMapper::view)
                                        .toList());
                for (ConversationView conversation : page) {
                    zip.putNextEntry(new ZipEntry("conversations/" + conversation.id() + ".json"));
                    json(conversation).write(entry);
                    zip.closeEntry();
                    count++;
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = page.getLast().id();
            }
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("object", "owner_export");
            about.put("version", 1);
            about.put("owner", caller);
            about.put("exported_at", clock.instant().toString());
            about.put("conversations", count);
            about.put("files", 0);
            zip.putNextEntry(new ZipEntry("export.json"));
            entry.write(json.writeValueAsBytes(about));
            zip.closeEntry();
            zip.finish();
            zip.flush();
        };
    }

    /** The conversation (404 when it is not the caller's), checked before anything is written. */
    public ConversationView conversation(UUID id) {
        String caller = owner.id();
        return QuarkusTransaction.requiringNew()
                .call(() -> conversations
                        .findOwned(id, caller)
                        .map(ConversationMapper::view)
                        .orElseThrow(() -> ProblemException.notFound("Conversation")));
    }

    /** {"object": "conversation_export", "version": 1, "conversation": {...}, "messages": [...]} */
    public StreamingOutput json(ConversationView conversation) {
        return out -> {
            try (JsonGenerator generator = json.getFactory().createGenerator(out)) {
                generator.writeStartObject();
                generator.writeStringField("object", "conversation_export");
                generator.writeNumberField("version", 1);
                generator.writeFieldName("conversation");
                json.writeValue(generator, conversation);
                generator.writeArrayFieldStart("messages");
                UUID after = null;
                while (true) {
                    List<MessageView> page = page(conversation.id(), after);
                    for (MessageView message : page) {
                        json.writeValue(generator, message);
                    }
                    generator.flush();
                    if (page.size() < PAGE) {
                        break;
                    }
                    after = page.getLast().id();
                }
                generator.writeEndArray();
                generator.writeEndObject();
            }
        };
    }

    /** The current branch as Markdown: a heading, then each message under its speaker. */
    public StreamingOutput markdown(ConversationView conversation) {
        return out -> {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            writer.write("# " + (conversation.title() == null ? "Conversation" : conversation.title()) + "\n\n");
            if (conversation.systemPrompt() != null) {
                writer.write("> System: " + conversation.systemPrompt().replace("\n", "\n> ") + "\n\n");
            }
            // the branch is one recursive query; its messages are written one by one
            List<Message> branch = QuarkusTransaction.requiringNew()
                    .call(() -> messages.path(conversation.id(), conversation.currentMessageId()));
            for (Message m : branch) {
                writer.write(
                        m.role == Message.Role.USER
                                ? "**User**"
                                : "**Assistant**" + (m.model == null ? "" : " (" + m.model + ")"));
                if (m.status != Message.Status.COMPLETED) {
                    writer.write(" _"
                            + m.status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "_");
                }
                writer.write("\n\n" + m.content + "\n\n");
            }
            writer.flush();
        };
    }

    private List<MessageView> page(UUID conversation, UUID after) {
        return QuarkusTransaction.requiringNew()
                .call(() -> (after == null
                                ? messages.find(
                                        "conversationId = ?1", io.quarkus.panache.common.Sort.by("id"), conversation)
                                : messages.find(
                                        "conversationId = ?1 and id > ?2",
                                        io.quarkus.panache.common.Sort.by("id"),
                                        conversation,
                                        after))
                        .range(0, PAGE - 1).list().stream()
                                .map(ConversationMapper::view)
                                .toList());
    }

    /** For the Content-Disposition header. */
    public static String filename(ConversationView conversation, String extension) {
        return "conversation-" + conversation.id() + "." + extension;
    }
}
