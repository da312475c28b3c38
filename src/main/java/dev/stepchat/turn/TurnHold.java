package dev.stepchat.turn;

import java.util.UUID;

/**
 * What a running turn holds on this replica, released in one place: its admission ticket (its
 * place among the turns in flight here) and, once its first transaction took the conversation's
 * lease, that lease's renewal by this replica. {@link #close()} gives both back, once, whoever
 * calls it first: the request that ends a non-streamed turn, or the storing of a streamed turn's end.
 */
final class TurnHold implements AutoCloseable {

    private final TurnAdmission.Ticket ticket;
    private final LiveTurns live;
    private UUID lease;
    private Runnable more;
    private boolean open = true;

    TurnHold(TurnAdmission.Ticket ticket, LiveTurns live) {
        this.ticket = ticket;
        this.live = live;
    }

    /** The turn's first transaction took the lease {@code holder} holds: this replica renews it from now on. */
    synchronized void leased(UUID holder) {
        lease = holder;
        live.hold(holder);
    }

    /** Something else the turn holds until it ends (the memory of its images), or given back at once when it has ended. */
    synchronized void alsoRelease(Runnable release) {
        if (!open) {
            release.run();
            return;
        }
        Runnable before = more;
        more = before == null
                ? release
                : () -> {
                    before.run();
                    release.run();
                };
    }

    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        if (more != null) {
            more.run();
        }
        if (lease != null) {
            live.release(lease);
        }
        ticket.close();
    }
}
