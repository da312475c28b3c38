package dev.stepchat.conversation.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;

/**
 * Retention: with {@code stepchat.retention.conversations} set, conversations whose
 * {@code updated_at} is older are deleted (their messages and share links with them), unless
 * pinned or running a turn; the usage ledger keeps their rows. Deleted a batch per short
 * transaction, each under a transaction-scoped advisory lock taken without waiting, so that two
 * replicas never delete at once: the one that finds the lock taken leaves the round to the other.
 */
@ApplicationScoped
public class Retention {

    /** The advisory lock key of the retention job (any constant unlikely to meet another's). */
    static final long LOCK = 7_461_220_901L;

    private final Jdbc jdbc;
    private final ChatConfig.Retention config;
    private final Clock clock;

    Retention(Jdbc jdbc, ChatConfig config, Clock clock) {
        this.jdbc = jdbc;
        this.config = config.retention();
        this.clock = clock;
    }

    @Scheduled(
            every = "${stepchat.retention.every}",
            delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (config.conversations().isPresent()) {
            int deleted = deleteOld();
            if (deleted > 0) {
                Log.infof(
                        "Retention deleted %d conversations not updated for %s",
                        deleted, config.conversations().get());
            }
        }
    }

    /**
     * Deletes the conversations past retention, batch by batch; returns how many, or -1 when
     * another replica holds the job's lock.
     */
    public int deleteOld() {
        Duration age = config.conversations().orElse(null);
        if (age == null) {
            return 0;
        }
        Instant before = clock.instant().minus(age);
        int total = 0;
        while (true) {
            Integer deleted = QuarkusTransaction.requiringNew().call(() -> {
                boolean mine = jdbc.first("select pg_try_advisory_xact_lock(?)", row -> row.getBoolean(1), LOCK)
                        .orElse(false);
                if (!mine) {
                    return null;
                }
                return jdbc.update("""
                        delete from conversation where id in (
                            select id from conversation
                            where not pinned and updated_at < ? and (turn_lease_until is null or turn_lease_until < now())
                            order by updated_at limit ? for update skip locked)""", before, config.batch());
            });
            if (deleted == null) {
                return total == 0 ? -1 : total;
            }
            total += deleted;
            if (deleted < config.batch()) {
                return total;
            }
        }
    }
}
