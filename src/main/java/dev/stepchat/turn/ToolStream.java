package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.List;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.turn.api.ToolCallDelta;

/**
 * The tool calls of a streamed answer laid out as one stream, so that a reader's position in
 * them is one number and every piece reaches it exactly once across resumes: call after call (in
 * the order of their index, as OpenAI and StepFun stream them), each one unit for its id and name,
 * then one per character (UTF-16 unit) of its arguments.
 */
final class ToolStream {

    private ToolStream() {}

    /** The stream's length: where a reader that has everything is. */
    static int length(List<ToolCall> calls) {
        int length = 0;
        for (ToolCall call : calls) {
            length += 1 + arguments(call).length();
        }
        return length;
    }

    /** The pieces after {@code position}, or null when there are none. */
    static List<ToolCallDelta> from(List<ToolCall> calls, int position) {
        List<ToolCallDelta> pieces = new ArrayList<>();
        int start = 0;
        for (int index = 0; index < calls.size(); index++) {
            ToolCall call = calls.get(index);
            String arguments = arguments(call);
            int end = start + 1 + arguments.length();
            if (position < end) {
                if (position <= start) {
                    pieces.add(new ToolCallDelta(
                            index,
                            call.id(),
                            call.type(),
                            new ToolCallDelta.Function(call.function().name(), arguments)));
                } else {
                    pieces.add(new ToolCallDelta(
                            index,
                            null,
                            null,
                            new ToolCallDelta.Function(null, arguments.substring(position - start - 1))));
                }
            }
            start = end;
        }
        return pieces.isEmpty() ? null : pieces;
    }

    private static String arguments(ToolCall call) {
        return call.function() == null || call.function().arguments() == null
                ? ""
                : call.function().arguments();
    }
}
