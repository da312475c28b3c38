package dev.stepchat.usage;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.UuidGenerator;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One answered upstream call, append-only; kept after its conversation is deleted. */
@Entity
@Table(name = "usage_record")
public class UsageRecord extends PanacheEntityBase {

    @Id
    @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
    public UUID id;

    @Column(name = "conversation_id", nullable = false)
    public UUID conversationId;

    @Column(name = "message_id")
    public UUID messageId;

    @Column(nullable = false)
    public String owner;

    @Column(nullable = false)
    public String model;

    @Column(name = "prompt_tokens", nullable = false)
    public int promptTokens;

    @Column(name = "completion_tokens", nullable = false)
    public int completionTokens;

    @Column(name = "total_tokens", nullable = false)
    public int totalTokens;

    @Column(name = "cached_tokens", nullable = false)
    public int cachedTokens;

    /** Null when the model had no price. */
    public java.math.BigDecimal cost;

    @Column(name = "upstream_id")
    public String upstreamId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
