package dev.stepchat.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What the tests' application restarts do to Micrometer's global registry, and the gauges that survive them. */
class GaugesTest {

    @Test
    void aGaugeRegisteredAgainReadsTheNewApplicationsObject() {
        CompositeMeterRegistry global = new CompositeMeterRegistry();
        MeterRegistry first = new SimpleMeterRegistry();
        global.add(first);
        AtomicInteger before = new AtomicInteger(7);
        register(global, before);

        // the first application stops (its registry leaves, its meters stay: Quarkus outside dev mode)
        global.remove(first);
        MeterRegistry second = new SimpleMeterRegistry();
        global.add(second);
        AtomicInteger after = new AtomicInteger(3);
        Gauges.replacing(global, "stepchat.example");
        register(global, after);

        Gauge exported = second.find("stepchat.example").gauge();
        assertThat(exported).as("the gauge in the new application's registry").isNotNull();
        assertThat(exported.value()).isEqualTo(3.0);
        assertThat(before.get()).isEqualTo(7);
    }

    private static void register(MeterRegistry registry, AtomicInteger value) {
        Gauge.builder("stepchat.example", value, AtomicInteger::get)
                .tag("place", "turn")
                .register(registry);
    }
}
