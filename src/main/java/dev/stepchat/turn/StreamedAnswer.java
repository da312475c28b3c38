package dev.stepchat.turn;

import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.usage.TokenUsage;

/**
 * Adds up a StepFun stream as it arrives. Usage is a running total in every chunk, so the last
 * one seen is kept, never summed; {@code finish_reason} is "" until the final chunk.
 */
final class StreamedAnswer {

    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private TokenUsage usage = TokenUsage.ZERO;
    private String model;
    private String finishReason;
    private String upstreamId;

    /** Takes in a chunk; returns its text and reasoning, for the delta event (either may be null). */
    String[] add(ChatCompletionChunk chunk) {
        if (chunk.id() != null) {
            upstreamId = chunk.id();
        }
        if (chunk.model() != null) {
            model = chunk.model();
        }
        if (chunk.usage() != null) {
            usage = UpstreamUsage.of(chunk.usage());
        }
        ChatCompletionChunk.Choice choice = chunk.first();
        if (choice == null) {
            return new String[2];
        }
        if (choice.finishReason() != null && !choice.finishReason().isEmpty()) {
            finishReason = choice.finishReason();
        }
        if (choice.delta() == null) {
            return new String[2];
        }
        String text = emptyToNull(choice.delta().content());
        String thought = emptyToNull(choice.delta().reasoning());
        if (text != null) {
            content.append(text);
        }
        if (thought != null) {
            reasoning.append(thought);
        }
        return new String[] {text, thought};
    }

    int contentLength() {
        return content.length();
    }

    int reasoningLength() {
        return reasoning.length();
    }

    /** The answer's text from {@code offset} on, or null when there is none. */
    String contentFrom(int offset) {
        return offset < content.length() ? content.substring(offset) : null;
    }

    String reasoningFrom(int offset) {
        return offset < reasoning.length() ? reasoning.substring(offset) : null;
    }

    String reasoningOrNull() {
        return reasoning.isEmpty() ? null : reasoning.toString();
    }

    Answer answer(String requestedModel) {
        return new Answer(
                content.toString(),
                reasoning.isEmpty() ? null : reasoning.toString(),
                model == null ? requestedModel : model,
                finishReason,
                usage,
                upstreamId);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
