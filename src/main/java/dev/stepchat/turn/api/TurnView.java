package dev.stepchat.turn.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageTotals;

/** The answer to a chat turn. */
@RegisterForReflection
@Schema(name = "Turn")
public record TurnView(
        @Schema(enumeration = "turn", required = true) String object,
        @Schema(required = true) MessageView userMessage,
        @Schema(description = "The assistant's reply", required = true) MessageView message,
        @Schema(description = "Usage of this turn", required = true) TokenUsage usage,
        @Schema(description = "Totals of the conversation after this turn", required = true) UsageTotals conversationUsage) {

    public TurnView(MessageView userMessage, MessageView message, TokenUsage usage, UsageTotals conversationUsage) {
        this("turn", userMessage, message, usage, conversationUsage);
    }
}
