package dev.stepchat.usage;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** The append-only record of what every answered upstream call cost. */
@ApplicationScoped
public class UsageLedger implements PanacheRepositoryBase<UsageRecord, UUID> {

    private final java.time.Clock clock;

    UsageLedger(java.time.Clock clock) {
        this.clock = clock;
    }

    /** Appends one row; call inside the transaction that adds the same usage to the totals. */
    public void record(UUID conversationId, UUID messageId, String owner, String model, TokenUsage usage,
                       java.math.BigDecimal cost, String upstreamId) {
        UsageRecord row = new UsageRecord();
        row.conversationId = conversationId;
        row.messageId = messageId;
        row.owner = owner;
        row.model = model;
        row.promptTokens = Math.toIntExact(usage.promptTokens());
        row.completionTokens = Math.toIntExact(usage.completionTokens());
        row.totalTokens = Math.toIntExact(usage.totalTokens());
        row.cachedTokens = Math.toIntExact(usage.cachedTokens());
        row.cost = cost;
        row.upstreamId = upstreamId;
        row.createdAt = clock.instant();
        persist(row);
        // the owner's day, for spending limits, in the same transaction
        getEntityManager().createNativeQuery("""
                        insert into owner_usage_day (owner, day, total_tokens, cost) values (:owner, :day, :tokens, :cost)
                        on conflict (owner, day) do update set total_tokens = owner_usage_day.total_tokens + excluded.total_tokens,
                            cost = owner_usage_day.cost + excluded.cost""")
                .setParameter("owner", owner)
                .setParameter("day", java.time.LocalDate.ofInstant(row.createdAt, java.time.ZoneOffset.UTC))
                .setParameter("tokens", usage.totalTokens())
                .setParameter("cost", cost == null ? java.math.BigDecimal.ZERO : cost)
                .executeUpdate();
    }

    /** Sums by model, in order of first use. */
    public List<UsageReport.ModelUsage> byModel(UUID conversationId) {
        List<Object[]> rows = getEntityManager().createQuery("""
                        select r.model, sum(r.promptTokens), sum(r.completionTokens), sum(r.totalTokens),
                               sum(r.cachedTokens), count(r), coalesce(sum(r.cost), 0), count(r.cost)
                        from UsageRecord r where r.conversationId = :conversation
                        group by r.model order by min(r.createdAt)""", Object[].class)
                .setParameter("conversation", conversationId)
                .getResultList();
        return rows.stream().map(row -> new UsageReport.ModelUsage((String) row[0], number(row[1]), number(row[2]),
                number(row[3]), number(row[4]), number(row[5]), Money.format((java.math.BigDecimal) row[6]),
                number(row[7]) == number(row[5]))).toList();
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
