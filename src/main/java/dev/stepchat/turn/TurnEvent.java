package dev.stepchat.turn;

import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.problem.Problem;
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

    /** Text after the previous event's; either part may be null, never both. */
    record Delta(String id, String content, String reasoning) implements TurnEvent {}

    /** The answer is stored. */
    record Done(String id, TurnView turn) implements TurnEvent {}

    /** The turn ended with a problem; the text so far is stored as an incomplete answer. */
    record Failed(String id, Problem problem) implements TurnEvent {}
}
