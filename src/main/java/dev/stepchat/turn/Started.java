package dev.stepchat.turn;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.turn.api.TurnView;

/**
 * What a turn's first transaction ({@link TurnStart}) hands to the upstream call and to the
 * settling of its answer ({@link AnswerStore}). {@code path}: the URI a stored failure of this
 * turn names as its problem's {@code instance} (the request's path, as the problem answered then said).
 * {@code toolMessages}: a turn that answers tool calls stored these results (its user message is
 * the last of them); null for other turns.
 */
public record Started(
        UUID conversationId,
        String owner,
        MessageView userMessage,
        ChatCompletionRequest upstream,
        String path,
        boolean regenerated,
        Instant startedAt,
        TurnView.Context context,
        int rawEstimate,
        List<MessageView> toolMessages) {}
