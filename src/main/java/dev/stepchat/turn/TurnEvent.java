package dev.stepchat.turn;

import java.util.List;

import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.problem.Problem;
import dev.stepchat.turn.api.ToolCallDelta;
import dev.stepchat.turn.api.TurnView;

/**
 * An event of a streamed turn, as the service produces it; the REST layer frames it as a
 * server-sent event. Every event has an id a client sends back to resume after it.
 */
public sealed interface TurnEvent {

    /** The id to send back as Last-Event-ID. */
    String id();

    /** The turn has begun answering: both messages, the answer in progress with the id it keeps. */
    record Start(String id, MessageView userMessage, MessageView message) implements TurnEvent {}

    /** Text and tool-call pieces after the previous event's; any part may be null, never all. */
    record Delta(String id, String content, String reasoning, List<ToolCallDelta> toolCalls) implements TurnEvent {}

    /** The answer is stored. */
    record Done(String id, TurnView turn) implements TurnEvent {}

    /** The turn ended with a problem; the text so far is stored as an incomplete answer. */
    record Failed(String id, Problem problem) implements TurnEvent {}
}
