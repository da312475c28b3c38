package dev.stepchat.conversation;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.stepchat.db.Jdbc;

/**
 * A search query: its words (split at white space; a run of Chinese, Japanese or Korean text is one
 * "word", found as a substring), the LIKE pattern of each, and the snippet shown around a match.
 */
public final class Search {

    /** Most words taken from a query. */
    static final int MAX_WORDS = 8;

    private Search() {}

    /** The words of a query, or an empty list. */
    public static List<String> words(String query) {
        if (query == null || query.isBlank()) {
            return List.of();
        }
        return Arrays.stream(query.strip().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .distinct()
                .limit(MAX_WORDS)
                .toList();
    }

    /**
     * Whether a word has 3 characters or more: the trigram index can narrow a search for it. With
     * only shorter words it could list every message of the caller, and must not be used.
     */
    static boolean hasTrigrams(List<String> words) {
        return words.stream().anyMatch(w -> w.codePointCount(0, w.length()) >= 3);
    }

    /**
     * A word of two Chinese, Japanese or Korean characters (Han, kana, Hangul syllables: the
     * characters whose pairs V19's index holds, the same ranges as its regular expression).
     */
    static final String CJK_CHARACTER = "[\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff]";

    private static final Pattern CJK_PAIR = Pattern.compile(CJK_CHARACTER + "{2}");

    /**
     * The HQL condition that {@code content} holds word {@code i}, a pair (its LIKE pattern is the
     * parameter {@code :w<i>}; neither % nor \ is one of those characters, so its pairs are the
     * word's). Twice: through the pairs index (V19), which PostgreSQL estimates from that index's
     * statistics, and by the word's position, which a walk of the caller's conversations checks
     * first (a regular expression per message costs ten times as much) and which PostgreSQL takes
     * as nearly always true, so that it leaves the estimate alone (ILIKE would shrink it, and a
     * common word would be read whole through the index).
     */
    static String holdsPair(String content, int i) {
        return "function('search_may_contain', " + content + ", :w" + i + ") = true and locate(trim(both '%' from :w"
                + i + "), " + content + ") <> 0";
    }

    /** Whether a word is two Chinese, Japanese or Korean characters: the index of pairs finds it. */
    static boolean isCjkPair(String word) {
        return CJK_PAIR.matcher(word).matches();
    }

    /**
     * Makes PostgreSQL plan the rest of the transaction's statements for their parameters each time
     * they run, never with the generic plan it caches for a statement run often on a connection:
     * what a search should read depends on its words (rare or common, long or short).
     */
    static void planForTheseWords(Jdbc jdbc) {
        jdbc.update("set local plan_cache_mode = force_custom_plan");
    }

    /** {@code %word%}, with LIKE's own characters escaped. */
    static String pattern(String word) {
        return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** Up to about 120 characters of {@code text} around the first word found in it. */
    public static String snippet(String text, List<String> words) {
        // matched case-insensitively in the text itself: its lower case can be longer (İ becomes
        // two characters), so positions found there would not be positions in the text
        int at = -1;
        int length = 0;
        for (String word : words) {
            Matcher found = Pattern.compile(Pattern.quote(word), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                    .matcher(text);
            if (found.find() && (at < 0 || found.start() < at)) {
                at = found.start();
                length = found.end() - found.start();
            }
        }
        if (at < 0) {
            at = 0;
        }
        int from = Math.max(0, at - 50);
        int to = Math.min(text.length(), at + length + 70);
        String cut = text.substring(from, to).replaceAll("\\s+", " ").strip();
        return (from > 0 ? "…" : "") + cut + (to < text.length() ? "…" : "");
    }
}
