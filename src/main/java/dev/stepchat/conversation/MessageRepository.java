package dev.stepchat.conversation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.logging.Log;

import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemType;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    private final Jdbc jdbc;

    MessageRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts a message in one statement, in the current transaction, with no entity to manage or
     * flush (the hot path of a turn); it needs its id ({@link Jdbc#newId()}). Its JSON columns are
     * written by Hibernate's own JSON format mapper, exactly as for a persisted message. A column
     * added to {@link Message} is added here too (TurnApiTest compares a turn's response with what
     * a later read of the stored message gives).
     */
    public void insert(Message m) {
        String outcome = m.streamOutcome == null ? null : jdbc.json(m.streamOutcome, StreamOutcome.class);
        String error = m.error == null ? null : jdbc.json(m.error, StoredError.class);
        jdbc.update("""
                insert into message (id, conversation_id, parent_id, role, content, reasoning, status, model, finish_reason,
                                     prompt_tokens, completion_tokens, total_tokens, cached_tokens, cost, messages_omitted,
                                     estimated_prompt_tokens, created_at, error, stream_outcome)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb))""",
                m.id, m.conversationId, m.parentId, m.role.name(), m.content, m.reasoning, m.status.name(), m.model,
                m.finishReason, m.promptTokens, m.completionTokens, m.totalTokens, m.cachedTokens, m.cost,
                m.messagesOmitted, m.estimatedPromptTokens, m.createdAt, error, outcome);
    }

    /** Marks a user message completed; false if it is gone (its conversation was deleted). */
    public boolean markCompleted(UUID id) {
        return jdbc.update("update message set status = 'COMPLETED' where id = ?", id) == 1;
    }

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
                // read to be sent, never changed: no snapshots, nothing to dirty-check at commit
                .setHint(org.hibernate.jpa.HibernateHints.HINT_READ_ONLY, true)
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

    /** The newest message of each conversation that contains every word, by conversation. */
    public Map<UUID, Message> newestMatches(List<UUID> conversations, List<String> words) {
        if (conversations.isEmpty() || words.isEmpty()) {
            return Map.of();
        }
        StringBuilder where = new StringBuilder("conversationId in :conversations");
        io.quarkus.panache.common.Parameters params = io.quarkus.panache.common.Parameters.with("conversations", conversations);
        for (int i = 0; i < words.size(); i++) {
            where.append(" and content ilike :w").append(i).append(" escape '\\'");
            params.and("w" + i, Search.pattern(words.get(i)));
        }
        Map<UUID, Message> newest = new java.util.HashMap<>();
        for (Message m : find(where.toString(), io.quarkus.panache.common.Sort.by("id").descending(), params).list()) {
            newest.putIfAbsent(m.conversationId, m);
        }
        return newest;
    }

    /** A message of this conversation, or null. */
    public Message inConversation(UUID conversationId, UUID id) {
        return find("id = ?1 and conversationId = ?2", id, conversationId).firstResult();
    }

    /** Sets a message's status without loading it; false if the message is gone. */
    public boolean setStatus(UUID id, Message.Status status) {
        return update("status = ?1 where id = ?2", status, id) == 1;
    }

    /** What one flush did: the answers it wrote, and those whose stop was asked for. */
    public record Flushed(java.util.Set<UUID> written, java.util.Set<UUID> stopRequested) {
    }

    /**
     * Appends the text streamed since the last flush to answers in progress, in one statement for
     * all of them. An append happens only if the stored text has the length it was written with
     * ({@code contentAt}, {@code reasoningAt}; -1 replaces the text whole), so a flush repeated after
     * a commit whose acknowledgement was lost never writes text twice: that answer is left out of
     * {@link Flushed#written()} and written whole the next time.
     */
    @SuppressWarnings("unchecked")
    public Flushed appendText(List<UUID> ids, List<String> contents, List<String> reasonings, List<Integer> contentAt,
                              List<Integer> reasoningAt) {
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                        update message m set
                            content = case when f.content_at < 0 then f.content else m.content || f.content end,
                            reasoning = case when f.reasoning_at < 0 then f.reasoning
                                             when f.reasoning is null then m.reasoning
                                             else coalesce(m.reasoning, '') || f.reasoning end
                        from unnest(cast(:ids as uuid[]), cast(:contents as text[]), cast(:reasonings as text[]),
                                    cast(:content_at as int[]), cast(:reasoning_at as int[]))
                            as f(id, content, reasoning, content_at, reasoning_at)
                        where m.id = f.id and m.status = 'IN_PROGRESS'
                          and (f.content_at < 0 or char_length(m.content) = f.content_at)
                          and (f.reasoning_at < 0 or coalesce(char_length(m.reasoning), 0) = f.reasoning_at)
                        returning m.id, m.stop_requested_at is not null""")
                .setParameter("ids", ids.toArray(new UUID[0]))
                .setParameter("contents", contents.toArray(new String[0]))
                .setParameter("reasonings", reasonings.toArray(new String[0]))
                .setParameter("content_at", contentAt.toArray(new Integer[0]))
                .setParameter("reasoning_at", reasoningAt.toArray(new Integer[0]))
                .getResultList();
        java.util.Set<UUID> written = new java.util.HashSet<>();
        java.util.Set<UUID> stopped = new java.util.HashSet<>();
        for (Object[] row : rows) {
            written.add((UUID) row[0]);
            if (Boolean.TRUE.equals(row[1])) {
                stopped.add((UUID) row[0]);
            }
        }
        return new Flushed(written, stopped);
    }

    /** Those of {@code ids} whose stop was asked for. */
    @SuppressWarnings("unchecked")
    public java.util.Set<UUID> stopRequested(List<UUID> ids) {
        return new java.util.HashSet<>(getEntityManager().createNativeQuery("""
                        select id from message where id = any(:ids) and stop_requested_at is not null""")
                .setParameter("ids", ids.toArray(new UUID[0]))
                .getResultList());
    }

    /** Asks for the stop of an answer in progress, and tells every replica (at commit). */
    public boolean requestStop(UUID id) {
        boolean running = getEntityManager().createNativeQuery("""
                        update message set stop_requested_at = now() where id = :id and status = 'IN_PROGRESS'""")
                .setParameter("id", id)
                .executeUpdate() == 1;
        if (running) {
            signal("stop:" + id);
        }
        return running;
    }

    /** A notification on the turns channel, sent when the transaction commits. */
    public void signal(String payload) {
        getEntityManager().createNativeQuery("select pg_notify('stepchat_turns', :payload)")
                .setParameter("payload", payload)
                .getSingleResult();
    }

    /** The problem a turn whose replica died ends with, as its messages keep it. */
    public static final StoredError ABANDONED = StoredError.of(Problem.of(ProblemType.TURN_ABANDONED,
            "The instance answering this turn stopped before it finished; send the message again", null));

    /** A message of a turn whose lease no live replica holds: {@code %s} is the lease holder's column. */
    private static final String LEASE_LOST = """
            not exists (select 1 from conversation c where c.id = m.conversation_id
                        and c.turn_lease_holder = %s and c.turn_lease_until > now())""";

    /**
     * Closes the turns whose lease has expired (their replica died, or lost the database for
     * longer than the lease), of one conversation or, with null, of all: answers in progress become
     * incomplete with the text flushed before (their readers are told), their user messages
     * completed; user messages with no answer yet become failed, {@code turn-abandoned}. The
     * abandoned-turns job runs it for all; a turn, a resume or a message list that meets an expired
     * lease runs it for its conversation at once. Each UPDATE changes only rows still in progress,
     * so of two replicas closing the same turn at once, one closes it and the other finds it closed.
     *
     * @return the answers this call closed
     */
    public List<UUID> closeAbandoned(UUID conversationId) {
        String ofConversation = conversationId == null ? "" : " and m.conversation_id = ?";
        Object[] parameters = conversationId == null ? new Object[0] : new Object[] {conversationId};
        String error = jdbc.json(ABANDONED, StoredError.class);
        String outcome = jdbc.json(StreamOutcome.failed(ABANDONED), StreamOutcome.class);
        List<UUID> answers = jdbc.list("""
                update message m set status = 'INCOMPLETE', stream_outcome = cast(? as jsonb), stop_requested_at = null
                where m.status = 'IN_PROGRESS' and m.role = 'ASSISTANT' and\s""" + LEASE_LOST.formatted("m.parent_id")
                        + ofConversation + " returning m.id",
                row -> row.getObject(1, UUID.class), prepend(outcome, parameters));
        String abandonedUser = "m.status = 'IN_PROGRESS' and m.role = 'USER' and " + LEASE_LOST.formatted("m.id")
                + ofConversation;
        int users = jdbc.update("update message m set status = 'COMPLETED' where " + abandonedUser
                + " and exists (select 1 from message a where a.parent_id = m.id and a.role = 'ASSISTANT')", parameters);
        users += jdbc.update("update message m set status = 'FAILED', error = cast(? as jsonb) where " + abandonedUser,
                prepend(error, parameters));
        answers.forEach(id -> signal("end:" + id));
        if (!answers.isEmpty() || users > 0) {
            Log.warnf("Closed %d answers and %d user messages of turns whose instance stopped%s", answers.size(), users,
                    conversationId == null ? "" : " (conversation " + conversationId + ")");
        }
        return answers;
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
