package dev.stepchat.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.file.Files;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.usage.UsageLedger;

/**
 * An owner's erasure, step by step, each step in batches of short transactions, so that it never
 * holds a long one and can be run again from the start by another replica (every step finds what
 * is left to do in the data): the owner's conversations (their messages and share links with
 * them), idempotency records, limit overrides and transient rows deleted; then the owner replaced
 * by its keyed pseudonym (HMAC-SHA256 with {@code stepchat.erasure.key}) in the usage ledger, the
 * owner's daily totals, the audit log and the jobs, so that totals stay true and the person is
 * gone. (The jobs' own rows are rewritten by {@link AdminJobs} with the job's end, in one
 * transaction, so that a job run again never erases the pseudonym.)
 */
@ApplicationScoped
public class Erasure {

    /** Shorter keys are refused: the pseudonym is only as safe as its key. */
    static final int MIN_KEY = 32;

    private final Jdbc jdbc;
    private final ChatConfig.Erasure config;
    private final Files files;

    Erasure(Jdbc jdbc, ChatConfig config, Files files) {
        this.jdbc = jdbc;
        this.config = config.erasure();
        this.files = files;
    }

    /** Refuses erasure (503 erasure-not-configured) when no usable key is configured. */
    public void requireConfigured() {
        if (config.key().filter(key -> key.length() >= MIN_KEY).isEmpty()) {
            throw new ProblemException(
                    ProblemType.ERASURE_NOT_CONFIGURED,
                    "Erasure needs a pseudonym key of at least " + MIN_KEY
                            + " characters: set STEPCHAT_ERASURE_KEY (stepchat.erasure.key)");
        }
    }

    /** The owner's keyed one-way pseudonym: "erased:" and 43 base64url characters. */
    public String pseudonym(String owner) {
        requireConfigured();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(config.key().orElseThrow().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "erased:"
                    + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(mac.doFinal(owner.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Runs every step for {@code owner}; {@code renew} is called between batches (the job's lease).
     * Returns how many rows each step changed.
     */
    public Map<String, Object> run(String owner, Runnable renew) {
        String pseudonym = pseudonym(owner);
        int batch = config.batch();
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("conversations_deleted", batches(renew, () -> jdbc.update("""
                delete from conversation where id in (select id from conversation where owner = ? limit ?)""", owner, batch)));
        // after the conversations: no message of the owner uses the files any more
        done.put("files_deleted", files.eraseOwner(owner));
        renew.run();
        done.put("idempotency_records_deleted", batches(renew, () -> jdbc.update("""
                delete from idempotency_key where (owner, idempotency_key) in
                  (select owner, idempotency_key from idempotency_key where owner = ? limit ?)""", owner, batch)));
        done.put("limit_overrides_deleted", once(() -> jdbc.update("delete from owner_limit where owner = ?", owner)));
        once(() -> jdbc.update("delete from owner_turn_start where owner = ?", owner)
                + jdbc.update("delete from stream_reader where owner = ?", owner)
                + jdbc.update("delete from spending_reservation where owner = ?", owner)
                + jdbc.update("delete from drop_in_call where owner = ?", owner)
                + jdbc.update("delete from share where owner = ?", owner));
        done.put("ledger_rows_pseudonymized", batches(renew, () -> jdbc.update("""
                update usage_record set owner = ? where id in (select id from usage_record where owner = ? limit ?)""", pseudonym, owner, batch)));
        done.put("usage_days_pseudonymized", once(() -> {
            // the pseudonym may have days already (the same person erased before): totals are added
            jdbc.update("""
                    insert into owner_usage_day (owner, day, prompt_tokens, completion_tokens, total_tokens,
                                                 cached_tokens, cost, turns, priced_turns)
                    select ?, day, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost, turns,
                           priced_turns
                    from owner_usage_day where owner = ?
                    """ + UsageLedger.ADD_TO_DAY, pseudonym, owner);
            return jdbc.update("delete from owner_usage_day where owner = ?", owner);
        }));
        done.put(
                "audit_entries_pseudonymized",
                once(() -> jdbc.update("update audit_entry set target = ? where target = ?", pseudonym, owner)
                        + jdbc.update("update audit_entry set actor = ? where actor = ?", pseudonym, owner)));
        return done;
    }

    /** Repeats a batch in its own transaction until it changes fewer rows than a batch. */
    private int batches(Runnable renew, IntSupplier step) {
        int total = 0;
        while (true) {
            int changed = once(step);
            total += changed;
            renew.run();
            if (changed < config.batch()) {
                return total;
            }
        }
    }

    private static int once(IntSupplier step) {
        return QuarkusTransaction.requiringNew().call(step::getAsInt);
    }
}
