package dev.stepchat.support;

/** Realistic StepFun chat-completions bodies. */
public final class StepFunBodies {

    public static final String PATH = "/v1/chat/completions";

    private StepFunBodies() {
    }

    public static String completion(String content, int prompt, int completion, int cached) {
        return """
                {"id":"chatcmpl-%s","object":"chat.completion","created":1764064800,"model":"step-3.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"cached_tokens":%d}}
                """.formatted(Integer.toHexString(content.hashCode()), content, prompt, completion,
                prompt + completion, cached);
    }

    public static String error(String type, String message) {
        return """
                {"error":{"message":"%s","type":"%s"}}""".formatted(message, type);
    }
}
