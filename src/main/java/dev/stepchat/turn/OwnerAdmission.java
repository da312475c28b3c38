package dev.stepchat.turn;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * What one owner may take of the service, across replicas: at most
 * {@code stepchat.owners.turns-in-flight} turns running at once (their live turn leases, and the
 * leases of their running drop-in calls) and, when
 * set, {@code stepchat.owners.turns-per-minute} turns started in any 60 seconds. Past either, a
 * 429 {@code owner-rate-limited} with Retry-After, before anything is stored. Checked in a turn's
 * first transaction under a transaction-scoped advisory lock on the owner, so that the same
 * owner's turns starting at once on any replicas are counted one after the other: the limit holds
 * exactly, and other owners never wait for it. With authentication off there is one owner, the
 * whole service, and these limits do not apply.
 *
 * <p>On each replica an owner's turns (and its stream readers) also start one at a time
 * ({@link #line}): the checks take a connection and the advisory lock, and one owner sending many
 * turns at once would otherwise hold many of the service's shared places (turns in flight,
 * connections) while they queue on the owner's lock, only to be refused. Queued on the owner's line they hold nothing
 * shared; one that cannot start within {@code stepchat.admission.max-wait} is refused with the
 * same 429.
 *
 * <p>An owner whose allowed turns in flight all run on this replica is refused at once
 * ({@link #refuseIfFullHere}), without its line, a connection or the lock: the count across replicas
 * can only be higher, and a flood of one owner's turns then costs the database nothing.
 */
@ApplicationScoped
public class OwnerAdmission {

    /** How soon a turn refused for the turns in flight may come again: about one short answer. */
    private static final Duration IN_FLIGHT_RETRY = Duration.ofSeconds(2);

    private final Jdbc jdbc;
    private final ChatConfig.Owners limits;
    private final TurnMetrics metrics;

    private final boolean limited;
    /** With authentication on there are owners, each with its line. */
    private final boolean lines;

    private final Duration wait;
    private final ConcurrentHashMap<String, Line> waiting = new ConcurrentHashMap<>();
    /** How many of each owner's turns run on this replica; an owner with none has no entry. */
    private final ConcurrentHashMap<String, Integer> runningHere = new ConcurrentHashMap<>();

    /** Where an owner's turns wait to start on this replica; dropped when none waits. */
    private static final class Line {
        final Semaphore first = new Semaphore(1, true);
        int users; // changed only inside the map's compute, under its lock for this owner
    }

    /** An owner's turn at the front of its line, until its first transaction has ended. */
    public interface Place extends AutoCloseable {
        @Override
        void close();
    }

    OwnerAdmission(Jdbc jdbc, ChatConfig config, TurnMetrics metrics) {
        this.jdbc = jdbc;
        this.limits = config.owners();
        this.metrics = metrics;
        this.wait = config.admission().maxWait();
        // with authentication off every request is the one local owner: its share is the whole service
        this.limited = config.auth().enabled() && (limits.turnsInFlight() > 0 || limits.turnsPerMinute() > 0);
        this.lines = config.auth().enabled();
    }

    /**
     * Waits for {@code owner}'s previous turn on this replica to have started (or been refused), or
     * refuses this one with a 429 after {@code stepchat.admission.max-wait}. Taken before any of
     * the service's shared places, closed after the turn's first transaction.
     */
    public Place line(String owner) {
        if (!lines) {
            return () -> {};
        }
        Line line = waiting.compute(owner, (key, existing) -> {
            Line joined = existing == null ? new Line() : existing;
            joined.users++;
            return joined;
        });
        Runnable leave = () -> waiting.computeIfPresent(owner, (key, joined) -> --joined.users == 0 ? null : joined);
        boolean front = false;
        try {
            front = line.first.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!front) {
            leave.run();
            throw refused(
                    owner + " has more turns or streams starting at once than can start within " + wait.toMillis()
                            + " ms (stepchat.admission.max-wait)",
                    IN_FLIGHT_RETRY);
        }
        return new Place() {
            private boolean open = true;

            @Override
            public synchronized void close() {
                if (open) {
                    open = false;
                    line.first.release();
                    leave.run();
                }
            }
        };
    }

    /**
     * Refuses a turn of {@code owner} at once if the owner has the limit's worth running on this
     * replica alone; before its line.
     */
    public void refuseIfFullHere(String owner) {
        int inFlight = limits.turnsInFlight();
        if (limited && inFlight > 0) {
            int here = runningHere.getOrDefault(owner, 0);
            if (here >= inFlight) {
                throw refused(inFlightDetail(owner, here, inFlight), IN_FLIGHT_RETRY);
            }
        }
    }

    /**
     * Counts an admitted turn of {@code owner} as running on this replica until the returned
     * release runs (once: the turn's hold runs it when the turn ends).
     */
    public Runnable runsHere(String owner) {
        if (!limited) {
            return () -> {};
        }
        runningHere.merge(owner, 1, Integer::sum);
        return () -> runningHere.computeIfPresent(owner, (key, n) -> n == 1 ? null : n - 1);
    }

    /** Admits a turn of {@code owner}, or refuses it; in the turn's first transaction. */
    public void admit(String owner) {
        int inFlight = limits.turnsInFlight();
        int perMinute = limits.turnsPerMinute();
        if (!limited) {
            return;
        }
        // held until this transaction ends: the lease or start this turn takes is seen by the next
        jdbc.lockOwner(owner);
        if (inFlight > 0) {
            long running = jdbc.first("""
                            select (select count(*) from conversation where owner = ? and turn_lease_until > now())
                                 + (select count(*) from drop_in_call where owner = ? and until > now())""", row -> row.getLong(1), owner, owner).orElse(0L);
            if (running >= inFlight) {
                throw refused(inFlightDetail(owner, running, inFlight), IN_FLIGHT_RETRY);
            }
        }
        if (perMinute > 0) {
            jdbc.update(
                    "delete from owner_turn_start where owner = ? and started_at <= now() - interval '1 minute'",
                    owner);
            var window = jdbc.first("""
                    select count(*), extract(epoch from min(started_at) + interval '1 minute' - now())
                    from owner_turn_start where owner = ?""", row -> new long[] {row.getLong(1), (long) Math.ceil(row.getDouble(2))}, owner)
                    .orElseThrow();
            if (window[0] >= perMinute) {
                throw refused(
                        owner + " started " + window[0] + " turns in the last minute; at most " + perMinute
                                + " (stepchat.owners.turns-per-minute)",
                        Duration.ofSeconds(Math.max(1, window[1])));
            }
            jdbc.update("insert into owner_turn_start (owner, started_at) values (?, now())", owner);
        }
    }

    private static String inFlightDetail(String owner, long running, int inFlight) {
        return owner + " has " + running + " turns running; at most " + inFlight
                + " run at once (stepchat.owners.turns-in-flight)";
    }

    private ProblemException refused(String detail, Duration retryAfter) {
        metrics.refused(ProblemType.OWNER_RATE_LIMITED.slug());
        return new ProblemException(ProblemType.OWNER_RATE_LIMITED, detail + "; send again later", null, retryAfter);
    }
}
