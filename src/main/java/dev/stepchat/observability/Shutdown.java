package dev.stepchat.observability;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Graceful shutdown. On SIGTERM readiness goes DOWN at once (Quarkus' shutdown delay), new turns
 * are refused with a 503 problem, and turns in flight, streams included, run to their end within
 * {@code quarkus.shutdown.timeout}, stored as usual, before the process exits.
 */
@ApplicationScoped
public class Shutdown {

    private volatile boolean stopping;

    void delayStarted(@Observes ShutdownDelayInitiatedEvent event) {
        stopping("SIGTERM received: readiness is DOWN, new turns are refused, running turns finish");
    }

    void shutdown(@Observes ShutdownEvent event) {
        stopping("Shutting down");
    }

    private void stopping(String why) {
        if (!stopping) {
            stopping = true;
            Log.info(why);
        }
    }

    public boolean stopping() {
        return stopping;
    }
}
