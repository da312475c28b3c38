package dev.stepchat.turn.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

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

        @Schema(description = "The assistant's reply", required = true)
        MessageView message,

        @Schema(description = "Usage of this turn", required = true)
        TokenUsage usage,

        @Schema(description = "Totals of the conversation after this turn", required = true)
        UsageTotals conversationUsage,

        @Schema(description = "What the model was sent", required = true)
        Context context,

        @Schema(
                description = "A turn that answered tool calls: its tool messages, in order (user_message is the"
                        + " last of them); absent otherwise")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        List<MessageView> toolMessages) {

    public TurnView(
            MessageView userMessage,
            MessageView message,
            TokenUsage usage,
            UsageTotals conversationUsage,
            Context context,
            List<MessageView> toolMessages) {
        this("turn", userMessage, message, usage, conversationUsage, context, toolMessages);
    }

    /** The request the model was sent, after fitting the history into the context limit. */
    @RegisterForReflection
    @Schema(name = "TurnContext")
    public record Context(
            @Schema(description = "Messages in the upstream request, the system prompt included", required = true)
            int messagesSent,

            @Schema(description = "Messages of the path left out (oldest exchanges first)", required = true)
            int messagesOmitted,

            @Schema(description = "The service's estimate of the request's prompt tokens", required = true)
            int estimatedPromptTokens) {}
}
