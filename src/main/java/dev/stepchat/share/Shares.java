package dev.stepchat.share;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.ConversationRepository;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.db.Jdbc;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.share.ShareViews.CreateShare;
import dev.stepchat.share.ShareViews.Share;
import dev.stepchat.share.ShareViews.ShareList;
import dev.stepchat.share.ShareViews.SharedConversation;
import dev.stepchat.share.ShareViews.SharedMessage;

/**
 * Share links: a copy of a conversation's current branch up to a message, taken when the link is
 * made, readable by anyone with its unguessable id (128 random bits) until it expires, is revoked
 * or its conversation is deleted. The copy holds the messages' role, text and time only.
 */
@ApplicationScoped
public class Shares {

    /** Ten years, in seconds: the longest expiry. */
    public static final long MAX_EXPIRES_IN = 315_360_000L;

    private static final TypeReference<List<SharedMessage>> MESSAGES = new TypeReference<>() {};

    private final Jdbc jdbc;
    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final CurrentOwner owner;
    private final ObjectMapper json;
    private final Clock clock;
    /** Made at run time: a SecureRandom in the native image's heap would repeat its seed. */
    private final SecureRandom random = new SecureRandom();

    Shares(
            Jdbc jdbc,
            ConversationRepository conversations,
            MessageRepository messages,
            CurrentOwner owner,
            ObjectMapper json,
            Clock clock) {
        this.jdbc = jdbc;
        this.conversations = conversations;
        this.messages = messages;
        this.owner = owner;
        this.json = json;
        this.clock = clock;
    }

    /** Makes a link to the caller's conversation, up to {@code body.messageId} or its current message. */
    @Transactional
    public Share create(UUID conversationId, CreateShare body) {
        Conversation conversation = owned(conversationId);
        UUID last = body == null || body.messageId() == null ? conversation.currentMessageId : body.messageId();
        if (last == null) {
            throw ProblemException.invalid("message_id", "the conversation has no messages to share");
        }
        if (messages.inConversation(conversationId, last) == null) {
            throw ProblemException.invalid("message_id", "must be a message of this conversation");
        }
        List<SharedMessage> copy = new ArrayList<>();
        for (Message message : messages.path(conversationId, last)) {
            if (message.status == Message.Status.COMPLETED || message.status == Message.Status.INCOMPLETE) {
                copy.add(new SharedMessage(
                        message.role.name().toLowerCase(Locale.ROOT),
                        message.content,
                        null,
                        message.createdAt.toString()));
            }
        }
        String id = newId();
        Instant now = clock.instant();
        Instant expires = body == null || body.expiresIn() == null ? null : now.plusSeconds(body.expiresIn());
        jdbc.update("""
                insert into share (id, conversation_id, owner, message_id, title, messages, created_at, expires_at)
                values (?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)""", id, conversationId, conversation.owner, last, conversation.title, write(copy), now, expires);
        return new Share(id, "share", url(id), last, now.toString(), expires == null ? null : expires.toString());
    }

    /** The caller's links to its conversation, oldest first. */
    @Transactional
    public ShareList list(UUID conversationId) {
        owned(conversationId);
        List<Share> shares = jdbc.list(
                """
                select id, message_id, created_at, expires_at from share
                where conversation_id = ? order by created_at, id""",
                row -> {
                    Instant expires = Jdbc.instant(row, 4);
                    return new Share(
                            row.getString(1),
                            "share",
                            url(row.getString(1)),
                            row.getObject(2, UUID.class),
                            Jdbc.instant(row, 3).toString(),
                            expires == null ? null : expires.toString());
                },
                conversationId);
        return new ShareList("list", shares, false);
    }

    /** Revokes one of the caller's links; 404 for an unknown one or another owner's. */
    @Transactional
    public void revoke(String shareId) {
        if (jdbc.update("delete from share where id = ? and owner = ?", shareId, owner.id()) == 0) {
            throw ProblemException.notFound("Share");
        }
    }

    /** A link's copy, for anyone with it; 404 for an unknown, revoked or expired one. */
    @Transactional
    public SharedConversation read(String shareId) {
        record Row(String title, String messages, Instant createdAt) {}
        Row row = jdbc.first(
                        """
                        select title, cast(messages as text), created_at from share
                        where id = ? and (expires_at is null or expires_at > ?)""", r -> new Row(r.getString(1), r.getString(2), Jdbc.instant(r, 3)), shareId, clock.instant())
                .orElseThrow(() -> ProblemException.notFound("Share"));
        return new SharedConversation(
                "shared_conversation", shareId, row.title(), row.createdAt().toString(), copyOf(row.messages()));
    }

    private Conversation owned(UUID conversationId) {
        return conversations
                .findOwned(conversationId, owner.id())
                .orElseThrow(() -> ProblemException.notFound("Conversation"));
    }

    static String url(String id) {
        return "/s/" + id;
    }

    /** 128 random bits as 22 base64url characters. */
    String newId() {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    private String write(List<SharedMessage> copy) {
        try {
            return json.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<SharedMessage> copyOf(String copy) {
        try {
            return json.readValue(copy, MESSAGES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A share's stored copy could not be read", e);
        }
    }
}
