package dev.stepchat.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stepchat.admin.AdminViews.AuditEntry;
import dev.stepchat.db.Jdbc;
import dev.stepchat.security.AdminAction;
import dev.stepchat.security.CurrentOwner;

/**
 * The audit log: every administrator's action appended, in the transaction of the action itself,
 * with who (the token's subject), when, what, to whom and the change. Nothing in the API updates
 * or deletes an entry; only an erasure rewrites the erased owner to its pseudonym.
 */
@ApplicationScoped
public class AuditLog {

    public static final String OWNER_ERASE = "owner.erase";

    private static final TypeReference<Map<String, Object>> DETAIL = new TypeReference<>() {};

    private final Jdbc jdbc;
    private final CurrentOwner actor;
    private final ObjectMapper json;
    private final Clock clock;

    AuditLog(Jdbc jdbc, CurrentOwner actor, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.actor = actor;
        this.json = json;
        this.clock = clock;
    }

    /** An action another capability's endpoint took (the limits set), in that action's transaction. */
    void on(@Observes AdminAction action) {
        append(action.action(), action.target(), action.detail());
    }

    /** Appends the caller's action, in the caller's transaction (or its own). */
    @Transactional
    public void append(String action, String target, Object detail) {
        try {
            jdbc.update(
                    "insert into audit_entry (id, at, actor, action, target, detail) values (?, ?, ?, ?, ?, cast(? as jsonb))",
                    Jdbc.newId(),
                    clock.instant(),
                    actor.id(),
                    action,
                    target,
                    json.writeValueAsString(detail));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Entries from {@code from} (inclusive) to {@code to} (exclusive), oldest first, after the
     * entry {@code after}; {@code limit + 1} are read to know whether more follow.
     */
    @Transactional
    public List<AuditEntry> list(Instant from, Instant to, UUID after, int limit) {
        return jdbc.list(
                """
                select id, at, actor, action, target, cast(detail as text) from audit_entry
                where at >= ? and at < ? and (cast(? as uuid) is null or id > ?)
                order by id limit ?""",
                row -> new AuditEntry(
                        row.getObject(1, UUID.class),
                        Jdbc.instant(row, 2).toString(),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        detail(row.getString(6))),
                from,
                to,
                after,
                after,
                limit + 1);
    }

    private Map<String, Object> detail(String detail) {
        try {
            return json.readValue(detail, DETAIL);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An audit entry's detail could not be read", e);
        }
    }
}
