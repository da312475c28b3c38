package dev.stepchat.turn;

import dev.stepchat.problem.ProblemException;

/**
 * Where a reader of a streamed turn is: before its start event, or after so many characters
 * (UTF-16 units) of its answer and of its reasoning and so many units of its tool calls (see
 * {@link ToolStream}), or past its final event. Event ids are cursors written out:
 * {@code <content>.<reasoning>}, {@code <content>.<reasoning>.<tools>} once tool calls have come,
 * and {@code end} for the final event.
 */
record Cursor(boolean started, int content, int reasoning, int tools, boolean ended) {

    static final Cursor BEFORE_START = new Cursor(false, 0, 0, 0, false);
    static final Cursor AFTER_START = new Cursor(true, 0, 0, 0, false);
    static final String END = "end";

    static Cursor at(int content, int reasoning, int tools) {
        return new Cursor(true, content, reasoning, tools, false);
    }

    /** Past the final event. */
    Cursor finish() {
        return new Cursor(true, content, reasoning, tools, true);
    }

    String id() {
        return ended ? END : content + "." + reasoning + (tools == 0 ? "" : "." + tools);
    }

    /** A Last-Event-ID sent back; none means from the start. */
    static Cursor parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return BEFORE_START;
        }
        String id = lastEventId.strip();
        if (END.equals(id)) {
            return new Cursor(true, 0, 0, 0, true);
        }
        String[] parts = id.split("\\.", -1);
        try {
            if (parts.length == 2 || parts.length == 3) {
                int content = Integer.parseInt(parts[0]);
                int reasoning = Integer.parseInt(parts[1]);
                int tools = parts.length == 3 ? Integer.parseInt(parts[2]) : 0;
                if (content >= 0 && reasoning >= 0 && tools >= 0) {
                    return at(content, reasoning, tools);
                }
            }
        } catch (NumberFormatException notAnId) {
            // below
        }
        throw ProblemException.invalid("Last-Event-ID", "must be the id of an event of this message's stream");
    }
}
