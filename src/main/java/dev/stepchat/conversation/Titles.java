package dev.stepchat.conversation;

/** The title an untitled conversation takes from its first answered message. */
public final class Titles {

    private Titles() {}

    /** The message on one line, white space folded, cut to {@code max} characters (code points). */
    public static String fromFirstMessage(String content, int max) {
        String oneLine = content.strip().replaceAll("\\s+", " ");
        if (oneLine.codePointCount(0, oneLine.length()) <= max) {
            return oneLine;
        }
        return oneLine.substring(0, oneLine.offsetByCodePoints(0, max));
    }
}
