package dev.stepchat.turn;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stepchat.conversation.RunningTurns;
import dev.stepchat.db.Jdbc;
import dev.stepchat.usage.Money;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageTotals;

/**
 * A turn's hold on its conversation's row: the turn lease (one turn at a time, across replicas,
 * on the database's clock), the counters a turn moves and the usage totals it adds. Plain SQL on
 * the caller's transaction ({@link Jdbc}): this is the hot path of every turn.
 */
@ApplicationScoped
public class TurnLeases implements RunningTurns {

    /** A lease's holder has it and it has not expired. */
    private static final String LIVE = "turn_lease_until > now()";

    private final Jdbc jdbc;
    private final AnswerRows answers;
    private final ObjectMapper json;

    TurnLeases(Jdbc jdbc, AnswerRows answers, ObjectMapper json) {
        this.jdbc = jdbc;
        this.answers = answers;
        this.json = json;
    }

    /**
     * What a turn needs of its conversation; {@code leaseExpired}: a turn's lease is still there
     * but has expired (its replica died), so that turn must be closed before this one goes on.
     */
    public record ForTurn(
            UUID id,
            String model,
            String systemPrompt,
            Integer contextLimit,
            Long maxTotalTokens,
            long totalTokens,
            UUID currentMessageId,
            boolean leaseExpired,
            JsonNode tools) {}

    /**
     * What a turn reads of the conversation, in one plain statement (no entity: nothing to load
     * from JSON, nothing to dirty-check at commit); empty if it is not the owner's.
     */
    public Optional<ForTurn> forTurn(UUID id, String owner) {
        return jdbc.first(
                """
                select model, system_prompt, context_limit, max_total_tokens, total_tokens, current_message_id,
                       turn_lease_holder is not null and turn_lease_until < now(), tools::text
                from conversation where id = ? and owner = ?""",
                row -> new ForTurn(
                        id,
                        row.getString(1),
                        row.getString(2),
                        (Integer) row.getObject(3),
                        (Long) row.getObject(4),
                        row.getLong(5),
                        row.getObject(6, UUID.class),
                        row.getBoolean(7),
                        tools(row.getString(8))),
                id,
                owner);
    }

    private JsonNode tools(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable tools of a conversation", e);
        }
    }

    /**
     * Starts a turn in one conditional UPDATE on the database clock, so that it holds across
     * replicas: takes the conversation's turn lease for {@code holder} unless a live lease exists,
     * and, for a new user message ({@code newMessage}, the last of {@code newMessages} stored: a
     * chain of tool results), counts them and makes it the current message.
     *
     * @return false if another turn holds a lease that has not expired
     */
    public boolean start(UUID id, UUID holder, Duration lease, UUID newMessage, int newMessages) {
        String set =
                "update conversation set turn_lease_holder = ?, turn_lease_until = now() + make_interval(secs => ?),"
                        + " updated_at = now(), version = version + 1";
        String where = " where id = ? and (turn_lease_until is null or turn_lease_until < now())";
        double seconds = lease.toSeconds();
        return (newMessage == null
                        ? jdbc.update(set + where, holder, seconds, id)
                        : jdbc.update(
                                set + ", message_count = message_count + ?, current_message_id = ?" + where,
                                holder,
                                seconds,
                                newMessages,
                                newMessage,
                                id))
                == 1;
    }

    /**
     * What every end of an answered turn does to the conversation, in the same UPDATE: adds the
     * usage to the totals atomically in SQL ({@code x = x + ?}, never read-modify-write, so
     * concurrent turns lose no update), counts the turn, and gives the lease back if the turn's
     * holder still has it. Its parameters: {@link #addedUsage}.
     */
    private static final String ADD_USAGE_AND_RELEASE = """
            update conversation set
                prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
                total_tokens = total_tokens + ?, cached_tokens = cached_tokens + ?, turns = turns + 1,
                cost = cost + ?, cost_complete = cost_complete and ?,
                updated_at = now(), version = version + 1,
                turn_lease_until = case when turn_lease_holder = ? then null else turn_lease_until end,
                turn_lease_holder = case when turn_lease_holder = ? then null else turn_lease_holder end""";

    private static List<Object> addedUsage(UUID holder, TokenUsage usage, BigDecimal cost) {
        return new ArrayList<>(List.of(
                usage.promptTokens(),
                usage.completionTokens(),
                usage.totalTokens(),
                usage.cachedTokens(),
                cost == null ? BigDecimal.ZERO : cost,
                cost != null,
                holder,
                holder));
    }

    /**
     * Ends a turn in one UPDATE: adds its usage and gives the lease back
     * ({@link #ADD_USAGE_AND_RELEASE}), counts the reply and makes it the current message (a
     * streamed reply, {@code reply} null, was counted and made current when it started). An
     * untitled conversation takes {@code autoTitle}: titles come from the first turn that was
     * answered, never from one that failed.
     *
     * @return the totals after this turn, or null if the conversation is gone
     */
    public UsageTotals finish(UUID id, UUID holder, TokenUsage usage, BigDecimal cost, String autoTitle, UUID reply) {
        List<Object> parameters = addedUsage(holder, usage, cost);
        parameters.add(autoTitle);
        if (reply != null) {
            parameters.add(reply);
        }
        parameters.add(id);
        return jdbc.first(
                        ADD_USAGE_AND_RELEASE + ", title = coalesce(title, ?)"
                                + (reply == null ? "" : ", message_count = message_count + 1, current_message_id = ?")
                                + " where id = ? returning prompt_tokens, completion_tokens, total_tokens, cached_tokens, turns,"
                                + " cost, cost_complete",
                        row -> new UsageTotals(
                                row.getLong(1),
                                row.getLong(2),
                                row.getLong(3),
                                row.getLong(4),
                                row.getLong(5),
                                Money.format(row.getBigDecimal(6)),
                                row.getBoolean(7)),
                        parameters.toArray())
                .orElse(null);
    }

    /**
     * Adds the usage of a turn whose reply could not be stored (it ends failed) and gives the
     * lease back ({@link #ADD_USAGE_AND_RELEASE}); no message is counted.
     */
    public void finishFailed(UUID id, UUID holder, TokenUsage usage, BigDecimal cost) {
        List<Object> parameters = addedUsage(holder, usage, cost);
        parameters.add(id);
        jdbc.update(ADD_USAGE_AND_RELEASE + " where id = ?", parameters.toArray());
    }

    /**
     * A streamed answer has started: it is counted and becomes the current message, and the turn's
     * lease is renewed.
     */
    public void answerStarted(UUID id, UUID holder, UUID reply, Duration lease) {
        jdbc.update("""
                update conversation set message_count = message_count + 1, current_message_id = ?,
                       turn_lease_until = case when turn_lease_holder = ?
                           then now() + make_interval(secs => ?) else turn_lease_until end,
                       updated_at = now(), version = version + 1
                where id = ?""", reply, holder, (double) lease.toSeconds(), id);
    }

    /**
     * Renews the leases of the turns running on this replica (their holders), in one UPDATE: a
     * replica that dies stops renewing, and its turns are closed once their lease has expired.
     */
    public int renew(List<UUID> holders, Duration lease) {
        return jdbc.update("""
                update conversation set turn_lease_until = now() + make_interval(secs => ?)
                where turn_lease_holder = any(?) and turn_lease_until is not null""", (double) lease.toSeconds(), holders.toArray(new UUID[0]));
    }

    /**
     * Counts the messages stored failed without a turn ({@code count}: a user message, or a chain of
     * tool results) and makes the last of them, {@code message}, current.
     */
    public void addFailedMessages(UUID id, UUID message, int count) {
        jdbc.update("""
                update conversation set message_count = message_count + ?, current_message_id = ?, updated_at = now(),
                       version = version + 1
                where id = ?""", count, message, id);
    }

    /** Gives the lease back, if {@code holder} still has it. */
    public void release(UUID id, UUID holder) {
        jdbc.update(
                "update conversation set turn_lease_until = null, turn_lease_holder = null"
                        + " where id = ? and turn_lease_holder = ?",
                id,
                holder);
    }

    @Override
    public boolean leaseHeldBy(UUID conversationId, List<UUID> messages) {
        return jdbc.first(
                        "select 1 from conversation where id = ? and " + LIVE + " and turn_lease_holder = any(?)",
                        row -> true,
                        conversationId,
                        messages.toArray(new UUID[0]))
                .isPresent();
    }

    @Override
    public void closeAbandoned(UUID conversationId) {
        answers.closeAbandoned(conversationId);
    }
}
