package dev.stepchat.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import jakarta.inject.Singleton;

import io.quarkus.test.Mock;

/** The service's clock in tests: the real time unless a test sets it (then reset it after). */
@Mock
@Singleton
public class TestClock extends Clock {

    private static volatile Instant fixed;

    /** Sets the time the service sees; null goes back to the real time. */
    public static void set(Instant instant) {
        fixed = instant;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        Instant now = fixed;
        return now != null ? now : Instant.now();
    }
}
