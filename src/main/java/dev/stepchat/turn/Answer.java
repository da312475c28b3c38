package dev.stepchat.turn;

import dev.stepchat.usage.TokenUsage;

/** What the upstream answered, as it is stored. */
public record Answer(
        String content, String reasoning, String model, String finishReason, TokenUsage usage, String upstreamId) {}
