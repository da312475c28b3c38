package dev.stepchat.conversation;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.UuidGenerator;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A chat thread. Usage totals change only through {@link ConversationRepository#addUsage}. */
@Entity
@Table(name = "conversation")
public class Conversation extends PanacheEntityBase {

    @Id
    @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
    public UUID id;

    @Column(nullable = false)
    public String owner;

    public String title;

    @Column(nullable = false)
    public String model;

    @Column(name = "system_prompt")
    public String systemPrompt;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> metadata = new LinkedHashMap<>();

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "message_count", nullable = false)
    public int messageCount;

    @Column(name = "prompt_tokens", nullable = false)
    public long promptTokens;

    @Column(name = "completion_tokens", nullable = false)
    public long completionTokens;

    @Column(name = "total_tokens", nullable = false)
    public long totalTokens;

    @Column(name = "cached_tokens", nullable = false)
    public long cachedTokens;

    @Column(nullable = false)
    public int turns;

    /** Bumped by every change a client can see; the ETag. PATCH checks it (optimistic lock). */
    @Version
    @Column(nullable = false)
    public long version;

    /** Most prompt tokens a turn may send; null: the model's window less the reply room. */
    @Column(name = "context_limit")
    public Integer contextLimit;

    /** The last message of the branch being shown (null when empty). */
    @Column(name = "current_message_id")
    public UUID currentMessageId;

    /** Where a fork was copied from. */
    @Column(name = "forked_from_conversation_id")
    public UUID forkedFromConversationId;

    @Column(name = "forked_from_message_id")
    public UUID forkedFromMessageId;

    /** While a turn runs: until when its lease holds (database clock), and which message holds it. */
    @Column(name = "turn_lease_until")
    public Instant turnLeaseUntil;

    @Column(name = "turn_lease_holder")
    public UUID turnLeaseHolder;

    /** The sum of the turns' costs (those that had a price). */
    @Column(nullable = false)
    public java.math.BigDecimal cost = java.math.BigDecimal.ZERO;

    /** Whether every counted turn had a price. */
    @Column(name = "cost_complete", nullable = false)
    public boolean costComplete = true;

    /** The most tokens the conversation may use in total; null: no cap. */
    @Column(name = "max_total_tokens")
    public Long maxTotalTokens;

    /** Kept at the top of the user's list. */
    @Column(nullable = false)
    public boolean pinned;

    /** Hidden from lists unless asked for. */
    @Column(nullable = false)
    public boolean archived;

    /** The tools its turns offer the model, as given (function tools and StepFun's built-in ones); null for none. */
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode tools;

    /**
     * Whether {@code answer}, in progress, may have been abandoned: no live lease of its turn by
     * this replica's clock. Only a hint that {@link RunningTurns#closeAbandoned} is worth
     * running: that decides on the database's clock.
     */
    public boolean mayHaveAbandoned(Message answer) {
        return answer.status == Message.Status.IN_PROGRESS
                && (turnLeaseHolder == null
                        || !turnLeaseHolder.equals(answer.parentId)
                        || turnLeaseUntil == null
                        || turnLeaseUntil.isBefore(java.time.Instant.now()));
    }

    /** Whether a turn's lease is there but has passed by this replica's clock (a hint, as above). */
    public boolean turnLeaseLapsed() {
        return turnLeaseHolder != null && turnLeaseUntil != null && turnLeaseUntil.isBefore(java.time.Instant.now());
    }
}
