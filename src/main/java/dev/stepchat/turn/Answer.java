package dev.stepchat.turn;

import java.util.List;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.usage.TokenUsage;

/** What the upstream answered, as it is stored; {@code toolCalls}: the functions it called, or null. */
public record Answer(
        String content,
        String reasoning,
        String model,
        String finishReason,
        TokenUsage usage,
        String upstreamId,
        List<ToolCall> toolCalls) {}
