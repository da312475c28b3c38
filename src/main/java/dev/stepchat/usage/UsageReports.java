package dev.stepchat.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.stepchat.problem.ProblemException;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.usage.api.UsageView;

/**
 * GET /usage: the caller's usage from the ledger (deleted conversations included) over a half-open
 * time range, grouped by UTC day, model or conversation. One aggregate over an index-only scan of
 * {@code usage_record (owner, created_at) include (...)}.
 */
@ApplicationScoped
public class UsageReports {

    private static final String SUMS = """
            sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(cached_tokens), count(*),
            coalesce(sum(cost), 0), count(cost)""";

    private final EntityManager db;
    private final CurrentOwner owner;
    private final Clock clock;
    private final Prices prices;
    private final SpendingLimits limits;

    UsageReports(EntityManager db, CurrentOwner owner, Clock clock, Prices prices, SpendingLimits limits) {
        this.db = db;
        this.owner = owner;
        this.clock = clock;
        this.prices = prices;
        this.limits = limits;
    }

    @Transactional
    public UsageView report(String fromParam, String toParam, String groupBy) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Instant from = fromParam == null
                ? today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                : instant("from", fromParam);
        Instant to = toParam == null
                ? today.withDayOfMonth(1)
                        .plusMonths(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                : instant("to", toParam);
        if (!from.isBefore(to)) {
            throw ProblemException.invalid("to", "must be after from");
        }
        String key = switch (groupBy == null ? "day" : groupBy) {
            case "day" -> "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')";
            case "model" -> "model";
            case "conversation" -> "cast(conversation_id as text)";
            default -> throw ProblemException.invalid("group_by", "must be day, model or conversation");
        };
        String caller = owner.id();
        Object[] total = (Object[])
                range("select " + SUMS + " from usage_record", caller, from, to).getSingleResult();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = range(
                        "select " + key + ", " + SUMS + " from usage_record",
                        caller,
                        from,
                        to,
                        " group by 1 order by 1")
                .getResultList();
        List<UsageView.Group> groups = rows.stream()
                .map(r -> new UsageView.Group(
                        (String) r[0],
                        n(r[1]),
                        n(r[2]),
                        n(r[3]),
                        n(r[4]),
                        n(r[5]),
                        Money.format((BigDecimal) r[6]),
                        n(r[7]) == n(r[5])))
                .toList();
        UsageTotals totals = new UsageTotals(
                n(total[0]),
                n(total[1]),
                n(total[2]),
                n(total[3]),
                n(total[4]),
                Money.format(total[5] == null ? BigDecimal.ZERO : (BigDecimal) total[5]),
                n(total[6]) == n(total[4]));
        return new UsageView(
                "usage_report", from.toString(), to.toString(), prices.currency(), totals, groups, limits.uses(caller));
    }

    private jakarta.persistence.Query range(String select, String caller, Instant from, Instant to, String... tail) {
        return db.createNativeQuery(select + " where owner = :owner and created_at >= :from and created_at < :to"
                        + String.join("", tail))
                .setParameter("owner", caller)
                .setParameter("from", from)
                .setParameter("to", to);
    }

    /** An RFC 3339 time, or a date (its UTC midnight). */
    private static Instant instant(String field, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(
                    field, "must be an RFC 3339 time (2026-11-01T00:00:00Z) or a date (2026-11-01)");
        }
    }

    private static long n(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
