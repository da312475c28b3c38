package dev.stepchat.idempotency;

import java.time.Duration;
import java.util.List;

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
    public record Stored(int status, String contentType, String location, String retryAfter, String body) {
    }

    /** What claiming a key found. */
    public sealed interface Claim {
        /** The key is new (or its first request died): this request runs. */
        record Run() implements Claim {
        }

        /** The key's first request finished: replay its response. */
        record Replay(Stored response) implements Claim {
        }

        /** The key's first request is still running. */
        record InFlight() implements Claim {
        }

        /** The key was first used for another request. */
        record Mismatch() implements Claim {
        }
    }

    private final EntityManager entityManager;

    IdempotencyStore(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Claim claim(String owner, String key, String fingerprint, Duration lock) {
        int inserted = entityManager.createNativeQuery("""
                        insert into idempotency_key (owner, idempotency_key, fingerprint, created_at, locked_until)
                        values (:owner, :key, :fingerprint, now(), now() + make_interval(secs => :lock))
                        on conflict (owner, idempotency_key) do nothing""")
                .setParameter("owner", owner).setParameter("key", key).setParameter("fingerprint", fingerprint)
                .setParameter("lock", (double) lock.toSeconds())
                .executeUpdate();
        if (inserted == 1) {
            return new Claim.Run();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                        select fingerprint, status, content_type, location, retry_after, body, locked_until < now()
                        from idempotency_key where owner = :owner and idempotency_key = :key for update""")
                .setParameter("owner", owner).setParameter("key", key)
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
            return new Claim.Replay(new Stored(((Number) row[1]).intValue(), (String) row[2], (String) row[3],
                    (String) row[4], (String) row[5]));
        }
        if (Boolean.TRUE.equals(row[6])) {
            // the instance that ran the first request died: this one takes over
            entityManager.createNativeQuery("""
                            update idempotency_key set locked_until = now() + make_interval(secs => :lock)
                            where owner = :owner and idempotency_key = :key""")
                    .setParameter("owner", owner).setParameter("key", key)
                    .setParameter("lock", (double) lock.toSeconds()).executeUpdate();
            return new Claim.Run();
        }
        return new Claim.InFlight();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void complete(String owner, String key, Stored response) {
        entityManager.createNativeQuery("""
                        update idempotency_key set status = :status, content_type = :type, location = :location,
                               retry_after = :retryAfter, body = :body
                        where owner = :owner and idempotency_key = :key""")
                .setParameter("status", response.status()).setParameter("type", response.contentType())
                .setParameter("location", response.location()).setParameter("retryAfter", response.retryAfter())
                .setParameter("body", response.body())
                .setParameter("owner", owner).setParameter("key", key)
                .executeUpdate();
    }

    /** Forgets a key whose request ended in an unexpected error, so that it can be sent again. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String owner, String key) {
        entityManager.createNativeQuery("delete from idempotency_key where owner = :owner and idempotency_key = :key"
                        + " and status is null")
                .setParameter("owner", owner).setParameter("key", key).executeUpdate();
    }

    @Transactional
    public int purgeOlderThan(Duration retention) {
        return entityManager.createNativeQuery("""
                        delete from idempotency_key
                        where created_at < now() - make_interval(secs => :seconds) and status is not null""")
                .setParameter("seconds", (double) retention.toSeconds())
                .executeUpdate();
    }
}
