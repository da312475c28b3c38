package dev.stepchat.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits a conversation's history into a prompt budget, with a conservative token estimate.
 * <p>
 * The estimate counts each character of scripts written without spaces (Chinese, Japanese, Korean)
 * as one token and every three other characters as one (English averages about four), plus a few
 * tokens per message for its framing. It is then calibrated with what StepFun reported: for each
 * earlier answer on the path, the real {@code prompt_tokens} of its request over the estimate of
 * that same request; the largest ratio seen (never below 1) multiplies the estimate, so a text
 * the rule undercounts is not undercounted twice.
 */
public final class ContextFit {

    /** Tokens of framing per message (role, separators), as chat templates spend them. */
    static final int PER_MESSAGE = 4;

    /** One message of the history, with what it costs. */
    public record Entry<M>(
            M message,
            boolean user,
            String content,
            Integer reportedPromptTokens,
            Integer rawEstimate,
            int extraTokens) {

        public Entry(M message, boolean user, String content, Integer reportedPromptTokens, Integer rawEstimate) {
            this(message, user, content, reportedPromptTokens, rawEstimate, 0);
        }
    }

    /**
     * What is sent: the kept part of the history, how much was left out, the calibrated estimate
     * and the raw one (kept with the answer, to calibrate later turns).
     */
    public record Result<M>(List<M> kept, int omitted, int estimatedPromptTokens, int rawEstimate, boolean fits) {}

    private ContextFit() {}

    /** The estimated tokens of one text. */
    public static int estimate(String text) {
        if (text == null || text.isEmpty()) {
            return PER_MESSAGE;
        }
        int dense = 0;
        int other = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (isDense(cp)) {
                dense++;
            } else {
                other++;
            }
            i += Character.charCount(cp);
        }
        return PER_MESSAGE + dense + (other + 2) / 3;
    }

    private static boolean isDense(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL
                || (cp >= 0x3000 && cp <= 0x303F)
                || (cp >= 0xFF00 && cp <= 0xFFEF);
    }

    /**
     * Keeps the newest part of {@code history} (oldest first) that fits {@code limit} together with
     * the system prompt and the new message, leaving out whole exchanges from the oldest on.
     */
    public static <M> Result<M> fit(String systemPrompt, List<Entry<M>> history, String newMessage, int limit) {
        return fit(systemPrompt, history, newMessage, 0, limit);
    }

    /**
     * As {@link #fit(String, List, String, int)}, the new message carrying {@code newExtra} tokens
     * beside its text (its images, counted at a configured estimate each).
     */
    public static <M> Result<M> fit(
            String systemPrompt, List<Entry<M>> history, String newMessage, int newExtra, int limit) {
        double factor = calibration(history);
        int fixed = (systemPrompt == null || systemPrompt.isEmpty() ? 0 : estimate(systemPrompt))
                + estimate(newMessage)
                + newExtra;
        int start = 0;
        int total = fixed + sum(history);
        while (start < history.size() && Math.ceil(total * factor) > limit) {
            // leave out the oldest exchange: a user message and the answers that follow it
            int next = start + 1;
            while (next < history.size() && !history.get(next).user()) {
                next++;
            }
            total -= sum(history.subList(start, next));
            start = next;
        }
        int estimated = (int) Math.ceil(total * factor);
        List<M> kept = new ArrayList<>();
        history.subList(start, history.size()).forEach(e -> kept.add(e.message()));
        return new Result<>(kept, start, estimated, total, estimated <= limit);
    }

    private static <M> int sum(List<Entry<M>> entries) {
        return entries.stream()
                .mapToInt(entry -> estimate(entry.content()) + entry.extraTokens())
                .sum();
    }

    /**
     * The largest ratio of reported to estimated prompt tokens over the earlier answers (each keeps
     * the raw estimate of its own request), at least 1 and at most 4.
     */
    static <M> double calibration(List<Entry<M>> history) {
        double factor = 1.0;
        for (Entry<M> entry : history) {
            if (entry.reportedPromptTokens() != null && entry.rawEstimate() != null && entry.rawEstimate() > 0) {
                factor = Math.max(factor, (double) entry.reportedPromptTokens() / entry.rawEstimate());
            }
        }
        return Math.min(factor, 4.0);
    }
}
