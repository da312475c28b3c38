package dev.stepchat.idempotency;

import jakarta.enterprise.context.RequestScoped;

/** The Idempotency-Key this request claimed and runs, if any: for the turn it starts to name. */
@RequestScoped
class RunningKey {

    String owner;
    String key;
}
