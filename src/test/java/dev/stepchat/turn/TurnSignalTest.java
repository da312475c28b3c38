package dev.stepchat.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The payloads replicas exchange on the turns channel. */
class TurnSignalTest {

    @Test
    void whatIsWrittenIsReadBack() {
        UUID answer = UUID.randomUUID();
        assertThat(TurnSignal.stop(answer).payload()).isEqualTo("stop:" + answer);
        assertThat(TurnSignal.parse(TurnSignal.stop(answer).payload())).contains(TurnSignal.stop(answer));
        assertThat(TurnSignal.parse(TurnSignal.end(answer).payload())).contains(TurnSignal.end(answer));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "stop",
                "stop:",
                "stop:not-an-id",
                "halt:0190b2b8-0000-7000-8000-000000000000",
                "stopped:0190b2b8-0000-7000-8000-000000000000",
                "end0190b2b8-0000-7000-8000-000000000000"
            })
    void anythingElseIsIgnored(String payload) {
        assertThat(TurnSignal.parse(payload)).isEmpty();
    }
}
