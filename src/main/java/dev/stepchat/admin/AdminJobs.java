package dev.stepchat.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

import dev.stepchat.admin.AdminViews.Job;
import dev.stepchat.db.Jdbc;
import dev.stepchat.problem.ProblemException;

/**
 * Administrators' jobs, kept in PostgreSQL so that any replica may run them: an owner's erasure
 * is stored {@code pending} (with its audit entry, in one transaction) and started at once on the
 * replica that took the request; a job whose replica died is claimed again when its lease
 * expires, by the job that looks for open ones ({@code stepchat.erasure.every}) on any replica.
 */
@ApplicationScoped
public class AdminJobs {

    public static final String ERASURE = "owner-erasure";

    /** How long a claimed job is its replica's without a renewal. */
    static final Duration LEASE = Duration.ofMinutes(2);

    private static final TypeReference<Map<String, Object>> DETAIL = new TypeReference<>() {};

    private final Jdbc jdbc;
    private final Erasure erasure;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final Clock clock;

    AdminJobs(Jdbc jdbc, Erasure erasure, AuditLog audit, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.erasure = erasure;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Stores the erasure of {@code owner} and its audit entry, then starts it; answers the job. An
     * erasure of the owner still open is answered instead of a second one.
     */
    public Job erase(String owner) {
        erasure.requireConfigured();
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
            jdbc.lockOwner(owner);
            Optional<UUID> open = jdbc.first(
                    "select id from admin_job where kind = ? and target = ? and status in ('pending', 'running')",
                    row -> row.getObject(1, UUID.class),
                    ERASURE,
                    owner);
            if (open.isPresent()) {
                return open.get();
            }
            UUID job = Jdbc.newId();
            jdbc.update(
                    "insert into admin_job (id, kind, target, status, created_at) values (?, ?, ?, 'pending', ?)",
                    job,
                    ERASURE,
                    owner,
                    clock.instant());
            audit.append(AuditLog.OWNER_ERASE, owner, Map.of("job_id", job.toString()));
            return job;
        });
        Thread.ofVirtual().name("admin-job").start(this::runOpen);
        return read(id).orElseThrow();
    }

    /** The job, or empty. */
    public Optional<Job> read(UUID id) {
        return QuarkusTransaction.requiringNew()
                .call(() -> jdbc.first(
                        """
                        select id, kind, status, created_at, finished_at, cast(detail as text), error
                        from admin_job where id = ?""",
                        row -> {
                            Instant finished = Jdbc.instant(row, 5);
                            return new Job(
                                    row.getObject(1, UUID.class),
                                    "job",
                                    row.getString(2),
                                    row.getString(3),
                                    Jdbc.instant(row, 4).toString(),
                                    finished == null ? null : finished.toString(),
                                    detail(row.getString(6)),
                                    row.getString(7));
                        },
                        id));
    }

    public Job readOrNotFound(UUID id) {
        return read(id).orElseThrow(() -> ProblemException.notFound("Job"));
    }

    @Scheduled(
            every = "${stepchat.erasure.every}",
            delayed = "${stepchat.jobs.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        runOpen();
    }

    /** Claims and runs open jobs (pending, or running with an expired lease) until none is left. */
    public void runOpen() {
        while (true) {
            Optional<Claimed> claimed = QuarkusTransaction.requiringNew()
                    .call(() -> jdbc.first(
                            """
                            update admin_job set status = 'running', lease_until = now() + make_interval(secs => ?)
                            where id = (select id from admin_job
                                        where status = 'pending' or (status = 'running' and lease_until < now())
                                        order by created_at limit 1 for update skip locked)
                            returning id, target""",
                            row -> new Claimed(row.getObject(1, UUID.class), row.getString(2)),
                            LEASE.toSeconds()));
            if (claimed.isEmpty()) {
                return;
            }
            run(claimed.get());
        }
    }

    private record Claimed(UUID id, String owner) {}

    private void run(Claimed job) {
        try {
            Map<String, Object> done = erasure.run(job.owner(), () -> renew(job.id()));
            String pseudonym = erasure.pseudonym(job.owner());
            QuarkusTransaction.requiringNew().run(() -> {
                jdbc.update("""
                        update admin_job set status = 'succeeded', detail = cast(? as jsonb), finished_at = ?,
                            lease_until = null where id = ?""", write(done), clock.instant(), job.id());
                // the owner's name goes from every job, this one included, when this one ends
                jdbc.update("update admin_job set target = ? where target = ?", pseudonym, job.owner());
            });
            Log.infof("Job %s (%s) succeeded: %s", job.id(), ERASURE, done);
        } catch (RuntimeException e) {
            // left running: its lease expires and the job is tried again from the start
            Log.warnf(e, "Job %s (%s) failed this time; it is tried again when its lease expires", job.id(), ERASURE);
        }
    }

    private void renew(UUID id) {
        QuarkusTransaction.requiringNew()
                .run(() -> jdbc.update(
                        "update admin_job set lease_until = now() + make_interval(secs => ?) where id = ?",
                        LEASE.toSeconds(),
                        id));
    }

    private String write(Map<String, Object> detail) {
        try {
            return json.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> detail(String detail) {
        try {
            return json.readValue(detail, DETAIL);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A job's detail could not be read", e);
        }
    }
}
