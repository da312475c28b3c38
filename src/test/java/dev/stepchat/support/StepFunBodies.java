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

    /** A tool call of an answer: id, function name and its arguments (JSON text). */
    public record Call(String id, String name, String arguments) {}

    /** A whole answer that calls functions (content empty, finish_reason tool_calls), with its reasoning. */
    public static String toolCalls(String reasoning, Call... calls) {
        StringBuilder list = new StringBuilder();
        for (Call call : calls) {
            list.append(list.isEmpty() ? "" : ",")
                    .append("{\"id\":\"%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\",\"arguments\":%s}}"
                            .formatted(call.id(), call.name(), quote(call.arguments())));
        }
        return """
                {"id":"chatcmpl-tools","object":"chat.completion","created":1764064800,"model":"step-3.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning":%s,"tool_calls":[%s]},
                 "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":20,"completion_tokens":12,"total_tokens":32,"cached_tokens":0}}
                """.formatted(reasoning == null ? "null" : quote(reasoning), list);
    }

    /**
     * A streamed answer that calls functions as OpenAI and StepFun stream them: for each call, its
     * id and name with the first piece, then its arguments in {@code pieces} chunks; then
     * finish_reason tool_calls and [DONE].
     */
    public static String streamedToolCalls(int pieces, Call... calls) {
        StringBuilder events = new StringBuilder();
        int tokens = 0;
        for (int index = 0; index < calls.length; index++) {
            Call call = calls[index];
            String arguments = call.arguments();
            int size = Math.max(1, (arguments.length() + pieces - 1) / pieces);
            for (int at = 0, piece = 0; at < arguments.length() || piece == 0; at += size, piece++) {
                String part =
                        arguments.substring(Math.min(at, arguments.length()), Math.min(arguments.length(), at + size));
                String head = piece == 0
                        ? "\"id\":\"%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\",\"arguments\":%s}"
                                .formatted(call.id(), call.name(), quote(part))
                        : "\"function\":{\"arguments\":%s}".formatted(quote(part));
                tokens++;
                events.append("""
                        data: {"id":"chatcmpl-st","object":"chat.completion.chunk","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":%d,%s}]},"finish_reason":""}],"usage":{"prompt_tokens":20,"completion_tokens":%d,"total_tokens":%d}}

                        """.formatted(index, head, tokens, 20 + tokens));
            }
        }
        events.append("""
                data: {"id":"chatcmpl-st","object":"chat.completion.chunk","model":"step-3.5-flash","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":%d,"total_tokens":%d}}

                data: [DONE]

                """.formatted(tokens, 20 + tokens));
        return events.toString();
    }

    /** A JSON string literal of {@code text}. */
    public static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
