package dev.stepchat.observability;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Gauges that follow the application which registers them. Quarkus registers its meters in
 * Micrometer's global registry and, outside dev mode, leaves them there when an application stops;
 * a later application in the same JVM (the tests' profiles) asking for a gauge of the same name gets
 * the old one back, bound to the old application's object, or to nothing once that object is
 * collected, and the gauge is then missing from {@code /q/metrics}.
 */
public final class Gauges {

    private Gauges() {}

    /** Removes the gauges of these names (every tag) before this application registers its own. */
    public static void replacing(MeterRegistry registry, String... names) {
        for (String name : names) {
            registry.find(name).meters().forEach(registry::remove);
        }
    }
}
