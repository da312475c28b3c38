package dev.stepchat.conversation.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The import's pauses, on a clock the test moves (no real time passes). */
class PacerTest {

    private long now;
    private final List<Long> pauses = new ArrayList<>();

    private Pacer pacer(double share) {
        return new Pacer(share, () -> now, nanos -> {
            pauses.add(nanos);
            now += nanos;
        });
    }

    private static long ms(long millis) {
        return millis * 1_000_000;
    }

    @Test
    void atHalfTheTimeEachBurstIsFollowedByAPauseAsLong() {
        Pacer pacer = pacer(0.5);
        for (int step = 0; step < 10; step++) {
            now += ms(5);
            pacer.stepDone();
        }
        // 50 ms of work in steps of 5: a burst of 20 ms, a pause of 20, twice; the last 10 ms wait
        assertThat(pauses).containsExactly(ms(20), ms(20));
    }

    @Test
    void aQuarterOfTheTimePausesThreeTimesTheWork() {
        Pacer pacer = pacer(0.25);
        now += ms(30);
        pacer.stepDone();
        assertThat(pauses).containsExactly(ms(90));
    }

    @Test
    void theWholeTimeNeverPausesAndNoShareIsRefused() {
        Pacer pacer = pacer(1);
        for (int step = 0; step < 10; step++) {
            now += ms(50);
            pacer.stepDone();
        }
        assertThat(pauses).isEmpty();
        assertThatThrownBy(() -> pacer(0)).hasMessageContaining("stepchat.limits.import-share");
        assertThatThrownBy(() -> pacer(1.5)).hasMessageContaining("stepchat.limits.import-share");
    }
}
