package dev.stepchat.turn;

import java.util.UUID;

import dev.stepchat.conversation.Message;
import dev.stepchat.problem.Problem;

/**
 * How a streamed answer ended, as its end is stored: its message (stored in progress since the
 * stream's start), the status it ends with, the finish reason that overrides the model's (a
 * stop: {@code stopped}; else null), and the problem it ended with (its text is kept; else null).
 */
public record StreamEnd(UUID messageId, Message.Status status, String finishReason, Problem problem) {}
