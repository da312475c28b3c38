package dev.stepchat.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.stepchat.db.Jdbc;

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

    private final Jdbc jdbc;

    IdempotencyStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** What a claim reads of a key that exists already. */
    private record Row(
            String fingerprint,
            Stored stored,
            boolean lockExpired,
            UUID turnConversation,
            UUID turnHolder,
            Instant createdAt,
            boolean turnLive) {}

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Claim claim(String owner, String key, String fingerprint, Duration lock) {
        int inserted = jdbc.update("""
                insert into idempotency_key (owner, idempotency_key, fingerprint, created_at, locked_until)
                values (?, ?, ?, now(), now() + make_interval(secs => ?))
                on conflict (owner, idempotency_key) do nothing""", owner, key, fingerprint, (double) lock.toSeconds());
        if (inserted == 1) {
            return new Claim.Run();
        }
        Optional<Row> found = jdbc.first(
                """
                select k.fingerprint, k.status, k.content_type, k.location, k.retry_after, k.body,
                       k.locked_until < now(), k.turn_conversation_id, k.turn_holder, k.created_at,
                       exists (select 1 from conversation c where c.id = k.turn_conversation_id
                               and c.turn_lease_holder = k.turn_holder and c.turn_lease_until > now())
                from idempotency_key k where k.owner = ? and k.idempotency_key = ? for update of k""",
                row -> new Row(
                        row.getString(1),
                        row.getObject(2) == null
                                ? null
                                : new Stored(
                                        row.getInt(2),
                                        row.getString(3),
                                        row.getString(4),
                                        row.getString(5),
                                        row.getString(6)),
                        row.getBoolean(7),
                        row.getObject(8, UUID.class),
                        row.getObject(9, UUID.class),
                        Jdbc.instant(row, 10),
                        row.getBoolean(11)),
                owner,
                key);
        if (found.isEmpty()) {
            // purged between the two statements: treat as new next time
            return new Claim.InFlight();
        }
        Row row = found.get();
        if (!fingerprint.equals(row.fingerprint())) {
            return new Claim.Mismatch();
        }
        if (row.stored() != null) {
            return new Claim.Replay(row.stored());
        }
        if (row.turnHolder() != null) {
            // the request runs a turn: in flight exactly while a live replica holds that turn's lease
            return row.turnLive()
                    ? new Claim.InFlight()
                    : new Claim.Settle(row.turnConversation(), row.turnHolder(), row.createdAt());
        }
        if (row.lockExpired()) {
            // the instance that ran the first request died: this one takes over
            jdbc.update("""
                    update idempotency_key set locked_until = now() + make_interval(secs => ?)
                    where owner = ? and idempotency_key = ?""", (double) lock.toSeconds(), owner, key);
            return new Claim.Run();
        }
        return new Claim.InFlight();
    }

    /**
     * Names the turn a key's request runs, in that turn's first transaction (the one that takes its
     * lease), so that the key is in flight exactly as long as the turn.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void attachTurn(String owner, String key, UUID conversationId, UUID holder) {
        jdbc.update("""
                update idempotency_key set turn_conversation_id = ?, turn_holder = ?
                where owner = ? and idempotency_key = ? and status is null""", conversationId, holder, owner, key);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void complete(String owner, String key, Stored response) {
        jdbc.update(
                """
                update idempotency_key set status = ?, content_type = ?, location = ?, retry_after = ?, body = ?
                where owner = ? and idempotency_key = ?""",
                response.status(),
                response.contentType(),
                response.location(),
                response.retryAfter(),
                response.body(),
                owner,
                key);
    }

    /** Forgets a key whose request ended in an unexpected error, so that it can be sent again. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String owner, String key) {
        jdbc.update(
                "delete from idempotency_key where owner = ? and idempotency_key = ? and status is null", owner, key);
    }

    @Transactional
    public int purgeOlderThan(Duration retention) {
        return jdbc.update("""
                delete from idempotency_key
                where created_at < now() - make_interval(secs => ?) and status is not null""", (double) retention.toSeconds());
    }
}
