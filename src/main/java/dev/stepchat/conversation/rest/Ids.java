package dev.stepchat.conversation.rest;

import java.util.UUID;

import dev.stepchat.problem.ProblemException;

/** Path ids: anything that is not a UUID names no conversation, so it is a 404. */
public final class Ids {

    private Ids() {}

    public static UUID message(String id) {
        return parse(id, "Message");
    }

    public static UUID conversation(String id) {
        return parse(id, "Conversation");
    }

    /** A file's id; anything else is a 404 like an unknown file. */
    public static UUID file(String id) {
        return parse(id, "File");
    }

    /** An administrators' job's id; anything else is a 404 like an unknown job. */
    public static UUID job(String id) {
        return parse(id, "Job");
    }

    private static UUID parse(String id, String what) {
        try {
            if (id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 404
        }
        throw ProblemException.notFound(what);
    }
}
