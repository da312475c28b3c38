package dev.stepchat.conversation.rest;

import dev.stepchat.problem.ProblemException;

import java.util.UUID;

/** Path ids: anything that is not a UUID names no conversation, so it is a 404. */
final class Ids {

    private Ids() {
    }

    static UUID conversation(String id) {
        try {
            if (id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 404
        }
        throw ProblemException.notFound("Conversation");
    }
}
