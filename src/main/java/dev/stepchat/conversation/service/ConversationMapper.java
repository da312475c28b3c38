package dev.stepchat.conversation.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.stepchat.conversation.Conversation;
import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.usage.Money;
import dev.stepchat.usage.TokenUsage;
import dev.stepchat.usage.UsageTotals;

/** Entities to API views: the one direction entities leave the service layer in. */
public final class ConversationMapper {

    private ConversationMapper() {}

    public static ConversationView view(Conversation c) {
        return new ConversationView(
                c.id,
                "conversation",
                c.title,
                c.model,
                c.systemPrompt,
                c.metadata == null ? Map.of() : c.metadata,
                time(c.createdAt),
                time(c.updatedAt),
                c.contextLimit,
                c.maxTotalTokens,
                c.tools,
                c.messageCount,
                totals(c),
                c.currentMessageId,
                c.forkedFromConversationId == null
                        ? null
                        : new ConversationView.ForkedFrom(c.forkedFromConversationId, c.forkedFromMessageId),
                c.pinned,
                c.archived,
                null,
                c.version);
    }

    public static UsageTotals totals(Conversation c) {
        return new UsageTotals(
                c.promptTokens,
                c.completionTokens,
                c.totalTokens,
                c.cachedTokens,
                c.turns,
                Money.format(c.cost),
                c.costComplete);
    }

    public static MessageView view(Message m) {
        TokenUsage usage = m.totalTokens == null
                ? null
                : new TokenUsage(
                                m.promptTokens,
                                m.completionTokens,
                                m.totalTokens,
                                m.cachedTokens == null ? 0 : m.cachedTokens)
                        .withCost(m.cost);
        return new MessageView(
                m.id,
                "message",
                m.conversationId,
                m.parentId,
                m.role.name().toLowerCase(Locale.ROOT),
                m.content,
                m.parts == null ? null : List.of(m.parts),
                m.status.name().toLowerCase(Locale.ROOT),
                m.model,
                m.finishReason,
                m.toolCalls == null ? null : List.of(m.toolCalls),
                m.toolCallId,
                usage,
                m.error == null ? null : m.error.toProblem(),
                time(m.createdAt));
    }

    /** Times leave the service in UTC with microsecond precision, as PostgreSQL stores them. */
    private static Instant time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }
}
