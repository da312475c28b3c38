package dev.stepchat.dev.simulator;

import java.util.List;

import dev.stepchat.stepfun.ChatCompletionRequest;

/**
 * Invents plausible answers in StepFun's format, for dev mode without an API key. Token counts
 * are estimated at four characters a token, so usage totals grow as they would.
 */
final class StepFunSimulator {

    static final String MODEL_SUFFIX = "-simulated";

    private StepFunSimulator() {}

    static String reply(ChatCompletionRequest request) {
        List<ChatCompletionRequest.ChatMessage> messages = request.messages();
        String last =
                messages == null || messages.isEmpty() ? "" : messages.getLast().content();
        String quoted = last.length() > 200 ? last.substring(0, 200) + "…" : last;
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
                        .mapToInt(m -> tokens(m.content()) + 4)
                        .sum();
    }

    static int tokens(String text) {
        return text == null ? 0 : Math.max(1, (text.length() + 3) / 4);
    }
}
