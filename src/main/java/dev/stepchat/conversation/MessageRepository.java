package dev.stepchat.conversation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

import dev.stepchat.db.Jdbc;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    private final Jdbc jdbc;

    MessageRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The columns plain SQL writes and reads a message with ({@link #insert}, {@link #path}), in one
     * order: a column added to {@link Message} is added here (ConversationApiTest checks this list against
     * the entity's mapping).
     */
    public static final List<String> COLUMNS = List.of(
            "id",
            "conversation_id",
            "parent_id",
            "role",
            "content",
            "reasoning",
            "status",
            "model",
            "finish_reason",
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
            "cached_tokens",
            "cost",
            "messages_omitted",
            "estimated_prompt_tokens",
            "created_at",
            "stop_requested_at",
            "error",
            "stream_outcome",
            "tool_calls",
            "tool_call_id",
            "parts");

    /** Columns the database sets on insert (the owner, from the conversation): read, never written. */
    public static final List<String> SET_BY_THE_DATABASE = List.of("owner");

    private static final String INSERT =
            "insert into message (" + String.join(", ", COLUMNS) + ") values (" + "?, ".repeat(COLUMNS.size() - 5)
                    + "cast(? as jsonb), cast(? as jsonb), cast(? as jsonb), ?, cast(? as jsonb))";

    private static final String SELECTED = java.util.stream.Stream.concat(
                    COLUMNS.stream(), SET_BY_THE_DATABASE.stream())
            .map(column -> "m." + column)
            .collect(Collectors.joining(", "));

    /**
     * Inserts a message in one statement, in the current transaction, with no entity to manage or
     * flush (the hot path of a turn); it needs its id ({@link Jdbc#newId()}). Its JSON columns are
     * written by Hibernate's own JSON format mapper, exactly as for a persisted message.
     */
    public void insert(Message m) {
        jdbc.update(
                INSERT,
                m.id,
                m.conversationId,
                m.parentId,
                m.role.name(),
                m.content,
                m.reasoning,
                m.status.name(),
                m.model,
                m.finishReason,
                m.promptTokens,
                m.completionTokens,
                m.totalTokens,
                m.cachedTokens,
                m.cost,
                m.messagesOmitted,
                m.estimatedPromptTokens,
                m.createdAt,
                m.stopRequestedAt,
                m.error == null ? null : jdbc.json(m.error, StoredError.class),
                m.streamOutcome == null ? null : jdbc.json(m.streamOutcome, StreamOutcome.class),
                m.toolCalls == null ? null : jdbc.json(m.toolCalls, ToolCall[].class),
                m.toolCallId,
                m.parts == null ? null : jdbc.json(m.parts, MessagePart[].class));
    }

    /**
     * A message read by plain SQL ({@link #SELECTED}, in the order of {@link #COLUMNS} then {@link
     * #SET_BY_THE_DATABASE}), detached: read, never changed.
     */
    private Message read(ResultSet row) throws SQLException {
        Message m = new Message();
        m.id = row.getObject(1, UUID.class);
        m.conversationId = row.getObject(2, UUID.class);
        m.parentId = row.getObject(3, UUID.class);
        m.role = Message.Role.valueOf(row.getString(4));
        m.content = row.getString(5);
        m.reasoning = row.getString(6);
        m.status = Message.Status.valueOf(row.getString(7));
        m.model = row.getString(8);
        m.finishReason = row.getString(9);
        m.promptTokens = row.getObject(10, Integer.class);
        m.completionTokens = row.getObject(11, Integer.class);
        m.totalTokens = row.getObject(12, Integer.class);
        m.cachedTokens = row.getObject(13, Integer.class);
        m.cost = row.getBigDecimal(14);
        m.messagesOmitted = row.getObject(15, Integer.class);
        m.estimatedPromptTokens = row.getObject(16, Integer.class);
        m.createdAt = Jdbc.instant(row, 17);
        m.stopRequestedAt = Jdbc.instant(row, 18);
        m.error = jdbc.fromJson(row.getString(19), StoredError.class);
        m.streamOutcome = jdbc.fromJson(row.getString(20), StreamOutcome.class);
        m.toolCalls = jdbc.fromJson(row.getString(21), ToolCall[].class);
        m.toolCallId = row.getString(22);
        m.parts = jdbc.fromJson(row.getString(23), MessagePart[].class);
        m.owner = row.getString(24);
        return m;
    }

    public Paging.Slice<Message> page(UUID conversationId, PageRequest page) {
        return Paging.fetch(this, "conversationId = :conversation", Map.of("conversation", conversationId), page);
    }

    /**
     * The path from the root down to {@code leaf}, oldest first (ids grow along a path: a message
     * is created after the one it follows). One primary-key lookup per step.
     */
    public List<Message> path(UUID conversationId, UUID leaf) {
        if (leaf == null) {
            return List.of();
        }
        return jdbc.list(
                """
                with recursive path (id, parent_id) as (
                    select id, parent_id from message where id = ? and conversation_id = ?
                    union all
                    select m.id, m.parent_id from message m join path p on m.id = p.parent_id)
                select\s""" + SELECTED + " from message m where m.id in (select id from path) order by m.id",
                this::read,
                leaf,
                conversationId);
    }

    private static Object[] append(Object[] parameters, Object last) {
        Object[] all = java.util.Arrays.copyOf(parameters, parameters.length + 1);
        all[parameters.length] = last;
        return all;
    }

    /** The recursive walk from {@code leaf} (first parameter) up to the root, in a conversation (second). */
    private static final String PATH = """
            with recursive path (id, parent_id) as (
                select id, parent_id from message where id = ? and conversation_id = ?
                union all
                select m.id, m.parent_id from message m join path p on m.id = p.parent_id)
            """;

    /**
     * A page of the path from the root down to {@code leaf}, paged in SQL: the walk reads ids only,
     * and only the page's rows are read whole, so a branch 10,000 messages deep is never one list
     * in memory. A conversation without branches (no two messages with the same parent, the usual
     * case) needs no walk: its path is every message up to the leaf, read by the index on
     * (conversation_id, id). A cursor that is not on the path is a 400 {@code invalid-cursor}, as
     * for any list.
     */
    public Paging.Slice<Message> pathPage(UUID conversationId, UUID leaf, PageRequest page) {
        if (leaf == null) {
            return Paging.slice(List.of(), message -> message.id, page);
        }
        boolean linear = jdbc.first(
                        // one pass over the conversation's index entries (a GROUP BY here gets the parent index
                        // planned, which reads every conversation's messages)
                        "select count(*) filter (where parent_id is null) <= 1"
                                + " and count(distinct parent_id) = count(parent_id)"
                                + " from message where conversation_id = ?",
                        row -> row.getBoolean(1),
                        conversationId)
                .orElse(false);
        // the path's ids: a walk up from the leaf, or (no branches) the messages up to the leaf
        String path =
                linear ? "with path (id) as (select id from message where conversation_id = ? and id <= ?) " : PATH;
        Object[] pathParameters = linear ? new Object[] {conversationId, leaf} : new Object[] {leaf, conversationId};
        for (var cursor : List.of(
                Map.entry("after", Optional.ofNullable(page.after())),
                Map.entry("before", Optional.ofNullable(page.before())))) {
            if (cursor.getValue().isPresent()
                    && jdbc.first(
                                    path + "select 1 from path where id = ?",
                                    row -> 1,
                                    append(pathParameters, cursor.getValue().get()))
                            .isEmpty()) {
                throw Paging.unknownCursor(cursor.getKey());
            }
        }
        // ids grow along a path: 'after' and 'before' bound the ids, the list's order gives which side
        UUID lower = page.descending() ? page.before() : page.after();
        UUID upper = page.descending() ? page.after() : page.before();
        // a page just ahead of 'before' (and nothing after): read from 'before' backwards, then turn it round
        boolean fromBefore = page.before() != null && page.after() == null;
        boolean ascending = page.descending() == fromBefore;
        String order = ascending ? "asc" : "desc";
        List<Message> rows = new ArrayList<>(
                linear
                        ? jdbc.list(
                                "select " + SELECTED + " from message m where m.conversation_id = ? and m.id <= ?"
                                        + " and (cast(? as uuid) is null or m.id > ?) and (cast(? as uuid) is null or m.id < ?)"
                                        + " order by m.id " + order + " limit ?",
                                this::read,
                                conversationId,
                                leaf,
                                lower,
                                lower,
                                upper,
                                upper,
                                page.limit() + 1)
                        : jdbc.list(
                                PATH + "select " + SELECTED + " from message m where m.id in (select id from path)"
                                        + " and (cast(? as uuid) is null or m.id > ?) and (cast(? as uuid) is null or m.id < ?)"
                                        + " order by m.id " + order + " limit ?",
                                this::read,
                                leaf,
                                conversationId,
                                lower,
                                lower,
                                upper,
                                upper,
                                page.limit() + 1));
        boolean more = rows.size() > page.limit();
        if (more) {
            rows.removeLast();
        }
        if (fromBefore) {
            Collections.reverse(rows);
        }
        return new Paging.Slice<>(List.copyOf(rows), more);
    }

    /**
     * The most recently created last message (a message nothing follows) of the subtree under
     * {@code root}, {@code root} itself included; with a null root, of the whole conversation.
     */
    public UUID latestLeaf(UUID conversationId, UUID root) {
        String subtree = root == null ? "select id from message where conversation_id = ?" : SUBTREE;
        Object[] parameters = root == null ? new Object[] {conversationId} : new Object[] {root, conversationId};
        return jdbc.first(
                        "select s.id from (" + subtree + ") s"
                                + " where not exists (select 1 from message c where c.parent_id = s.id) order by s.id desc limit 1",
                        row -> row.getObject(1, UUID.class),
                        parameters)
                .orElse(null);
    }

    /** The ids of a message (first parameter) and every message below it, in a conversation (second). */
    private static final String SUBTREE = """
            with recursive subtree (id) as (
                select id from message where id = ? and conversation_id = ?
                union all
                select m.id from message m join subtree s on m.parent_id = s.id)
            select id from subtree""";

    /** The ids of {@code root} and every message below it. */
    public List<UUID> subtree(UUID conversationId, UUID root) {
        return jdbc.list(SUBTREE, row -> row.getObject(1, UUID.class), root, conversationId);
    }

    /**
     * The tool messages that end with {@code last} (a tool message), oldest first: the results a
     * turn answered tool calls with, each the parent of the next. One primary-key lookup per result.
     */
    public List<Message> toolChain(Message last) {
        List<Message> chain = new ArrayList<>();
        for (Message m = last;
                m != null && m.role == Message.Role.TOOL;
                m = m.parentId == null ? null : findById(m.parentId)) {
            chain.addFirst(m);
        }
        return chain;
    }

    /**
     * Conversations longer than this are asked for a two-character Chinese, Japanese or Korean word
     * through the index of pairs; shorter ones are read newest first, which for a common word stops
     * at once and for any word costs at most a millisecond (the index costs about two in planning
     * and bitmaps, a walk of 10,000 messages 10 to 50).
     */
    static final int PAIRS_INDEX_FROM = 1_000;

    /**
     * The newest message of each of the owner's conversations that contains every word, by
     * conversation: one question per conversation, read newest first and stopped at the first
     * match. With a word of 3 characters or more the owner is named too, so that for a rare word
     * the trigram index on (owner, content) can answer; with only shorter words it is not, so that
     * that index (which would list every message of the owner) is never chosen, except that a long
     * conversation is asked for a word of two Chinese, Japanese or Korean characters through the
     * index of their pairs, which starts with the owner ({@link #PAIRS_INDEX_FROM}).
     */
    public Map<UUID, Message> newestMatches(String owner, List<Conversation> conversations, List<String> words) {
        if (conversations.isEmpty() || words.isEmpty()) {
            return Map.of();
        }
        boolean trigrams = Search.hasTrigrams(words);
        StringBuilder walk = new StringBuilder("conversationId = :conversation");
        io.quarkus.panache.common.Parameters walkParams = new io.quarkus.panache.common.Parameters();
        StringBuilder byPairs = new StringBuilder("conversationId = :conversation and owner = :owner");
        io.quarkus.panache.common.Parameters pairsParams = io.quarkus.panache.common.Parameters.with("owner", owner);
        boolean pairs = false;
        if (trigrams) {
            walk.append(" and owner = :owner");
            walkParams.and("owner", owner);
        }
        for (int i = 0; i < words.size(); i++) {
            String like = " and content ilike :w" + i + " escape '\\'";
            walk.append(like);
            walkParams.and("w" + i, Search.pattern(words.get(i)));
            boolean pair = !trigrams && Search.isCjkPair(words.get(i));
            pairs |= pair;
            byPairs.append(pair ? " and " + Search.holdsPair("content", i) : like);
            pairsParams.and("w" + i, Search.pattern(words.get(i)));
        }
        Search.planForTheseWords(jdbc);
        Map<UUID, Message> newest = new java.util.HashMap<>();
        for (Conversation conversation : conversations) {
            boolean indexed = pairs && conversation.messageCount > PAIRS_INDEX_FROM;
            Message hit = find(
                            (indexed ? byPairs : walk).toString(),
                            io.quarkus.panache.common.Sort.by("id").descending(),
                            (indexed ? pairsParams : walkParams).and("conversation", conversation.id))
                    .firstResult();
            if (hit != null) {
                newest.put(conversation.id, hit);
            }
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
}
