package dev.stepchat.stepfun;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** StepFun's Retry-After header, read in both its forms. */
class RetryAfterTest {

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
}
