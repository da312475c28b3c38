package dev.stepchat.turn;

import java.util.Arrays;
import java.util.List;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.stepfun.WireToolCall;

/** Tool calls between StepFun's wire and what the service stores: the one place that maps them, both ways. */
final class UpstreamToolCalls {

    private UpstreamToolCalls() {}

    /** The calls of a whole answer as stored; null for none. */
    static List<ToolCall> of(List<WireToolCall> wire) {
        if (wire == null || wire.isEmpty()) {
            return null;
        }
        return wire.stream()
                .map(call -> new ToolCall(
                        call.id(),
                        call.type() == null ? "function" : call.type(),
                        new ToolCall.Function(
                                call.function() == null ? null : call.function().name(),
                                call.function() == null || call.function().arguments() == null
                                        ? ""
                                        : call.function().arguments())))
                .toList();
    }

    /** Stored calls as they are sent back to StepFun in the history. */
    static List<WireToolCall> toWire(ToolCall[] calls) {
        return Arrays.stream(calls)
                .map(call -> new WireToolCall(
                        null,
                        call.id(),
                        call.type(),
                        new WireToolCall.Function(
                                call.function().name(), call.function().arguments())))
                .toList();
    }
}
