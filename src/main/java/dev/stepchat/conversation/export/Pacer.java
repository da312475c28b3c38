package dev.stepchat.conversation.export;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps a long piece of work to a share of the time: after each step it is told how long the step
 * took, and once a burst of steps has taken {@link #BURST}, it pauses long enough for the burst
 * to be {@code share} of the time since the burst began. Each burst stays short, so whatever else
 * waits for the CPU or the database waits at most about a burst.
 */
final class Pacer {

    /** How much work runs between two pauses. */
    static final Duration BURST = Duration.ofMillis(20);

    /** Parks the calling (virtual) thread; a seam for the tests. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final double share;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long busy;
    private long stepStarted;

    Pacer(double share, LongSupplier clock, Sleeper sleeper) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("stepchat.limits.import-share must be above 0 and at most 1: " + share);
        }
        this.share = share;
        this.clock = clock;
        this.sleeper = sleeper;
        this.stepStarted = clock.getAsLong();
    }

    static Pacer ofShare(double share) {
        return new Pacer(share, System::nanoTime, nanos -> Thread.sleep(Duration.ofNanos(nanos)));
    }

    /** A step has ended: counts it, and pauses once a burst's worth of steps has run. */
    void stepDone() {
        long now = clock.getAsLong();
        busy += now - stepStarted;
        if (busy >= BURST.toNanos()) {
            long pause = (long) (busy * (1 - share) / share); // none at a share of 1
            busy = 0;
            if (pause > 0) {
                try {
                    sleeper.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        stepStarted = clock.getAsLong();
    }
}
