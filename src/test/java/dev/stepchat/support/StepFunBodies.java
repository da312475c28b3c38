package dev.stepchat.support;

/** Realistic StepFun chat-completions bodies. */
public final class StepFunBodies {

    public static final String PATH = "/v1/chat/completions";

    private StepFunBodies() {}

    public static String completion(String content, int prompt, int completion, int cached) {
        return """
                {"id":"chatcmpl-%s","object":"chat.completion","created":1764064800,"model":"step-3.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"cached_tokens":%d}}
                """.formatted(
                Integer.toHexString(content.hashCode()), content, prompt, completion, prompt + completion, cached);
    }

    public static String error(String type, String message) {
        return """
                {"error":{"message":"%s","type":"%s"}}""".formatted(message, type);
    }

    /** A streamed answer as StepFun sends it: one chunk per piece (running usage), then [DONE]. */
    public static String stream(String... pieces) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            events.append("""
                    data: {"id":"chatcmpl-s","object":"chat.completion.chunk","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"assistant","content":"%s"},"finish_reason":"%s"}],"usage":{"prompt_tokens":10,"completion_tokens":%d,"total_tokens":%d}}

                    """.formatted(pieces[i], i == pieces.length - 1 ? "stop" : "", i + 1, 11 + i));
        }
        return events.append("data: [DONE]\n\n").toString();
    }
}
