package dev.stepchat.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Idempotency keys in PostgreSQL, so that every replica sees them. Each method is one short
 * transaction; claiming a key is a single INSERT ... ON CONFLICT DO NOTHING, so among requests
 * racing with one key exactly one wins.
 */
@ApplicationScoped
public class IdempotencyStore {

    /** A finished first response, as it is replayed. */
    public record Stored(int status, String contentType, String location, String retryAfter, String body) {}

    /** What claiming a key found. */
    public sealed interface Claim {
        /** The key is new (or its first request died): this request runs. */
        record Run() implements Claim {}

        /** The key's first request finished: replay its response. */
        record Replay(Stored response) implements Claim {}

        /** The key's first request is still running. */
        record InFlight() implements Claim {}

        /** The key was first used for another request. */
        record Mismatch() implements Claim {}

        /**
         * The key's first request ran a turn that no live replica holds any more (it ended, or its
         * replica died): its outcome is read from what the turn stored.
         */
        record Settle(UUID conversationId, UUID holder, Instant since) implements Claim {}
    }

    private final EntityManager entityManager;

    IdempotencyStore(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Claim claim(String owner, String key, String fingerprint, Duration lock) {
        int inserted = entityManager
                .createNativeQuery("""
                        insert into idempotency_key (owner, idempotency_key, fingerprint, created_at, locked_until)
                        values (:owner, :key, :fingerprint, now(), now() + make_interval(secs => :lock))
                        on conflict (owner, idempotency_key) do nothing""")
                .setParameter("owner", owner)
                .setParameter("key", key)
                .setParameter("fingerprint", fingerprint)
                .setParameter("lock", (double) lock.toSeconds())
                .executeUpdate();
        if (inserted == 1) {
            return new Claim.Run();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager
                .createNativeQuery("""
                        select k.fingerprint, k.status, k.content_type, k.location, k.retry_after, k.body,
                               k.locked_until < now(), k.turn_conversation_id, k.turn_holder, k.created_at,
                               exists (select 1 from conversation c where c.id = k.turn_conversation_id
                                       and c.turn_lease_holder = k.turn_holder and c.turn_lease_until > now())
                        from idempotency_key k where k.owner = :owner and k.idempotency_key = :key for update of k""")
                .setParameter("owner", owner)
                .setParameter("key", key)
                .getResultList();
        if (rows.isEmpty()) {
            // purged between the two statements: treat as new next time
            return new Claim.InFlight();
        }
        Object[] row = rows.getFirst();
        if (!fingerprint.equals(row[0])) {
            return new Claim.Mismatch();
        }
        if (row[1] != null) {
            return new Claim.Replay(new Stored(
                    ((Number) row[1]).intValue(), (String) row[2], (String) row[3], (String) row[4], (String) row[5]));
        }
        if (row[8] != null) {
            // the request runs a turn: in flight exactly while a live replica holds that turn's lease
            return Boolean.TRUE.equals(row[10])
                    ? new Claim.InFlight()
                    : new Claim.Settle((UUID) row[7], (UUID) row[8], instant(row[9]));
        }
        if (Boolean.TRUE.equals(row[6])) {
            // the instance that ran the first request died: this one takes over
            entityManager
                    .createNativeQuery("""
                            update idempotency_key set locked_until = now() + make_interval(secs => :lock)
                            where owner = :owner and idempotency_key = :key""")
                    .setParameter("owner", owner)
                    .setParameter("key", key)
                    .setParameter("lock", (double) lock.toSeconds())
                    .executeUpdate();
            return new Claim.Run();
        }
        return new Claim.InFlight();
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case Instant instant -> instant;
            case java.time.OffsetDateTime time -> time.toInstant();
            case java.sql.Timestamp timestamp -> timestamp.toInstant();
            default -> throw new IllegalStateException("Not a time: " + value);
        };
    }

    /**
     * Names the turn a key's request runs, in that turn's first transaction (the one that takes its
     * lease), so that the key is in flight exactly as long as the turn.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void attachTurn(String owner, String key, UUID conversationId, UUID holder) {
        entityManager
                .createNativeQuery("""
                        update idempotency_key set turn_conversation_id = :conversation, turn_holder = :holder
                        where owner = :owner and idempotency_key = :key and status is null""")
                .setParameter("conversation", conversationId)
                .setParameter("holder", holder)
                .setParameter("owner", owner)
                .setParameter("key", key)
                .executeUpdate();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void complete(String owner, String key, Stored response) {
        entityManager
                .createNativeQuery("""
                        update idempotency_key set status = :status, content_type = :type, location = :location,
                               retry_after = :retryAfter, body = :body
                        where owner = :owner and idempotency_key = :key""")
                .setParameter("status", response.status())
                .setParameter("type", response.contentType())
                .setParameter("location", response.location())
                .setParameter("retryAfter", response.retryAfter())
                .setParameter("body", response.body())
                .setParameter("owner", owner)
                .setParameter("key", key)
                .executeUpdate();
    }

    /** Forgets a key whose request ended in an unexpected error, so that it can be sent again. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String owner, String key) {
        entityManager
                .createNativeQuery("delete from idempotency_key where owner = :owner and idempotency_key = :key"
                        + " and status is null")
                .setParameter("owner", owner)
                .setParameter("key", key)
                .executeUpdate();
    }

    @Transactional
    public int purgeOlderThan(Duration retention) {
        return entityManager
                .createNativeQuery("""
                        delete from idempotency_key
                        where created_at < now() - make_interval(secs => :seconds) and status is not null""")
                .setParameter("seconds", (double) retention.toSeconds())
                .executeUpdate();
    }
}
