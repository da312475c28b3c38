package dev.stepchat.turn;

import dev.stepchat.problem.ProblemException;

/**
 * Where a reader of a streamed turn is: before its start event, or after so many characters
 * (UTF-16 units) of its answer and of its reasoning, or past its final event. Event ids are
 * cursors written out: {@code <content>.<reasoning>}, and {@code end} for the final event.
 */
record Cursor(boolean started, int content, int reasoning, boolean ended) {

    static final Cursor BEFORE_START = new Cursor(false, 0, 0, false);
    static final Cursor AFTER_START = new Cursor(true, 0, 0, false);
    static final String END = "end";

    static Cursor at(int content, int reasoning) {
        return new Cursor(true, content, reasoning, false);
    }

    /** Past the final event. */
    Cursor finish() {
        return new Cursor(true, content, reasoning, true);
    }

    String id() {
        return ended ? END : content + "." + reasoning;
    }

    /** A Last-Event-ID sent back; none means from the start. */
    static Cursor parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return BEFORE_START;
        }
        String id = lastEventId.strip();
        if (END.equals(id)) {
            return new Cursor(true, 0, 0, true);
        }
        int dot = id.indexOf('.');
        try {
            if (dot > 0) {
                int content = Integer.parseInt(id.substring(0, dot));
                int reasoning = Integer.parseInt(id.substring(dot + 1));
                if (content >= 0 && reasoning >= 0) {
                    return at(content, reasoning);
                }
            }
        } catch (NumberFormatException notAnId) {
            // below
        }
        throw ProblemException.invalid("Last-Event-ID", "must be the id of an event of this message's stream");
    }
}
