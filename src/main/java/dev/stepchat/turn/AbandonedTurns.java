package dev.stepchat.turn;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.MessageRepository;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemType;

/**
 * Turns whose instance died mid-call (killed pod, cut past the shutdown timeout) leave the user's
 * message in progress. Once the turn's lease has certainly expired, this job marks such messages
 * failed, with a problem that says why, so the thread tells the truth. It runs on every replica;
 * the UPDATE is idempotent.
 */
@ApplicationScoped
public class AbandonedTurns {

    private final MessageRepository messages;
    private final ChatConfig config;

    AbandonedTurns(MessageRepository messages, ChatConfig config) {
        this.messages = messages;
        this.config = config;
    }

    @Scheduled(every = "${stepchat.jobs.abandoned-turns-every}", delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    public void markFailed() {
        Problem problem = Problem.of(ProblemType.TURN_ABANDONED,
                "The instance answering this turn stopped before it finished; send the message again", null);
        int abandoned = messages.failInProgressBefore(Instant.now().minus(config.turnLease()), StoredError.of(problem));
        if (abandoned > 0) {
            Log.warnf("Marked %d abandoned turns failed", abandoned);
        }
    }
}
