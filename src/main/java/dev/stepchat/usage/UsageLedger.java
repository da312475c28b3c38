package dev.stepchat.usage;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

import dev.stepchat.db.Jdbc;

/** The append-only record of what every answered upstream call cost. */
@ApplicationScoped
public class UsageLedger implements PanacheRepositoryBase<UsageRecord, UUID> {

    /**
     * How a row of daily totals is added to the owner's day when the day has a row already (every
     * column a sum: {@code x = x + excluded.x}, never read and written back).
     */
    public static final String ADD_TO_DAY = """
            on conflict (owner, day) do update set
            prompt_tokens = owner_usage_day.prompt_tokens + excluded.prompt_tokens,
            completion_tokens = owner_usage_day.completion_tokens + excluded.completion_tokens,
            total_tokens = owner_usage_day.total_tokens + excluded.total_tokens,
            cached_tokens = owner_usage_day.cached_tokens + excluded.cached_tokens,
            cost = owner_usage_day.cost + excluded.cost,
            turns = owner_usage_day.turns + excluded.turns,
            priced_turns = owner_usage_day.priced_turns + excluded.priced_turns""";

    private final java.time.Clock clock;
    private final Jdbc jdbc;

    UsageLedger(java.time.Clock clock, Jdbc jdbc) {
        this.clock = clock;
        this.jdbc = jdbc;
    }

    /**
     * Appends one row, and adds it to the owner's day (for spending limits), in one statement of
     * the transaction that adds the same usage to the totals.
     */
    public void record(
            UUID conversationId,
            UUID messageId,
            String owner,
            String model,
            TokenUsage usage,
            java.math.BigDecimal cost,
            String upstreamId) {
        record(Jdbc.newId(), conversationId, messageId, owner, model, usage, cost, upstreamId);
    }

    /**
     * The same with the row's id given: a drop-in call's row has its call's id (and no
     * conversation), so that a write whose commit went unacknowledged is found, not made twice.
     */
    public void record(
            UUID id,
            UUID conversationId,
            UUID messageId,
            String owner,
            String model,
            TokenUsage usage,
            java.math.BigDecimal cost,
            String upstreamId) {
        java.time.Instant now = clock.instant();
        jdbc.update(
                """
                        with appended as (
                            insert into usage_record (id, conversation_id, message_id, owner, model, prompt_tokens,
                                                      completion_tokens, total_tokens, cached_tokens, cost, upstream_id, created_at)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))
                        insert into owner_usage_day (owner, day, prompt_tokens, completion_tokens, total_tokens,
                                                     cached_tokens, cost, turns, priced_turns)
                        values (?, ?, ?, ?, ?, ?, ?, 1, ?)
                        """ + ADD_TO_DAY,
                id,
                conversationId,
                messageId,
                owner,
                model,
                Math.toIntExact(usage.promptTokens()),
                Math.toIntExact(usage.completionTokens()),
                Math.toIntExact(usage.totalTokens()),
                Math.toIntExact(usage.cachedTokens()),
                cost,
                upstreamId,
                now,
                owner,
                java.time.LocalDate.ofInstant(now, java.time.ZoneOffset.UTC),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.totalTokens(),
                usage.cachedTokens(),
                cost == null ? java.math.BigDecimal.ZERO : cost,
                cost == null ? 0 : 1);
    }

    /** Whether the row {@code id} was written. */
    public boolean recorded(UUID id) {
        return jdbc.first("select 1 from usage_record where id = ?", row -> true, id)
                .isPresent();
    }

    /** Sums by model, in order of first use. */
    public List<UsageReport.ModelUsage> byModel(UUID conversationId) {
        List<Object[]> rows = getEntityManager()
                .createQuery("""
                        select r.model, sum(r.promptTokens), sum(r.completionTokens), sum(r.totalTokens),
                               sum(r.cachedTokens), count(r), coalesce(sum(r.cost), 0), count(r.cost)
                        from UsageRecord r where r.conversationId = :conversation
                        group by r.model order by min(r.createdAt)""", Object[].class)
                .setParameter("conversation", conversationId)
                .getResultList();
        return rows.stream()
                .map(row -> new UsageReport.ModelUsage(
                        (String) row[0],
                        number(row[1]),
                        number(row[2]),
                        number(row[3]),
                        number(row[4]),
                        number(row[5]),
                        Money.format((java.math.BigDecimal) row[6]),
                        number(row[7]) == number(row[5])))
                .toList();
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
