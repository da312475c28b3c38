package dev.stepchat.dev.simulator;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.WireToolCall;

/**
 * Invents plausible answers in StepFun's format, for dev mode without an API key. Token counts
 * are estimated at four characters a token, so usage totals grow as they would.
 */
final class StepFunSimulator {

    static final String MODEL_SUFFIX = "-simulated";

    private StepFunSimulator() {}

    /**
     * The call the simulator makes when the request offers function tools and the user spoke last
     * (tool_choice none excepted): the first function, with the user's words as its argument.
     */
    static Optional<WireToolCall> toolCall(ChatCompletionRequest request) {
        List<ChatCompletionRequest.ChatMessage> messages = request.messages();
        if (request.tools() == null
                || messages == null
                || messages.isEmpty()
                || !"user".equals(messages.getLast().role())
                || (request.toolChoice() != null
                        && "none".equals(request.toolChoice().asText()))) {
            return Optional.empty();
        }
        for (JsonNode tool : request.tools()) {
            if ("function".equals(tool.path("type").asText())) {
                String said = messages.getLast().text();
                String argument = said.length() > 60 ? said.substring(0, 60) : said;
                ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("query", argument);
                return Optional.of(new WireToolCall(
                        null,
                        "call_sim_" + UUID.randomUUID().toString().substring(0, 8),
                        "function",
                        new WireToolCall.Function(
                                tool.path("function").path("name").asText(), arguments.toString())));
            }
        }
        return Optional.empty();
    }

    static String reply(ChatCompletionRequest request) {
        List<ChatCompletionRequest.ChatMessage> messages = request.messages();
        if (messages != null
                && !messages.isEmpty()
                && "tool".equals(messages.getLast().role())) {
            String results = messages.stream()
                    .filter(m -> "tool".equals(m.role()))
                    .map(m -> m.text().length() > 100 ? m.text().substring(0, 100) + "…" : m.text())
                    .reduce((a, b) -> a + "; " + b)
                    .orElse("");
            return "The simulator got the tool results (" + results + ") and would now answer with them.";
        }
        String last =
                messages == null || messages.isEmpty() ? "" : messages.getLast().text();
        String quoted = last.length() > 200 ? last.substring(0, 200) + "…" : last;
        int images =
                messages == null || messages.isEmpty() ? 0 : messages.getLast().images();
        if (images > 0) {
            return "This is the built-in StepFun simulator (no STEP_API_KEY is set). You wrote: \"" + quoted
                    + "\" and sent " + images + (images == 1 ? " image" : " images")
                    + ", which the simulator cannot see. Set STEP_API_KEY and choose a vision model to hear about them.";
        }
        return "This is the built-in StepFun simulator (no STEP_API_KEY is set), answering message "
                + (messages == null
                        ? 0
                        : messages.stream().filter(m -> "user".equals(m.role())).count())
                + " of this conversation. You wrote: \"" + quoted + "\". Set STEP_API_KEY to talk to "
                + request.model() + " for real.";
    }

    static String model(ChatCompletionRequest request) {
        return (request.model() == null ? "step-3.5-flash" : request.model()) + MODEL_SUFFIX;
    }

    static int promptTokens(ChatCompletionRequest request) {
        return request.messages() == null
                ? 0
                : request.messages().stream()
                        .mapToInt(m -> tokens(m.text()) + 4)
                        .sum();
    }

    static int tokens(String text) {
        return text == null ? 0 : Math.max(1, (text.length() + 3) / 4);
    }
}
