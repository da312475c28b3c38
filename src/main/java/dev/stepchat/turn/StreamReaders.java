package dev.stepchat.turn;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * At most {@code stepchat.owners.stream-readers} open streams per owner, across replicas: a turn's
 * own stream and every resume of an answer count. Each open reader is a row in PostgreSQL, leased
 * like a turn (renewed by the replica that serves it, so a dead replica's readers stop counting
 * when the lease expires) and deleted when it closes. Opening one past the limit is a 429
 * {@code owner-rate-limited}. An owner that already has the limit's worth open on this replica
 * alone is refused at once, without asking the database (the count across replicas can only be
 * higher): a flood of one owner's opens costs the database nothing once its places are taken.
 * With authentication off there is one owner, and no limit.
 */
@ApplicationScoped
public class StreamReaders {

    /** How soon a refused reader may try again: readers close as their answers end. */
    private static final Duration RETRY = Duration.ofSeconds(5);

    /** What an open reader holds; closing it (once) frees its place. */
    public interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    private static final Ticket NONE = () -> {};

    private final Jdbc jdbc;
    private final ChatConfig config;
    private final TurnMetrics metrics;
    private final boolean owners;
    /** The readers open on this replica, renewed together. */
    private final Set<UUID> open = ConcurrentHashMap.newKeySet();
    /** How many of them each owner has; an owner with none has no entry. */
    private final ConcurrentHashMap<String, Integer> openHere = new ConcurrentHashMap<>();

    private final OwnerAdmission admission;

    StreamReaders(Jdbc jdbc, ChatConfig config, TurnMetrics metrics, OwnerAdmission admission) {
        this.admission = admission;
        this.jdbc = jdbc;
        this.config = config;
        this.metrics = metrics;
        this.owners = config.auth().enabled();
    }

    /**
     * Refuses a reader of {@code owner} at once if the owner has the limit's worth open on this
     * replica alone; before anything else a resume reads.
     */
    public void refuseIfFullHere(String owner) {
        int limit = config.owners().streamReaders();
        if (owners && limit > 0) {
            int here = openHere.getOrDefault(owner, 0);
            if (here >= limit) {
                throw refused(owner, here, limit);
            }
        }
    }

    /** Opens a reader of {@code owner}, or refuses it; in a short transaction of its own. */
    public Ticket open(String owner) {
        int limit = config.owners().streamReaders();
        if (!owners || limit <= 0) {
            return NONE;
        }
        refuseIfFullHere(owner);
        UUID id = Jdbc.newId();
        double lease = config.turnLease().toSeconds();
        long count;
        // one at a time per owner on this replica, like the owner's turns: a flood of one owner's
        // opens waits in its own line, not on a pooled connection each
        try (OwnerAdmission.Place front = admission.line(owner)) {
            count = QuarkusTransaction.requiringNew().call(() -> {
                jdbc.lockOwner(owner);
                jdbc.update("delete from stream_reader where owner = ? and until < now()", owner);
                long readers = jdbc.first(
                                "select count(*) from stream_reader where owner = ?", row -> row.getLong(1), owner)
                        .orElse(0L);
                if (readers < limit) {
                    jdbc.update(
                            "insert into stream_reader (id, owner, until) values (?, ?, now() + make_interval(secs => ?))",
                            id,
                            owner,
                            lease);
                }
                return readers;
            });
        }
        if (count >= limit) {
            throw refused(owner, count, limit);
        }
        open.add(id);
        openHere.merge(owner, 1, Integer::sum);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                open.remove(id);
                openHere.computeIfPresent(owner, (key, n) -> n == 1 ? null : n - 1);
                // a reader is often closed on the event loop (its caller hung up): the delete may not block it
                Thread.ofVirtual().name("stream-reader-closed").start(() -> {
                    try {
                        QuarkusTransaction.requiringNew()
                                .run(() -> jdbc.update("delete from stream_reader where id = ?", id));
                    } catch (RuntimeException e) {
                        // its lease runs out by itself
                        Log.debugf("Could not delete the stream reader %s: %s", id, e.getMessage());
                    }
                });
            }
        };
    }

    private ProblemException refused(String owner, long count, int limit) {
        metrics.refused(ProblemType.OWNER_RATE_LIMITED.slug());
        return new ProblemException(
                ProblemType.OWNER_RATE_LIMITED,
                owner + " has " + count + " streams open; at most " + limit
                        + " may be (stepchat.owners.stream-readers): close one, or send again later",
                null,
                RETRY);
    }

    /** Renews the leases of the readers open here; with the turns' leases, a third of a lease apart. */
    void renew() {
        if (open.isEmpty()) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew()
                    .run(() -> jdbc.update(
                            "update stream_reader set until = now() + make_interval(secs => ?) where id = any(?)",
                            (double) config.turnLease().toSeconds(),
                            List.copyOf(open).toArray(new UUID[0])));
        } catch (RuntimeException e) {
            Log.warnf("Could not renew %d stream readers (%s); trying again later", open.size(), e.getMessage());
        }
    }
}
