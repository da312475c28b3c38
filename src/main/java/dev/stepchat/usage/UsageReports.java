package dev.stepchat.usage;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 * time range, grouped by UTC day, model or conversation; the totals are the groups' sums. By day,
 * whole days come from the daily totals ({@code owner_usage_day}, written with each ledger row) and
 * the partial days at the range's edges from the ledger; by model or conversation, one aggregate
 * over an index-only scan of {@code usage_record (owner, created_at) include (...)}.
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
        String group = groupBy == null ? "day" : groupBy;
        String key = switch (group) {
            case "day" -> "(created_at at time zone 'UTC')::date";
            case "model" -> "model";
            // drop-in calls (POST /v1/chat/completions) have no conversation: one group of their own
            case "conversation" -> "coalesce(cast(conversation_id as text), '" + DROP_IN_GROUP + "')";
            default -> throw ProblemException.invalid("group_by", "must be day, model or conversation");
        };
        String caller = owner.id();
        List<Sums> groups = "day".equals(group) ? byDay(caller, from, to) : fromLedger(key, caller, from, to);
        Sums all = groups.stream().reduce(Sums.NONE, Sums::plus);
        return new UsageView(
                "usage_report",
                from.toString(),
                to.toString(),
                prices.currency(),
                all.totals(),
                groups.stream()
                        .map(sums -> UsageView.Group.of(sums.key(), sums.totals()))
                        .toList(),
                limits.uses(caller));
    }

    /** The ledger's rows of the range summed by {@code key}, in key order. */
    private List<Sums> fromLedger(String key, String caller, Instant from, Instant to) {
        return jdbc.list(
                "select " + key + ", " + SUMS
                        + " from usage_record where owner = ? and created_at >= ? and created_at < ?"
                        + " group by 1 order by 1",
                row -> Sums.of(row.getObject(1).toString(), row, 1),
                caller,
                from,
                to);
    }

    /**
     * By UTC day: the days the range covers whole from the daily totals (at most 366 rows a year,
     * however many turns), the partial days at its edges from the ledger.
     */
    private List<Sums> byDay(String caller, Instant from, Instant to) {
        String day = "(created_at at time zone 'UTC')::date";
        LocalDate firstWhole = LocalDate.ofInstant(from, ZoneOffset.UTC);
        if (firstWhole.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(from)) {
            firstWhole = firstWhole.plusDays(1);
        }
        LocalDate endWhole = LocalDate.ofInstant(to, ZoneOffset.UTC);
        if (!firstWhole.isBefore(endWhole)) {
            return fromLedger(day, caller, from, to);
        }
        Instant wholeFrom = firstWhole.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant wholeTo = endWhole.atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Sums> days = new ArrayList<>(fromLedger(day, caller, from, wholeFrom));
        days.addAll(jdbc.list(
                """
                        select day, prompt_tokens, completion_tokens, total_tokens, cached_tokens, turns, cost,
                               priced_turns
                        from owner_usage_day where owner = ? and day >= ? and day < ? and turns > 0 order by day""",
                row -> Sums.of(row.getObject(1, LocalDate.class).toString(), row, 1),
                caller,
                firstWhole,
                endWhole));
        days.addAll(fromLedger(day, caller, wholeTo, to));
        return days;
    }

    /** A group's sums, in the column order of {@link #SUMS}. */
    private record Sums(
            String key,
            long prompt,
            long completion,
            long total,
            long cached,
            long turns,
            BigDecimal cost,
            long priced) {

        static final Sums NONE = new Sums(null, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0);

        static Sums of(String key, ResultSet row, int offset) throws SQLException {
            BigDecimal cost = row.getBigDecimal(offset + 6);
            return new Sums(
                    key,
                    row.getLong(offset + 1),
                    row.getLong(offset + 2),
                    row.getLong(offset + 3),
                    row.getLong(offset + 4),
                    row.getLong(offset + 5),
                    cost == null ? BigDecimal.ZERO : cost,
                    row.getLong(offset + 7));
        }

        Sums plus(Sums other) {
            return new Sums(
                    null,
                    prompt + other.prompt,
                    completion + other.completion,
                    total + other.total,
                    cached + other.cached,
                    turns + other.turns,
                    cost.add(other.cost),
                    priced + other.priced);
        }

        UsageTotals totals() {
            return new UsageTotals(prompt, completion, total, cached, turns, Money.format(cost), priced == turns);
        }
    }
}
