package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.db.Jdbc;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.turn.api.ToolResult;

/**
 * The rules between an answer's tool calls and the results a client sends for them: every call
 * answered exactly once, nothing else, before the conversation goes on with text.
 */
final class ToolResults {

    private ToolResults() {}

    /**
     * The tool messages that answer {@code parent}'s calls, in the order given, as a chain (each the
     * parent of the next; the last in progress: the turn's own message); a 400
     * {@code tool-results-invalid}, nothing stored, when a call is unanswered, an id is unknown or
     * given twice, or the parent made no calls.
     */
    static List<Message> chain(UUID conversationId, Message parent, List<ToolResult> results) {
        if (parent == null || parent.toolCalls == null || parent.toolCalls.length == 0) {
            throw new ProblemException(
                    ProblemType.TOOL_RESULTS_INVALID,
                    "The message this turn follows made no tool calls; send content, or give the parent_id of the"
                            + " answer whose calls these results answer");
        }
        Set<String> calls = new LinkedHashSet<>();
        for (ToolCall call : parent.toolCalls) {
            calls.add(call.id());
        }
        Set<String> given = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        for (ToolResult result : results) {
            if (result == null || result.toolCallId() == null || result.content() == null) {
                throw ProblemException.invalid("tool_results", "each result needs tool_call_id and content");
            }
            if (!calls.contains(result.toolCallId())) {
                unknown.add(result.toolCallId());
            } else if (!given.add(result.toolCallId())) {
                twice.add(result.toolCallId());
            }
        }
        List<String> missing = calls.stream().filter(id -> !given.contains(id)).toList();
        if (!unknown.isEmpty() || !twice.isEmpty() || !missing.isEmpty()) {
            List<String> wrong = new ArrayList<>();
            if (!missing.isEmpty()) {
                wrong.add("no result for " + String.join(", ", missing));
            }
            if (!unknown.isEmpty()) {
                wrong.add("no such call: " + String.join(", ", unknown));
            }
            if (!twice.isEmpty()) {
                wrong.add("more than one result for " + String.join(", ", twice));
            }
            throw new ProblemException(
                    ProblemType.TOOL_RESULTS_INVALID,
                    "Send one result for every tool call of message " + parent.id + " (" + String.join("; ", wrong)
                            + ")");
        }
        List<Message> chain = new ArrayList<>();
        UUID previous = parent.id;
        for (ToolResult result : results) {
            Message tool = new Message();
            tool.id = Jdbc.newId();
            tool.conversationId = conversationId;
            tool.parentId = previous;
            tool.role = Message.Role.TOOL;
            tool.toolCallId = result.toolCallId();
            tool.content = result.content();
            tool.status = Message.Status.COMPLETED;
            tool.createdAt = TurnViews.now();
            chain.add(tool);
            previous = tool.id;
        }
        chain.getLast().status = Message.Status.IN_PROGRESS;
        return chain;
    }

    /**
     * A turn with content may not follow an answer that called tools: a 409
     * {@code tool-results-required} naming the calls that wait for their results.
     */
    static void requireAnswered(Message parent) {
        if (parent != null && parent.toolCalls != null && parent.toolCalls.length > 0) {
            throw new ProblemException(
                    ProblemType.TOOL_RESULTS_REQUIRED,
                    "Message " + parent.id + " called tools; answer them first with tool_results for "
                            + java.util.Arrays.stream(parent.toolCalls)
                                    .map(ToolCall::id)
                                    .collect(Collectors.joining(", ")));
        }
    }
}
