package dev.stepchat.unit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.Titles;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.StepFunErrors;

/** The pure logic under the API, without a running application. */
class PureLogicTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "120, 120", "' 7 ', 7", "-5, 0"})
    void retryAfterInSeconds(String header, long seconds) {
        assertThat(StepFunErrors.retryAfter(header)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void retryAfterAsAnHttpDate() {
        String in30 = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(StepFunErrors.retryAfter(in30)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
        String past = ZonedDateTime.now(ZoneOffset.UTC).minusHours(1).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(StepFunErrors.retryAfter(past)).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"soon", "1.5", "Fri, 99 Nov 2026"})
    void retryAfterThatSaysNothingUsable(String header) {
        assertThat(StepFunErrors.retryAfter(header)).isNull();
    }

    @Test
    void pagingDefaultsAndCursors() {
        UUID after = UUID.randomUUID();
        assertThat(PageRequest.parse(null, null, null, null, true))
                .isEqualTo(new PageRequest(20, null, null, true));
        assertThat(PageRequest.parse("100", after.toString(), "", "asc", true))
                .isEqualTo(new PageRequest(100, after, null, false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0||||limit", "101||||limit", "2.5||||limit", "ten||||limit",
            "|x|||after", "||not-a-uuid||before", "|||ASC|order", "|||asc;drop|order", "|||random|order"})
    void pagingRefusesWhatItCannotRead(String limit, String after, String before, String order, String field) {
        assertThatThrownBy(() -> PageRequest.parse(limit, after, before, order, false))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.VALIDATION_FAILED);
                    assertThat(e.toProblem("/").errors()).extracting(err -> err.field()).containsExactly(field);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Hello|5|Hello",
            "'  Plan a trip\n to   Kyoto '|80|Plan a trip to Kyoto",
            "abcdef|3|abc",
            "量子计算的未来|4|量子计算",
            "😀😀😀|2|😀😀"})
    void titlesAreOneLineCutByCharacters(String content, int max, String title) {
        assertThat(Titles.fromFirstMessage(content, max)).isEqualTo(title);
    }
}
