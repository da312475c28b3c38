package dev.stepchat.conversation;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

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
            StringBuilder inTitle = new StringBuilder();
            StringBuilder inMessage = new StringBuilder();
            for (int i = 0; i < words.size(); i++) {
                params.put("w" + i, Search.pattern(words.get(i)));
                inTitle.append(i == 0 ? "" : " and ")
                        .append("c.title ilike :w")
                        .append(i)
                        .append(" escape '\\'");
                inMessage
                        .append(i == 0 ? "" : " and ")
                        .append("m.content ilike :w")
                        .append(i)
                        .append(" escape '\\'");
            }
            String titleHit = inTitle.toString().replace("c.title", "title");
            // the subquery is the caller's too: it joins the owner's conversations, so that a search
            // reads the caller's messages only, whatever the words (short ones have no trigram index)
            where.append(" and (")
                    .append(titleHit)
                    .append(" or id in (select m.conversationId from Message m, Conversation mine")
                    .append(" where mine.id = m.conversationId and mine.owner = :owner and ")
                    .append(inMessage)
                    .append("))");
            // ranked: title hits first, then the rest; newest first within each
            return Paging.fetchRanked(
                    this,
                    "Conversation",
                    where.toString(),
                    params,
                    "case when " + titleHit + " then 1 else 0 end",
                    page);
        }
        return Paging.fetch(this, where.toString(), params, page);
    }

    /** Deletes the conversation; its messages go with it (foreign key cascade), the usage ledger stays. */
    public boolean deleteOwned(UUID id, String owner) {
        return delete("id = ?1 and owner = ?2", id, owner) > 0;
    }
}
