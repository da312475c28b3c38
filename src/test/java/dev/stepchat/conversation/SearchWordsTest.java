package dev.stepchat.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Which words of a query the index of Chinese, Japanese and Korean pairs can find. */
class SearchWordsTest {

    @Test
    void aWordOfTwoChineseJapaneseOrKoreanCharactersIsAPair() {
        assertThat(Search.isCjkPair("麒麟")).isTrue();
        assertThat(Search.isCjkPair("タワ")).isTrue();
        assertThat(Search.isCjkPair("京タ")).isTrue();
        assertThat(Search.isCjkPair("날씨")).isTrue();
        // one character, three, Latin letters, a mix, and characters the index leaves out
        assertThat(Search.isCjkPair("麒")).isFalse();
        assertThat(Search.isCjkPair("麒麟出")).isFalse();
        assertThat(Search.isCjkPair("up")).isFalse();
        assertThat(Search.isCjkPair("A股")).isFalse();
        assertThat(Search.isCjkPair("時々")).isFalse();
        assertThat(Search.isCjkPair("。，")).isFalse();
    }

    @Test
    void theCharactersAreThoseWhosePairsTheMigrationIndexes() throws IOException {
        // a word the service sends to the index must have its pair there: one list of characters
        try (InputStream migration = getClass().getResourceAsStream("/db/migration/V19__short_words_indexed.sql")) {
            assertThat(new String(migration.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("'" + Search.CJK_CHARACTER + "{2,}'");
        }
    }
}
