package dev.stepchat.turn.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.turn.TurnEvent;
import dev.stepchat.turn.api.ToolCallDelta;

/**
 * A turn's events as the AI SDK's UI message stream (protocol v1, header
 * {@code x-vercel-ai-ui-message-stream: v1}), the parts its {@code useChat} reads: {@code start}
 * (the answer's id as {@code messageId}), {@code start-step}, reasoning and text parts
 * ({@code *-start}, {@code *-delta}, {@code *-end}), a tool call as {@code tool-input-start},
 * {@code tool-input-delta} and {@code tool-input-available} (dynamic tools: the conversation's,
 * not the client's), {@code finish-step}, {@code finish} with its reason, or {@code error}; each
 * as {@code data: <json>}, and {@code data: [DONE]} last. One instance per stream: it keeps which
 * parts are open.
 */
final class UiMessageFraming implements EventStream.Framing {

    static final String HEADER = "x-vercel-ai-ui-message-stream";

    private final ObjectMapper json;
    private int parts;
    private String text;
    private String reasoning;
    /** The tool calls seen, by index: their ids and names, once their first fragment came. */
    private final Map<Integer, String[]> calls = new LinkedHashMap<>();

    UiMessageFraming(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of(HEADER, "v1");
    }

    @Override
    public byte[] end() {
        return "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] frame(TurnEvent event) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        switch (event) {
            case TurnEvent.Start start -> {
                out.add(part("start").put("messageId", start.message().id().toString()));
                out.add(part("start-step"));
            }
            case TurnEvent.Delta delta -> delta(delta, out);
            case TurnEvent.Done done -> {
                closeOpen(out);
                MessageView answer = done.turn().message();
                toolCalls(answer.toolCalls(), out);
                out.add(part("finish-step"));
                out.add(part("finish").put("finishReason", finishReason(answer.finishReason())));
            }
            case TurnEvent.Failed failed -> {
                closeOpen(out);
                out.add(part("error").put("errorText", failed.problem().detail()));
            }
        }
        StringBuilder frames = new StringBuilder();
        for (ObjectNode part : out) {
            frames.append("data: ").append(json.writeValueAsString(part)).append("\n\n");
        }
        return frames.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void delta(TurnEvent.Delta delta, List<ObjectNode> out) {
        if (delta.reasoning() != null && !delta.reasoning().isEmpty()) {
            if (reasoning == null) {
                reasoning = "reasoning-" + parts++;
                out.add(part("reasoning-start").put("id", reasoning));
            }
            out.add(part("reasoning-delta").put("id", reasoning).put("delta", delta.reasoning()));
        }
        if (delta.content() != null && !delta.content().isEmpty()) {
            if (reasoning != null) {
                out.add(part("reasoning-end").put("id", reasoning));
                reasoning = null;
            }
            if (text == null) {
                text = "text-" + parts++;
                out.add(part("text-start").put("id", text));
            }
            out.add(part("text-delta").put("id", text).put("delta", delta.content()));
        }
        if (delta.toolCalls() != null) {
            for (ToolCallDelta call : delta.toolCalls()) {
                String[] known = calls.get(call.index());
                if (known == null
                        && call.id() != null
                        && call.function() != null
                        && call.function().name() != null) {
                    known = new String[] {call.id(), call.function().name()};
                    calls.put(call.index(), known);
                    out.add(part("tool-input-start")
                            .put("toolCallId", known[0])
                            .put("toolName", known[1])
                            .put("dynamic", true));
                }
                String arguments =
                        call.function() == null ? null : call.function().arguments();
                if (known != null && arguments != null && !arguments.isEmpty()) {
                    out.add(part("tool-input-delta").put("toolCallId", known[0]).put("inputTextDelta", arguments));
                }
            }
        }
    }

    /** The whole calls, as stored: their inputs parsed (an argument text that is not JSON is given as it is). */
    private void toolCalls(List<ToolCall> stored, List<ObjectNode> out) {
        if (stored == null) {
            return;
        }
        for (ToolCall call : stored) {
            String name = call.function() == null ? null : call.function().name();
            if (calls.values().stream().noneMatch(known -> known[0].equals(call.id()))) {
                out.add(part("tool-input-start")
                        .put("toolCallId", call.id())
                        .put("toolName", name)
                        .put("dynamic", true));
            }
            ObjectNode available = part("tool-input-available")
                    .put("toolCallId", call.id())
                    .put("toolName", name)
                    .put("dynamic", true);
            available.set(
                    "input",
                    input(call.function() == null ? null : call.function().arguments()));
            out.add(available);
        }
    }

    private JsonNode input(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(arguments);
        } catch (IOException notJson) {
            return json.getNodeFactory().textNode(arguments);
        }
    }

    private void closeOpen(List<ObjectNode> out) {
        if (reasoning != null) {
            out.add(part("reasoning-end").put("id", reasoning));
            reasoning = null;
        }
        if (text != null) {
            out.add(part("text-end").put("id", text));
            text = null;
        }
    }

    private ObjectNode part(String type) {
        return json.createObjectNode().put("type", type);
    }

    /** The AI SDK's finish reasons for ours ({@code stopped}: the user stopped it). */
    static String finishReason(String ours) {
        if (ours == null) {
            return "other";
        }
        return switch (ours) {
            case "stop" -> "stop";
            case "length" -> "length";
            case "tool_calls" -> "tool-calls";
            case "content_filter" -> "content-filter";
            default -> "other";
        };
    }
}
