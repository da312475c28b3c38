package dev.stepchat.conversation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    public Paging.Slice<Message> page(UUID conversationId, PageRequest page) {
        return Paging.fetch(this, "conversationId = :conversation", Map.of("conversation", conversationId), page);
    }

    /**
     * The path from the root down to {@code leaf}, oldest first (ids grow along a path: a message
     * is created after the one it follows). One primary-key lookup per step.
     */
    @SuppressWarnings("unchecked")
    public List<Message> path(UUID conversationId, UUID leaf) {
        if (leaf == null) {
            return List.of();
        }
        return getEntityManager().createNativeQuery("""
                        with recursive path (id, parent_id) as (
                            select id, parent_id from message where id = :leaf and conversation_id = :conversation
                            union all
                            select m.id, m.parent_id from message m join path p on m.id = p.parent_id)
                        select m.* from message m where m.id in (select id from path) order by m.id""", Message.class)
                .setParameter("leaf", leaf)
                .setParameter("conversation", conversationId)
                .getResultList();
    }

    /**
     * The most recently created last message (a message nothing follows) of the subtree under
     * {@code root}, {@code root} itself included; with a null root, of the whole conversation.
     */
    public UUID latestLeaf(UUID conversationId, UUID root) {
        String subtree = root == null
                ? "select id from message where conversation_id = :conversation"
                : """
                with recursive subtree (id) as (
                    select id from message where id = :root and conversation_id = :conversation
                    union all
                    select m.id from message m join subtree s on m.parent_id = s.id)
                select id from subtree""";
        var query = getEntityManager().createNativeQuery("select s.id from (" + subtree + ") s"
                        + " where not exists (select 1 from message c where c.parent_id = s.id) order by s.id desc limit 1")
                .setParameter("conversation", conversationId);
        if (root != null) {
            query.setParameter("root", root);
        }
        List<?> rows = query.getResultList();
        return rows.isEmpty() ? null : (UUID) rows.getFirst();
    }

    /** The ids of {@code root} and every message below it. */
    @SuppressWarnings("unchecked")
    public List<UUID> subtree(UUID conversationId, UUID root) {
        return getEntityManager().createNativeQuery("""
                        with recursive subtree (id) as (
                            select id from message where id = :root and conversation_id = :conversation
                            union all
                            select m.id from message m join subtree s on m.parent_id = s.id)
                        select id from subtree""")
                .setParameter("root", root)
                .setParameter("conversation", conversationId)
                .getResultList();
    }

    /** A message of this conversation, or null. */
    public Message inConversation(UUID conversationId, UUID id) {
        return find("id = ?1 and conversationId = ?2", id, conversationId).firstResult();
    }

    /** Sets a message's status without loading it; false if the message is gone. */
    public boolean setStatus(UUID id, Message.Status status) {
        return update("status = ?1 where id = ?2", status, id) == 1;
    }

    /** Marks user messages still in progress since before {@code cutoff} as failed with {@code problem}. */
    public int failInProgressBefore(java.time.Instant cutoff, StoredError problem) {
        return update("status = ?1, error = ?2 where status = ?3 and role = ?4 and createdAt < ?5",
                Message.Status.FAILED, problem, Message.Status.IN_PROGRESS, Message.Role.USER, cutoff);
    }
}
