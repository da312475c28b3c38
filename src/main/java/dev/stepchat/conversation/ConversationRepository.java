package dev.stepchat.conversation;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

import dev.stepchat.db.Jdbc;

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

    public Paging.Slice<Conversation> page(String owner, PageRequest page) {
        return page(owner, page, null, false, "false");
    }

    /**
     * A page of the owner's conversations: archived ones only with {@code archived} "true" (or
     * "any"), only pinned ones with {@code pinned}, and with {@code words} only those whose title, or
     * one of whose messages, contains every word (case-insensitive substrings: a trigram index
     * answers them, in any language), ranked: title hits first.
     */
    public Paging.Slice<Conversation> page(
            String owner, PageRequest page, List<String> words, boolean pinned, String archived) {
        StringBuilder where = new StringBuilder("owner = :owner");
        Map<String, Object> params = new java.util.HashMap<>(Map.of("owner", owner));
        if (!"any".equals(archived)) {
            where.append(" and archived = ").append("true".equals(archived));
        }
        if (pinned) {
            where.append(" and pinned = true");
        }
        if (words != null && !words.isEmpty()) {
            // without a word of 3 characters or more, a word of two Chinese, Japanese or Korean
            // characters is asked of the index of such pairs (V19): a message holds the pair
            // exactly when it holds the word, and PostgreSQL estimates how many do from that
            // index's statistics (with ILIKE as well it would take a common word for a rare one)
            boolean trigrams = Search.hasTrigrams(words);
            boolean pairs = false;
            StringBuilder inTitle = new StringBuilder();
            StringBuilder inMessage = new StringBuilder();
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                params.put("w" + i, Search.pattern(word));
                inTitle.append(i == 0 ? "" : " and ")
                        .append("title ilike :w")
                        .append(i)
                        .append(" escape '\\'");
                inMessage.append(i == 0 ? "" : " and ");
                if (!trigrams && Search.isCjkPair(word)) {
                    pairs = true;
                    inMessage.append(Search.holdsPair("m.content", i));
                } else {
                    inMessage.append("m.content ilike :w").append(i).append(" escape '\\'");
                }
            }
            String titleHit = inTitle.toString();
            // Two segments, each read in id order and only as far as the page: title hits first,
            // then conversations found by their messages alone. Every subquery names the caller
            // (messages carry their conversation's owner), so a search reads the caller's rows only:
            // - a word of 3 characters or more has trigrams: the index on (owner, content) finds a
            //   rare one among the caller's messages; for a common one the planner walks the
            //   caller's conversations and stops at the page;
            // - a word of two Chinese, Japanese or Korean characters has its pairs index (V19), on
            //   (owner, pairs): the same choice, between that index and the walk;
            // - other words all under 3 characters have no index that could narrow them: each
            //   conversation is asked instead, newest first, whether one of its messages has them
            //   (offset 0 keeps that question per conversation, so it stops at the first match and
            //   the walk stops at the page).
            String messageHit = trigrams || pairs
                    ? "id in (select m.conversationId from Message m where m.owner = :owner and " + inMessage + ")"
                    : "exists (select 1 from Message m where m.conversationId = this.id and m.owner = :owner and "
                            + inMessage + " order by m.id offset 0)";
            // the owner as a range of one value, and ahead of id in the order: only the (owner, id)
            // index gives that order, so the planner cannot walk the primary key instead and skip
            // other owners' conversations (it would, for an owner with many, thinking them spread)
            String list = where.toString().replaceFirst("^owner = :owner", "owner between :owner and :owner");
            // planned for these words each time: a plan cached for the statement (PostgreSQL's
            // generic plan, after five runs on a connection) knows neither the words nor the page
            // size, and walks every message the caller has that might match instead of stopping
            Search.planForTheseWords(jdbc);
            return Paging.fetchSegments(
                    this,
                    list,
                    params,
                    List.of(titleHit, "(title is null or not (" + titleHit + ")) and " + messageHit),
                    "owner",
                    page);
        }
        return Paging.fetch(this, where.toString(), params, page);
    }

    /** Deletes the conversation; its messages go with it (foreign key cascade), the usage ledger stays. */
    public boolean deleteOwned(UUID id, String owner) {
        return delete("id = ?1 and owner = ?2", id, owner) > 0;
    }
}
