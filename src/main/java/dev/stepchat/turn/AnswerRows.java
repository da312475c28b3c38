package dev.stepchat.turn;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.StoredError;
import dev.stepchat.conversation.StreamOutcome;
import dev.stepchat.db.Jdbc;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemType;

/**
 * The message rows of running turns: a user message completed, streamed text appended, stops
 * asked for and read, the turns of a dead replica closed, and the signals other replicas hear.
 * Plain SQL on the caller's transaction ({@link Jdbc}), statuses and roles bound from their enums.
 */
@ApplicationScoped
public class AnswerRows {

    /** The problem a turn whose replica died ends with, as its messages keep it. */
    public static final StoredError ABANDONED = StoredError.of(Problem.of(
            ProblemType.TURN_ABANDONED,
            "The instance answering this turn stopped before it finished; send the message again",
            null));

    private static final String IN_PROGRESS = Message.Status.IN_PROGRESS.name();

    /** A message of a turn whose lease no live replica holds: {@code %s} is the lease holder's column. */
    private static final String LEASE_LOST = """
            not exists (select 1 from conversation c where c.id = m.conversation_id
                        and c.turn_lease_holder = %s and c.turn_lease_until > now())""";

    private final Jdbc jdbc;

    AnswerRows(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Marks a user message completed; false if it is gone (its conversation was deleted). */
    public boolean markCompleted(UUID id) {
        return jdbc.update("update message set status = ? where id = ?", Message.Status.COMPLETED.name(), id) == 1;
    }

    /** What one flush did: the answers it wrote, and those whose stop was asked for. */
    public record Flushed(Set<UUID> written, Set<UUID> stopRequested) {}

    /**
     * Appends the text streamed since the last flush to answers in progress, in one statement for
     * all of them. An append happens only if the stored text has the length it was written with
     * ({@code contentAt}, {@code reasoningAt}; -1 replaces the text whole), so a flush repeated after
     * a commit whose acknowledgement was lost never writes text twice: that answer is left out of
     * {@link Flushed#written()} and written whole the next time.
     */
    public Flushed appendText(
            List<UUID> ids,
            List<String> contents,
            List<String> reasonings,
            List<Integer> contentAt,
            List<Integer> reasoningAt) {
        Set<UUID> written = new HashSet<>();
        Set<UUID> stopped = new HashSet<>();
        jdbc.list(
                """
                update message m set
                    content = case when f.content_at < 0 then f.content else m.content || f.content end,
                    reasoning = case when f.reasoning_at < 0 then f.reasoning
                                     when f.reasoning is null then m.reasoning
                                     else coalesce(m.reasoning, '') || f.reasoning end
                from unnest(?, ?, ?, ?, ?) as f(id, content, reasoning, content_at, reasoning_at)
                where m.id = f.id and m.status = ?
                  and (f.content_at < 0 or char_length(m.content) = f.content_at)
                  and (f.reasoning_at < 0 or coalesce(char_length(m.reasoning), 0) = f.reasoning_at)
                returning m.id, m.stop_requested_at is not null""",
                row -> {
                    UUID id = row.getObject(1, UUID.class);
                    written.add(id);
                    if (row.getBoolean(2)) {
                        stopped.add(id);
                    }
                    return id;
                },
                ids.toArray(new UUID[0]),
                contents.toArray(new String[0]),
                reasonings.toArray(new String[0]),
                contentAt.toArray(new Integer[0]),
                reasoningAt.toArray(new Integer[0]),
                IN_PROGRESS);
        return new Flushed(written, stopped);
    }

    /** Those of {@code ids} whose stop was asked for. */
    public Set<UUID> stopRequested(List<UUID> ids) {
        return new HashSet<>(jdbc.list(
                "select id from message where id = any(?) and stop_requested_at is not null",
                row -> row.getObject(1, UUID.class),
                (Object) ids.toArray(new UUID[0])));
    }

    /** Asks for the stop of an answer in progress, and tells every replica (at commit). */
    public boolean requestStop(UUID id) {
        boolean running =
                jdbc.update("update message set stop_requested_at = now() where id = ? and status = ?", id, IN_PROGRESS)
                        == 1;
        if (running) {
            signal(TurnSignal.stop(id));
        }
        return running;
    }

    /** A notification on the turns channel, sent when the transaction commits. */
    public void signal(TurnSignal signal) {
        jdbc.first("select pg_notify(?, ?)", row -> 1, TurnSignal.CHANNEL, signal.payload());
    }

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
        String assistant = Message.Role.ASSISTANT.name();
        String user = Message.Role.USER.name();
        List<UUID> answers = jdbc.list(
                """
                update message m set status = ?, stream_outcome = cast(? as jsonb), stop_requested_at = null
                where m.status = ? and m.role = ? and\s""" + LEASE_LOST.formatted("m.parent_id") + ofConversation + " returning m.id",
                row -> row.getObject(1, UUID.class),
                scoped(
                        conversationId,
                        Message.Status.INCOMPLETE.name(),
                        jdbc.json(StreamOutcome.failed(ABANDONED), StreamOutcome.class),
                        IN_PROGRESS,
                        assistant));
        String abandonedUser = "m.status = ? and m.role = ? and " + LEASE_LOST.formatted("m.id");
        int users = jdbc.update(
                "update message m set status = ? where " + abandonedUser
                        + " and exists (select 1 from message a where a.parent_id = m.id and a.role = ?)"
                        + ofConversation,
                scoped(conversationId, Message.Status.COMPLETED.name(), IN_PROGRESS, user, assistant));
        users += jdbc.update(
                "update message m set status = ?, error = cast(? as jsonb) where " + abandonedUser + ofConversation,
                scoped(
                        conversationId,
                        Message.Status.FAILED.name(),
                        jdbc.json(ABANDONED, StoredError.class),
                        IN_PROGRESS,
                        user));
        answers.forEach(id -> signal(TurnSignal.end(id)));
        if (!answers.isEmpty() || users > 0) {
            Log.warnf(
                    "Closed %d answers and %d user messages of turns whose instance stopped%s",
                    answers.size(), users, conversationId == null ? "" : " (conversation " + conversationId + ")");
        }
        return answers;
    }

    /** A statement's parameters, then the conversation's id when the statement is limited to it. */
    private static Object[] scoped(UUID conversationId, Object... parameters) {
        if (conversationId == null) {
            return parameters;
        }
        Object[] all = Arrays.copyOf(parameters, parameters.length + 1);
        all[parameters.length] = conversationId;
        return all;
    }
}
