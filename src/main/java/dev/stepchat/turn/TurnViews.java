package dev.stepchat.turn;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.StreamOutcome;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.service.ConversationMapper;
import dev.stepchat.turn.api.TurnView;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageTotals;

/** A turn's stored messages as the API shows them (the Turn, the start event's message), and the time they keep. */
final class TurnViews {

    private TurnViews() {}

    /**
     * Now, to the microsecond PostgreSQL keeps: a message's created_at in a turn's response is the
     * one every later read gives.
     */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * A turn as its done event carries it, from its stored messages; {@code toolChain}: the tool
     * messages a results turn stored (its user message the last of them), else null.
     */
    static TurnView turn(Message user, List<Message> toolChain, Message reply, UsageTotals totals) {
        return turn(
                ConversationMapper.view(user),
                toolChain == null
                        ? null
                        : toolChain.stream().map(ConversationMapper::view).toList(),
                reply,
                totals);
    }

    static TurnView turn(MessageView user, List<MessageView> toolMessages, Message reply, UsageTotals totals) {
        MessageView answer = ConversationMapper.view(reply);
        StreamOutcome outcome = reply.streamOutcome;
        TurnView.Context context = outcome == null || outcome.messagesSent() == null
                ? new TurnView.Context(
                        0,
                        reply.messagesOmitted == null ? 0 : reply.messagesOmitted,
                        reply.estimatedPromptTokens == null ? 0 : reply.estimatedPromptTokens)
                : new TurnView.Context(
                        outcome.messagesSent(), outcome.messagesOmitted(), outcome.estimatedPromptTokens());
        if (toolMessages != null && !toolMessages.isEmpty()) {
            // the last result is the turn's user message: as it is now (completed with the answer)
            List<MessageView> results = new java.util.ArrayList<>(toolMessages.subList(0, toolMessages.size() - 1));
            results.add(user);
            toolMessages = List.copyOf(results);
        }
        return new TurnView(
                user,
                answer,
                answer.usage() == null ? TokenUsage.ZERO : answer.usage(),
                outcome != null && outcome.conversationUsage() != null ? outcome.conversationUsage() : totals,
                context,
                toolMessages);
    }

    /** The message as a start event shows it: in progress, no text yet. */
    static MessageView starting(MessageView answer) {
        return answer.starting();
    }
}
