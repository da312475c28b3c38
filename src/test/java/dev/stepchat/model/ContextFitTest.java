package dev.stepchat.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.stepchat.model.ContextFit.Entry;

/** The token estimate and the fitting of a history into a budget. */
class ContextFitTest {

    @ParameterizedTest
    @CsvSource({"'', 4", "abc, 5", "'Hello there, how are you?', 13", "量子计算, 8", "こんにちは, 9", "'量子 computing', 10"})
    void theEstimateCountsDenseScriptsPerCharacter(String text, int tokens) {
        assertThat(ContextFit.estimate(text)).isEqualTo(tokens);
    }

    private static Entry<String> user(String text) {
        return new Entry<>(text, true, text, null, null);
    }

    private static Entry<String> answer(String text, Integer reported, Integer raw) {
        return new Entry<>(text, false, text, reported, raw);
    }

    @Test
    void theOldestExchangesAreLeftOutFirst() {
        List<Entry<String>> history = List.of(
                user("one ".repeat(10)),
                answer("two ".repeat(10), null, null),
                user("three ".repeat(10)),
                answer("four ".repeat(10), null, null));
        ContextFit.Result<String> all = ContextFit.fit("sys", history, "new", 1000);
        assertThat(all.kept()).hasSize(4);
        assertThat(all.omitted()).isZero();
        int budget = all.estimatedPromptTokens() - 10;
        ContextFit.Result<String> fitted = ContextFit.fit("sys", history, "new", budget);
        assertThat(fitted.omitted()).isEqualTo(2);
        assertThat(fitted.kept())
                .containsExactly(history.get(2).message(), history.get(3).message());
        assertThat(fitted.fits()).isTrue();
        assertThat(fitted.estimatedPromptTokens()).isLessThanOrEqualTo(budget);
        ContextFit.Result<String> nothing = ContextFit.fit("sys", history, "new".repeat(100), 20);
        assertThat(nothing.fits()).isFalse();
        assertThat(nothing.kept()).isEmpty();
    }

    @Test
    void whatStepFunCountedCalibratesTheEstimate() {
        // StepFun counted 150 tokens for a request estimated at 100: later estimates are raised by 1.5
        List<Entry<String>> history = List.of(user("a question"), answer("an answer", 150, 100));
        ContextFit.Result<String> calibrated = ContextFit.fit(null, history, "next", 10_000);
        assertThat(calibrated.estimatedPromptTokens()).isEqualTo((int) Math.ceil(calibrated.rawEstimate() * 1.5));
        // an overestimate is never used to shrink it
        List<Entry<String>> generous = List.of(user("a question"), answer("an answer", 50, 100));
        ContextFit.Result<String> kept = ContextFit.fit(null, generous, "next", 10_000);
        assertThat(kept.estimatedPromptTokens()).isEqualTo(kept.rawEstimate());
    }
}
