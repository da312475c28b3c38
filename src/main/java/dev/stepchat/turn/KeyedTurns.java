package dev.stepchat.turn;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.stepchat.idempotency.SettledTurns;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemResponses;
import dev.stepchat.turn.api.TurnView;

/**
 * An Idempotency-Key's response read from the turn its request ran, once no live replica holds
 * that turn: what the request itself would have answered (a 201 Turn, or its problem).
 */
@ApplicationScoped
class KeyedTurns implements SettledTurns {

    private final AnswerStore store;

    KeyedTurns(AnswerStore store) {
        this.store = store;
    }

    @Override
    public Response outcome(UUID conversationId, UUID holder, Instant since) {
        return switch (store.ended(conversationId, holder, since)) {
            case AnswerStore.Ended.Answered(TurnView turn) ->
                Response.status(Response.Status.CREATED)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(turn)
                        .build();
            case AnswerStore.Ended.Failed(Problem problem) ->
                ProblemResponses.of(problem, problem.status() == 503 || problem.status() == 429 ? RETRY_AFTER : null);
        };
    }

    /** A 503 (a turn-abandoned one among them) always says when to try again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
}
