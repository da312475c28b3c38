package dev.stepchat.conversation;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.Mutability;
import org.hibernate.annotations.UuidGenerator;
import org.hibernate.type.SqlTypes;
import org.hibernate.type.descriptor.java.Immutability;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One message of a conversation: what a user sent or what the model answered. */
@Entity
@Table(name = "message")
public class Message extends PanacheEntityBase {

    public enum Role {
        USER,
        ASSISTANT,
        /** A function's result, sent by the client in answer to one tool call of the assistant message before it. */
        TOOL
    }

    public enum Status {
        COMPLETED,
        FAILED,
        INCOMPLETE,
        IN_PROGRESS
    }

    @Id
    @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
    public UUID id;

    @Column(name = "conversation_id", nullable = false)
    public UUID conversationId;

    /** Its conversation's owner, copied by the database on insert (search's index starts with it). */
    @Column(insertable = false, updatable = false)
    public String owner;

    /** The message this one follows (null for a first message); siblings share it. */
    @Column(name = "parent_id")
    public UUID parentId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Role role;

    @Column(nullable = false)
    public String content;

    /** Reasoning text the model streamed apart from its answer; stored, never sent upstream again. */
    public String reasoning;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    /** The model that answered, as the upstream reported it (assistant messages). */
    public String model;

    @Column(name = "finish_reason")
    public String finishReason;

    @Column(name = "prompt_tokens")
    public Integer promptTokens;

    @Column(name = "completion_tokens")
    public Integer completionTokens;

    @Column(name = "total_tokens")
    public Integer totalTokens;

    @Column(name = "cached_tokens")
    public Integer cachedTokens;

    /** What the answer cost (null: no price, or not an answer). */
    public java.math.BigDecimal cost;

    /** Answers: how many messages of the path their request left out, and its raw token estimate. */
    @Column(name = "messages_omitted")
    public Integer messagesOmitted;

    @Column(name = "estimated_prompt_tokens")
    public Integer estimatedPromptTokens;

    /** Why the turn of this user message failed. */
    @JdbcTypeCode(SqlTypes.JSON)
    public StoredError error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** A streamed answer whose stop was asked for (on any replica), until its turn has ended. */
    @Column(name = "stop_requested_at")
    public Instant stopRequestedAt;

    /** How a streamed answer's turn ended: what its done or error event carries when sent again. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "stream_outcome")
    public StreamOutcome streamOutcome;

    /**
     * The functions an answer called ({@code finish_reason: "tool_calls"}); null for none. Never
     * changed in place (a new array replaces it), so Hibernate keeps no deep copy of it: a copy by
     * Java serialization is what it would otherwise make of an array, and the native image has none.
     */
    @JdbcTypeCode(SqlTypes.JSON)
    @Mutability(Immutability.class)
    @Column(name = "tool_calls")
    public ToolCall[] toolCalls;

    /**
     * A user message sent as parts (text and images), in the order sent; null for text alone. Its
     * {@link #content} is then the text parts joined. Never changed in place (see {@link #toolCalls}).
     */
    @JdbcTypeCode(SqlTypes.JSON)
    @Mutability(Immutability.class)
    public MessagePart[] parts;

    /** A tool message: the id of the call it answers. */
    @Column(name = "tool_call_id")
    public String toolCallId;

    /** A copy for another conversation (a fork): same content, status, answer and usage; a new id. */
    public static Message copyOf(Message original) {
        Message copy = new Message();
        copy.role = original.role;
        copy.content = original.content;
        copy.parts = original.parts;
        copy.reasoning = original.reasoning;
        copy.toolCalls = original.toolCalls;
        copy.toolCallId = original.toolCallId;
        copy.status = original.status;
        copy.model = original.model;
        copy.finishReason = original.finishReason;
        copy.promptTokens = original.promptTokens;
        copy.completionTokens = original.completionTokens;
        copy.totalTokens = original.totalTokens;
        copy.cachedTokens = original.cachedTokens;
        copy.cost = original.cost;
        copy.error = original.error;
        copy.createdAt = original.createdAt;
        return copy;
    }
}
