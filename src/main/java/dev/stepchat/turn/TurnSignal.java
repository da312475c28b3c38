package dev.stepchat.turn;

import java.util.Optional;
import java.util.UUID;

/**
 * A notification on the turns channel ({@value #CHANNEL}), the one codec of its payloads:
 * {@code stop:<answer>} (a stop was asked for: the replica running the answer ends it) and
 * {@code end:<answer>} (the answer ended: readers on other replicas send the rest at once).
 */
record TurnSignal(Kind kind, UUID answer) {

    static final String CHANNEL = "stepchat_turns";

    enum Kind {
        STOP("stop"),
        END("end");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    static TurnSignal stop(UUID answer) {
        return new TurnSignal(Kind.STOP, answer);
    }

    static TurnSignal end(UUID answer) {
        return new TurnSignal(Kind.END, answer);
    }

    /** The payload sent with {@code pg_notify}. */
    String payload() {
        return kind.prefix + ":" + answer;
    }

    /** A payload read back; empty for anything this codec did not write. */
    static Optional<TurnSignal> parse(String payload) {
        if (payload == null) {
            return Optional.empty();
        }
        int colon = payload.indexOf(':');
        for (Kind kind : Kind.values()) {
            if (colon == kind.prefix.length() && payload.startsWith(kind.prefix)) {
                try {
                    return Optional.of(new TurnSignal(kind, UUID.fromString(payload.substring(colon + 1))));
                } catch (IllegalArgumentException notAnId) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
