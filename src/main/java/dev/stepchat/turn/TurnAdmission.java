package dev.stepchat.turn;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.observability.Gauges;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.DatabaseFaults;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * Admits a turn only when what it needs to finish can be had, before StepFun is called:
 * <ul>
 * <li>a bounded number of turns between their first and last transaction
 * ({@code stepchat.admission.turns-per-connection} per pooled connection);</li>
 * <li>first transactions use at most the pool less a reserve, so that completing transactions
 * (an answer already paid for) always find a connection ahead of new turns.</li>
 * </ul>
 * A turn that cannot be admitted after a brief wait ({@code stepchat.admission.max-wait}) is a 503
 * {@code overloaded} with nothing stored and no upstream call. Gauges per place ({@code turn}: turns in
 * flight; {@code begin}: first transactions): {@code stepchat_admission_capacity},
 * {@code stepchat_admission_in_use} and {@code stepchat_admission_waiting}.
 */
@ApplicationScoped
public class TurnAdmission {

    /** A turn's place; given back exactly once, on every way the turn ends. */
    public final class Ticket implements AutoCloseable {
        private boolean open = true;

        @Override
        public synchronized void close() {
            if (open) {
                open = false;
                inFlight.release();
            }
        }
    }

    private final Semaphore inFlight;
    private final Semaphore begins;
    private final Duration wait;
    private final TurnMetrics metrics;

    TurnAdmission(
            ChatConfig config,
            @ConfigProperty(name = "quarkus.datasource.jdbc.max-size") int poolSize,
            TurnMetrics metrics,
            MeterRegistry registry) {
        int turns = Math.max(1, poolSize * config.admission().turnsPerConnection());
        // a quarter of the pool (at least one connection) is kept for completing transactions
        int firstTransactions = Math.max(1, poolSize - Math.max(1, poolSize / 4));
        this.inFlight = new Semaphore(turns, true);
        this.begins = new Semaphore(firstTransactions, true);
        this.wait = config.admission().maxWait();
        this.metrics = metrics;
        Gauges.replacing(
                registry, "stepchat.admission.capacity", "stepchat.admission.in.use", "stepchat.admission.waiting");
        gauges(registry, "turn", inFlight, turns);
        gauges(registry, "begin", begins, firstTransactions);
    }

    private static void gauges(MeterRegistry registry, String place, Semaphore places, int capacity) {
        Gauge.builder("stepchat.admission.capacity", () -> capacity)
                .description("Places of admission on this replica")
                .tag("place", place)
                .register(registry);
        Gauge.builder("stepchat.admission.in.use", places, p -> capacity - p.availablePermits())
                .description("Places of admission taken")
                .tag("place", place)
                .register(registry);
        Gauge.builder("stepchat.admission.waiting", places, Semaphore::getQueueLength)
                .description("Turns waiting for a place of admission")
                .tag("place", place)
                .register(registry);
    }

    /** Takes a place for a turn, or refuses it with a 503 {@code overloaded}. */
    public Ticket admit() {
        acquire(inFlight, "turns in flight");
        return new Ticket();
    }

    /** Runs a turn's first transaction within the share of the pool that new turns may use. */
    public <T> T beginning(java.util.function.Supplier<T> transaction) {
        acquire(begins, "database connections");
        try {
            return transaction.get();
        } finally {
            begins.release();
        }
    }

    /** A place within the brief wait, or a 503. */
    private void acquire(Semaphore places, String what) {
        try {
            if (places.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw refused(what);
    }

    private ProblemException refused(String what) {
        metrics.refused(ProblemType.OVERLOADED.slug());
        return new ProblemException(
                ProblemType.OVERLOADED,
                "The service has more turns than it can finish (" + what + "); send again shortly",
                null,
                DatabaseFaults.RETRY_AFTER);
    }
}
