package dev.stepchat.observability;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Buckets ({@code _bucket{le}}) for the two latencies the dashboard and the alerts read as
 * percentiles: HTTP requests ({@code http_server_requests_seconds}) and StepFun calls
 * ({@code stepchat_upstream_seconds}). Fixed bounds, 16 of them, from 5 ms to 10 minutes (StepFun's
 * own request limit), so each series costs the same whatever the traffic; Prometheus computes
 * quantiles across replicas from them, which client-side percentiles cannot give.
 */
public class LatencyHistograms {

    static final Duration[] BOUNDS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofSeconds(120),
        Duration.ofSeconds(300),
        Duration.ofSeconds(600)
    };

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER
                        && (id.getName().equals("http.server.requests")
                                || id.getName().equals("stepchat.upstream"))) {
                    double[] nanos = new double[BOUNDS.length];
                    for (int i = 0; i < BOUNDS.length; i++) {
                        nanos[i] = BOUNDS[i].toNanos();
                    }
                    return DistributionStatisticConfig.builder()
                            .serviceLevelObjectives(nanos)
                            .build()
                            .merge(config);
                }
                return config;
            }
        };
    }
}
