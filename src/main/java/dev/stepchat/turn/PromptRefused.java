package dev.stepchat.turn;

import dev.stepchat.problem.ProblemException;

/**
 * A turn whose prompt cannot fit its context limit: its user message is stored failed (the
 * transaction that stored it commits: {@code dontRollbackOn}), nothing is sent, and the caller
 * gets the problem.
 */
final class PromptRefused extends ProblemException {

    private final String model;

    PromptRefused(ProblemException refusal, String model) {
        super(refusal.type(), refusal.getMessage());
        this.model = model;
    }

    /** The model the turn asked for (its metrics' tag). */
    String model() {
        return model;
    }
}
