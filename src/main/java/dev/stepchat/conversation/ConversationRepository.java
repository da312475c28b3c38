package dev.stepchat.conversation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageTotals;

@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

    private final Jdbc jdbc;

    ConversationRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The conversation if it exists and belongs to the owner; anyone else's is as good as absent. */
    public Optional<Conversation> findOwned(UUID id, String owner) {
        // a primary-key load (no query to translate), then the owner compared here
        return findByIdOptional(id).filter(conversation -> owner.equals(conversation.owner));
    }

    /**
     * What a turn needs of its conversation; {@code leaseExpired}: a turn's lease is still there
     * but has expired (its replica died), so that turn must be closed before this one goes on.
     */
    public record ForTurn(UUID id, String model, String systemPrompt, Integer contextLimit, Long maxTotalTokens,
                          long totalTokens, UUID currentMessageId, boolean leaseExpired) {
    }

    /**
     * What a turn reads of the conversation, in one plain statement (no entity: nothing to load
     * from JSON, nothing to dirty-check at commit); empty if it is not the owner's.
     */
    public Optional<ForTurn> forTurn(UUID id, String owner) {
        return jdbc.first("""
                select model, system_prompt, context_limit, max_total_tokens, total_tokens, current_message_id,
                       turn_lease_holder is not null and turn_lease_until < now()
                from conversation where id = ? and owner = ?""",
                row -> new ForTurn(id, row.getString(1), row.getString(2), (Integer) row.getObject(3),
                        (Long) row.getObject(4), row.getLong(5), row.getObject(6, UUID.class), row.getBoolean(7)),
                id, owner);
    }

    public Paging.Slice<Conversation> page(String owner, PageRequest page) {
        return page(owner, page, null, false, "false");
    }

    /**
     * A page of the owner's conversations: archived ones only with {@code archived} "true" (or
     * "any"), only pinned ones with {@code pinned}, and with {@code words} only those whose title, or
     * one of whose messages, contains every word (case-insensitive substrings: a trigram index
     * answers them, in any language), ranked: title hits first.
     */
    public Paging.Slice<Conversation> page(String owner, PageRequest page, List<String> words, boolean pinned,
                                           String archived) {
        StringBuilder where = new StringBuilder("owner = :owner");
        Map<String, Object> params = new java.util.HashMap<>(Map.of("owner", owner));
        if (!"any".equals(archived)) {
            where.append(" and archived = ").append("true".equals(archived));
        }
        if (pinned) {
            where.append(" and pinned = true");
        }
        if (words != null && !words.isEmpty()) {
            StringBuilder inTitle = new StringBuilder();
            StringBuilder inMessage = new StringBuilder();
            for (int i = 0; i < words.size(); i++) {
                params.put("w" + i, Search.pattern(words.get(i)));
                inTitle.append(i == 0 ? "" : " and ").append("c.title ilike :w").append(i).append(" escape '\\'");
                inMessage.append(i == 0 ? "" : " and ").append("m.content ilike :w").append(i).append(" escape '\\'");
            }
            String titleHit = inTitle.toString().replace("c.title", "title");
            // the subquery is the caller's too: it joins the owner's conversations, so that a search
            // reads the caller's messages only, whatever the words (short ones have no trigram index)
            where.append(" and (").append(titleHit)
                    .append(" or id in (select m.conversationId from Message m, Conversation mine")
                    .append(" where mine.id = m.conversationId and mine.owner = :owner and ").append(inMessage).append("))");
            // ranked: title hits first, then the rest; newest first within each
            return Paging.fetchRanked(this, "Conversation", where.toString(), params,
                    "case when " + titleHit + " then 1 else 0 end", page);
        }
        return Paging.fetch(this, where.toString(), params, page);
    }

    /** Deletes the conversation; its messages go with it (foreign key cascade), the usage ledger stays. */
    public boolean deleteOwned(UUID id, String owner) {
        return delete("id = ?1 and owner = ?2", id, owner) > 0;
    }

    /**
     * Starts a turn in one conditional UPDATE on the database clock, so that it holds across
     * replicas: takes the conversation's turn lease for {@code holder} unless a live lease exists,
     * and, for a new user message ({@code newMessage}), counts it and makes it the current message.
     *
     * @return false if another turn holds a lease that has not expired
     */
    public boolean startTurn(UUID id, UUID holder, Duration lease, UUID newMessage) {
        String set = "update conversation set turn_lease_holder = ?, turn_lease_until = now() + make_interval(secs => ?),"
                + " updated_at = now(), version = version + 1";
        String where = " where id = ? and (turn_lease_until is null or turn_lease_until < now())";
        double seconds = lease.toSeconds();
        return (newMessage == null
                ? jdbc.update(set + where, holder, seconds, id)
                : jdbc.update(set + ", message_count = message_count + 1, current_message_id = ?" + where,
                holder, seconds, newMessage, id)) == 1;
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

    private static List<Object> addedUsage(UUID holder, TokenUsage usage, java.math.BigDecimal cost) {
        return new java.util.ArrayList<>(List.of(usage.promptTokens(), usage.completionTokens(), usage.totalTokens(),
                usage.cachedTokens(), cost == null ? java.math.BigDecimal.ZERO : cost, cost != null, holder, holder));
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
    public UsageTotals finishTurn(UUID id, UUID holder, TokenUsage usage, java.math.BigDecimal cost, String autoTitle,
                                  UUID reply) {
        List<Object> parameters = addedUsage(holder, usage, cost);
        parameters.add(autoTitle);
        if (reply != null) {
            parameters.add(reply);
        }
        parameters.add(id);
        return jdbc.first(ADD_USAGE_AND_RELEASE + ", title = coalesce(title, ?)"
                        + (reply == null ? "" : ", message_count = message_count + 1, current_message_id = ?")
                        + " where id = ? returning prompt_tokens, completion_tokens, total_tokens, cached_tokens, turns,"
                        + " cost, cost_complete",
                row -> new UsageTotals(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5),
                        dev.stepchat.usage.Money.format(row.getBigDecimal(6)), row.getBoolean(7)),
                parameters.toArray()).orElse(null);
    }

    /**
     * Adds the usage of a turn whose reply could not be stored (it ends failed) and gives the
     * lease back ({@link #ADD_USAGE_AND_RELEASE}); no message is counted.
     */
    public void addUsageOfFailedTurn(UUID id, UUID holder, TokenUsage usage, java.math.BigDecimal cost) {
        List<Object> parameters = addedUsage(holder, usage, cost);
        parameters.add(id);
        jdbc.update(ADD_USAGE_AND_RELEASE + " where id = ?", parameters.toArray());
    }

    /** Whether a live turn lease of the conversation is held by one of {@code messages}. */
    public boolean leaseHeldBy(UUID id, List<UUID> messages) {
        return ((Number) getEntityManager().createNativeQuery("""
                        select count(*) from conversation where id = :id and turn_lease_until > now()
                        and turn_lease_holder = any(:holders)""")
                .setParameter("id", id)
                .setParameter("holders", messages.toArray(new UUID[0]))
                .getSingleResult()).longValue() > 0;
    }

    /**
     * A streamed answer has started: it is counted and becomes the current message, and the turn's
     * lease is renewed.
     */
    public void answerStarted(UUID id, UUID holder, UUID reply, Duration lease) {
        getEntityManager().createNativeQuery("""
                        update conversation set message_count = message_count + 1, current_message_id = :reply,
                               turn_lease_until = case when turn_lease_holder = :holder
                                   then now() + make_interval(secs => :seconds) else turn_lease_until end,
                               updated_at = now(), version = version + 1
                        where id = :id""")
                .setParameter("reply", reply)
                .setParameter("holder", holder)
                .setParameter("seconds", (double) lease.toSeconds())
                .setParameter("id", id)
                .executeUpdate();
    }

    /**
     * Renews the leases of the turns running on this replica (their holders), in one UPDATE: a
     * replica that dies stops renewing, and its turns are closed once their lease has expired.
     */
    public int renewLeases(List<UUID> holders, Duration lease) {
        return getEntityManager().createNativeQuery("""
                        update conversation set turn_lease_until = now() + make_interval(secs => :seconds)
                        where turn_lease_holder = any(:holders) and turn_lease_until is not null""")
                .setParameter("seconds", (double) lease.toSeconds())
                .setParameter("holders", holders.toArray(new UUID[0]))
                .executeUpdate();
    }

    /** Counts a user message stored failed without a turn (it could not be sent) and makes it current. */
    public void addFailedMessage(UUID id, UUID message) {
        update("messageCount = messageCount + 1, currentMessageId = ?1, updatedAt = ?2, version = version + 1 where id = ?3",
                message, java.time.Instant.now(), id);
    }

    /** Gives the lease back, if {@code holder} still has it. */
    public void releaseTurnLease(UUID id, UUID holder) {
        update("turnLeaseUntil = null, turnLeaseHolder = null where id = ?1 and turnLeaseHolder = ?2", id, holder);
    }
}
