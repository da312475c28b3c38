package dev.stepchat.turn;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.scheduler.Scheduled;

import dev.stepchat.usage.SpendingLimits;

/**
 * Turns whose replica died (killed pod, cut past the shutdown timeout) stop having their lease
 * renewed. Once it has expired, this job closes them so the thread tells the truth: a streamed
 * answer becomes {@code incomplete} with the text flushed before the replica died (its stream's
 * readers get an {@code error} event), a user message with no answer yet becomes {@code failed}.
 * It runs on every replica; the UPDATEs are idempotent. With the defaults a dead replica's turn is
 * closed 30 to 40 seconds after its last renewal, or sooner: the next turn, resume or message list
 * of that conversation closes it as soon as its lease has expired.
 */
@ApplicationScoped
public class AbandonedTurns {

    private final AnswerRows answers;
    private final SpendingLimits spending;

    AbandonedTurns(AnswerRows answers, SpendingLimits spending) {
        this.answers = answers;
        this.spending = spending;
    }

    @Scheduled(
            every = "${stepchat.jobs.abandoned-turns-every}",
            delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    public void close() {
        answers.closeAbandoned(null);
        // and what the ended ones reserved against their owners' spending limits
        spending.forgetEnded();
    }
}
