package dev.stepchat.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.observability.TurnMetrics;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.usage.api.UsageView;

/**
 * Spending limits per owner, per UTC day and calendar month, in tokens and in cost: the configured
 * defaults ({@code stepchat.spending.*}), overridden per owner ({@code owner_limit}). A turn is
 * checked in its first transaction, before any upstream call, against what the owner's finished
 * turns used ({@code owner_usage_day}, written with each ledger row): a turn that finds a limit
 * reached is a 429 {@code spending-limit-reached} with Retry-After until the window resets.
 * A running turn reserves its worst case until it ends ({@link #reserve}), so parallel turns
 * cannot overshoot a limit; a turn that uses more than its prompt estimate says still counts.
 */
@ApplicationScoped
public class SpendingLimits {

    public enum Window {
        DAY,
        MONTH
    }

    public enum Unit {
        TOKENS,
        COST
    }

    /** A limit in force: a number of tokens or an amount; null for none. */
    public record Limit(Window window, Unit unit, BigDecimal max) {}

    private final ChatConfig config;
    private final Clock clock;
    private final TurnMetrics metrics;
    private final Jdbc jdbc;

    private final Prices prices;

    SpendingLimits(ChatConfig config, Clock clock, TurnMetrics metrics, Jdbc jdbc, Prices prices) {
        this.prices = prices;
        this.jdbc = jdbc;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The owner's limits in force, in a fixed order (day tokens, day cost, month tokens, month cost). */
    public List<Limit> inForce(String owner) {
        // read for every turn, in plain SQL and never cached (a change through any replica applies at
        // once); an override may be null (no limit), so presence is what counts
        Map<String, BigDecimal> overrides = new HashMap<>();
        record Override(String key, BigDecimal max) {}
        for (Override o : jdbc.list(
                "select time_window, unit, max_value from owner_limit where owner = ?",
                row -> new Override(row.getString(1) + "/" + row.getString(2), row.getBigDecimal(3)),
                owner)) {
            overrides.put(o.key(), o.max());
        }
        List<Limit> limits = new ArrayList<>();
        for (Window window : Window.values()) {
            for (Unit unit : Unit.values()) {
                String key = name(window) + "/" + name(unit);
                BigDecimal max = overrides.containsKey(key) ? overrides.get(key) : configured(window, unit);
                limits.add(new Limit(window, unit, max));
            }
        }
        return limits;
    }

    private BigDecimal configured(Window window, Unit unit) {
        ChatConfig.Spending s = config.spending();
        return switch (window) {
            case DAY ->
                unit == Unit.TOKENS
                        ? (s.dayTokens().isPresent()
                                ? BigDecimal.valueOf(s.dayTokens().getAsLong())
                                : null)
                        : s.dayCost().orElse(null);
            case MONTH ->
                unit == Unit.TOKENS
                        ? (s.monthTokens().isPresent()
                                ? BigDecimal.valueOf(s.monthTokens().getAsLong())
                                : null)
                        : s.monthCost().orElse(null);
        };
    }

    /** Sets the owner's overrides (a null max lifts that limit); call inside a transaction. */
    @Transactional
    public void override(String owner, List<Limit> limits) {
        for (Limit limit : limits) {
            jdbc.update(
                    """
                    insert into owner_limit (owner, time_window, unit, max_value)
                    values (?, ?, ?, cast(cast(? as text) as numeric))
                    on conflict (owner, time_window, unit) do update set max_value = excluded.max_value""",
                    owner,
                    name(limit.window()),
                    name(limit.unit()),
                    limit.max() == null ? null : limit.max().toPlainString());
        }
    }

    /** How soon a turn refused for what running turns reserved may come again: they end soon. */
    private static final Duration RESERVED_RETRY = Duration.ofSeconds(5);

    /**
     * Reserves a turn's worst case against its owner's limits, or refuses it: a 429
     * {@code spending-limit-reached} when what the owner used, plus what its running turns
     * reserved, plus this turn's worst case would pass a limit (Retry-After: until the window
     * resets when the limit is used up, else a few seconds, when running turns will have ended);
     * a 400 {@code unpriced-model} when a cost limit is in force and the model has no price.
     * Runs in the turn's first transaction, under a lock on the owner, so that turns starting at
     * once on any replicas are counted one after the other: no limit is overshot by parallel
     * turns. The reservation counts while the turn ({@code holder}) holds its lease, or while
     * the drop-in call {@code holder} runs ({@code conversationId} null).
     */
    public void reserve(
            String owner, UUID conversationId, UUID holder, String model, long promptTokens, long replyTokens) {
        List<Limit> limits =
                inForce(owner).stream().filter(l -> l.max() != null).toList();
        if (limits.isEmpty()) {
            return;
        }
        TokenUsage worst = new TokenUsage(promptTokens, replyTokens, promptTokens + replyTokens, 0);
        BigDecimal worstCost =
                prices.of(model).map(price -> Prices.cost(price, worst)).orElse(null);
        if (worstCost == null && limits.stream().anyMatch(l -> l.unit() == Unit.COST)) {
            metrics.refused(ProblemType.UNPRICED_MODEL.slug());
            throw new ProblemException(
                    ProblemType.UNPRICED_MODEL,
                    "The model " + model + " has no price" + " (stepchat.models.catalog.\"" + model
                            + "\".price), and a cost limit is in force: choose a priced model");
        }
        jdbc.lockOwner(owner);
        // reservations first, then the usage: a turn that ends meanwhile is counted twice (safe), never not at all
        jdbc.update("""
                delete from spending_reservation r where owner = ? and not exists (select 1 from conversation c
                    where c.id = r.conversation_id and c.turn_lease_holder = r.holder and c.turn_lease_until > now())
                  and not exists (select 1 from drop_in_call d where d.id = r.holder and d.until > now())""", owner);
        BigDecimal[] reserved = jdbc.first(
                        """
                select coalesce(sum(tokens), 0), coalesce(sum(cost), 0) from spending_reservation where owner = ?""", row -> new BigDecimal[] {row.getBigDecimal(1), row.getBigDecimal(2)}, owner)
                .orElseThrow();
        Instant now = clock.instant();
        Used used = used(owner, now);
        List<Limit> near = new ArrayList<>();
        for (Limit limit : limits) {
            BigDecimal spent = used.of(limit.window(), limit.unit());
            BigDecimal wanted = limit.unit() == Unit.TOKENS
                    ? reserved[0].add(BigDecimal.valueOf(worst.totalTokens()))
                    : reserved[1].add(worstCost);
            if (spent.add(wanted).compareTo(limit.max()) > 0) {
                metrics.refused(ProblemType.SPENDING_LIMIT_REACHED.slug());
                String what = "The " + name(limit.window()) + "ly " + name(limit.unit()) + " limit ("
                        + show(limit.unit(), limit.max()) + ")";
                if (spent.compareTo(limit.max()) >= 0) {
                    Instant resets = resetsAt(limit.window(), now);
                    throw new ProblemException(
                            ProblemType.SPENDING_LIMIT_REACHED,
                            what + " is reached; it resets at " + resets,
                            null,
                            Duration.ofSeconds(
                                    Math.max(1, Duration.between(now, resets).toSeconds())));
                }
                throw new ProblemException(
                        ProblemType.SPENDING_LIMIT_REACHED,
                        what + " has " + show(limit.unit(), limit.max().subtract(spent))
                                + " left, and this turn may use up to "
                                + show(
                                        limit.unit(),
                                        limit.unit() == Unit.TOKENS
                                                ? BigDecimal.valueOf(worst.totalTokens())
                                                : worstCost)
                                + " besides what the owner's running turns may (lower max_tokens, or send again when they end)",
                        null,
                        RESERVED_RETRY);
            }
            if (spent.add(wanted).compareTo(limit.max().multiply(BigDecimal.valueOf(TurnMetrics.NEAR_LIMIT))) >= 0) {
                near.add(limit);
            }
        }
        for (Limit limit : near) {
            metrics.nearLimit(name(limit.window()), name(limit.unit()));
        }
        jdbc.update(
                "insert into spending_reservation (holder, conversation_id, owner, tokens, cost) values (?, ?, ?, ?, ?)",
                holder,
                conversationId,
                owner,
                worst.totalTokens(),
                worstCost);
    }

    /** Deletes the reservations of turns that have ended or whose replica died (the abandoned-turns job). */
    public int forgetEnded() {
        return jdbc.update("""
                delete from spending_reservation r where not exists (select 1 from conversation c
                    where c.id = r.conversation_id and c.turn_lease_holder = r.holder and c.turn_lease_until > now())
                  and not exists (select 1 from drop_in_call d where d.id = r.holder and d.until > now())""");
    }

    /** The owner's limits with what the current windows used, for the usage report. */
    public List<UsageView.LimitUse> uses(String owner) {
        Instant now = clock.instant();
        Used used = used(owner, now);
        List<UsageView.LimitUse> uses = new ArrayList<>();
        for (Limit limit : inForce(owner)) {
            if (limit.max() == null) {
                continue;
            }
            BigDecimal spent = used.of(limit.window(), limit.unit());
            BigDecimal left = limit.max().subtract(spent).max(BigDecimal.ZERO);
            uses.add(new UsageView.LimitUse(
                    name(limit.window()),
                    name(limit.unit()),
                    value(limit.unit(), limit.max()),
                    value(limit.unit(), spent),
                    value(limit.unit(), left),
                    resetsAt(limit.window(), now).toString()));
        }
        return uses;
    }

    private record Used(BigDecimal dayTokens, BigDecimal dayCost, BigDecimal monthTokens, BigDecimal monthCost) {
        BigDecimal of(Window window, Unit unit) {
            return window == Window.DAY
                    ? (unit == Unit.TOKENS ? dayTokens : dayCost)
                    : (unit == Unit.TOKENS ? monthTokens : monthCost);
        }
    }

    /** What the owner used today and this month (UTC): at most 31 rows of owner_usage_day. */
    private Used used(String owner, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return jdbc.first(
                        """
                        select coalesce(sum(total_tokens) filter (where day = ?), 0),
                               coalesce(sum(cost) filter (where day = ?), 0),
                               coalesce(sum(total_tokens), 0), coalesce(sum(cost), 0)
                        from owner_usage_day where owner = ? and day >= ? and day <= ?""",
                        row -> new Used(
                                row.getBigDecimal(1), row.getBigDecimal(2), row.getBigDecimal(3), row.getBigDecimal(4)),
                        today,
                        today,
                        owner,
                        today.withDayOfMonth(1),
                        today)
                .orElseThrow();
    }

    static Instant resetsAt(Window window, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate next = window == Window.DAY
                ? today.plusDays(1)
                : today.withDayOfMonth(1).plusMonths(1);
        return next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public static String name(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Tokens as an integer, cost as a decimal string. */
    public static Object value(Unit unit, BigDecimal amount) {
        return unit == Unit.TOKENS ? (Object) amount.longValue() : Money.format(amount);
    }

    private static String show(Unit unit, BigDecimal amount) {
        return String.valueOf(value(unit, amount));
    }
}
