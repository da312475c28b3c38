package dev.stepchat.idempotency;

import java.time.Instant;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

/**
 * What a key's request answered, read from the turn it ran once no live replica holds that turn:
 * the turn (its answer completed, or incomplete when its replica died) or the problem it failed
 * with. Implemented where turns are stored; this package only names what it needs.
 */
public interface SettledTurns {

    /**
     * The response of the request whose turn's lease {@code holder} held in {@code conversationId},
     * the request having claimed its key at {@code since}; a turn its replica left is closed first.
     */
    Response outcome(UUID conversationId, UUID holder, Instant since);
}
