package dev.stepchat.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.usage.UsageTotals;

/**
 * How a streamed turn ended, as it is stored with its answer ({@code message.stream_outcome}):
 * what its {@code done} event carried besides the two messages (the conversation's totals after
 * the turn and what the model was sent), or the problem of its {@code error} event. A resumed
 * stream sends the same final event from it, on any replica.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamOutcome(
        UsageTotals conversationUsage,
        Integer messagesSent,
        Integer messagesOmitted,
        Integer estimatedPromptTokens,
        StoredError problem) {

    public static StreamOutcome failed(StoredError problem) {
        return new StreamOutcome(null, null, null, null, problem);
    }
}
