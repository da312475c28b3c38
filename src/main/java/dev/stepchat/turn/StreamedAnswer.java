package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.List;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.stepfun.ChatCompletionChunk;
import dev.stepchat.stepfun.WireToolCall;
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

    /** The tool calls so far, by index: id, type and name from their first piece, arguments appended. */
    private final List<Call> calls = new ArrayList<>();

    private static final class Call {
        String id;
        String type = "function";
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    /** Takes in a chunk. */
    void add(ChatCompletionChunk chunk) {
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
            return;
        }
        if (choice.finishReason() != null && !choice.finishReason().isEmpty()) {
            finishReason = choice.finishReason();
        }
        if (choice.delta() == null) {
            return;
        }
        String text = emptyToNull(choice.delta().content());
        String thought = emptyToNull(choice.delta().reasoning());
        if (text != null) {
            content.append(text);
        }
        if (thought != null) {
            reasoning.append(thought);
        }
        if (choice.delta().toolCalls() != null) {
            for (WireToolCall piece : choice.delta().toolCalls()) {
                addCall(piece);
            }
        }
    }

    private void addCall(WireToolCall piece) {
        int index = piece.index() != null ? piece.index() : calls.size() - (piece.id() == null ? 1 : 0);
        if (index < 0) {
            return;
        }
        while (calls.size() <= index) {
            calls.add(new Call());
        }
        Call call = calls.get(index);
        if (piece.id() != null && call.id == null) {
            call.id = piece.id();
        }
        if (piece.type() != null) {
            call.type = piece.type();
        }
        if (piece.function() != null) {
            if (piece.function().name() != null) {
                call.name = call.name == null
                        ? piece.function().name()
                        : call.name + piece.function().name();
            }
            if (piece.function().arguments() != null) {
                call.arguments.append(piece.function().arguments());
            }
        }
    }

    /** The tool calls so far (an empty list for none). */
    List<ToolCall> toolCalls() {
        if (calls.isEmpty()) {
            return List.of(); // every reader event asks: plain answers allocate nothing
        }
        List<ToolCall> assembled = new ArrayList<>(calls.size());
        for (Call call : calls) {
            assembled.add(
                    new ToolCall(call.id, call.type, new ToolCall.Function(call.name, call.arguments.toString())));
        }
        return assembled;
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
                upstreamId,
                calls.isEmpty() ? null : toolCalls());
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
