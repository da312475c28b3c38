package dev.stepchat.usage;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.stepchat.db.Jdbc;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.TimeParam;
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

    /** The group of drop-in calls' usage when grouped by conversation. */
    public static final String DROP_IN_GROUP = "chat.completions";

    private final Jdbc jdbc;
    private final CurrentOwner owner;
    private final Clock clock;
    private final Prices prices;
    private final SpendingLimits limits;

    UsageReports(Jdbc jdbc, CurrentOwner owner, Clock clock, Prices prices, SpendingLimits limits) {
        this.jdbc = jdbc;
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
                : TimeParam.parse("from", fromParam);
        Instant to = toParam == null
                ? today.withDayOfMonth(1)
                        .plusMonths(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                : TimeParam.parse("to", toParam);
        if (!from.isBefore(to)) {
            throw ProblemException.invalid("to", "must be after from");
        }
        String key = switch (groupBy == null ? "day" : groupBy) {
            case "day" -> "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')";
            case "model" -> "model";
            // drop-in calls (POST /v1/chat/completions) have no conversation: one group of their own
            case "conversation" -> "coalesce(cast(conversation_id as text), '" + DROP_IN_GROUP + "')";
            default -> throw ProblemException.invalid("group_by", "must be day, model or conversation");
        };
        String caller = owner.id();
        String range = " from usage_record where owner = ? and created_at >= ? and created_at < ?";
        UsageTotals totals = jdbc.first("select " + SUMS + range, row -> totals(row, 0), caller, from, to)
                .orElseThrow();
        List<UsageView.Group> groups = jdbc.list(
                "select " + key + ", " + SUMS + range + " group by 1 order by 1",
                row -> UsageView.Group.of(row.getString(1), totals(row, 1)),
                caller,
                from,
                to);
        return new UsageView(
                "usage_report", from.toString(), to.toString(), prices.currency(), totals, groups, limits.uses(caller));
    }

    /** The sums of {@link #SUMS}, read from column {@code offset + 1} on. */
    private static UsageTotals totals(ResultSet row, int offset) throws SQLException {
        long turns = row.getLong(offset + 5);
        BigDecimal cost = row.getBigDecimal(offset + 6);
        return new UsageTotals(
                row.getLong(offset + 1),
                row.getLong(offset + 2),
                row.getLong(offset + 3),
                row.getLong(offset + 4),
                turns,
                Money.format(cost == null ? BigDecimal.ZERO : cost),
                row.getLong(offset + 7) == turns);
    }
}
