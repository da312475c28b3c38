package dev.stepchat.conversation;

import java.util.List;
import java.util.UUID;

/**
 * What reading and deleting messages need to know of the turns running in a conversation.
 * Implemented where turns are stored (their leases and rows); this package only names what it needs.
 */
public interface RunningTurns {

    /** Closes the turns of the conversation whose replica died (their lease expired). */
    void closeAbandoned(UUID conversationId);

    /** Whether a live turn lease of the conversation is held by one of {@code messages}. */
    boolean leaseHeldBy(UUID conversationId, List<UUID> messages);
}
