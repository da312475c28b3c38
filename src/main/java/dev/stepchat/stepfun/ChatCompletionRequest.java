package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Body of POST /chat/completions in StepFun's (OpenAI-compatible) format. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Boolean stream,
        JsonNode tools,
        JsonNode toolChoice) {

    public ChatCompletionRequest streaming() {
        return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, true, tools, toolChoice);
    }

    /**
     * One message. {@code content} is a text, or a list of {@link Part}s (a user message with
     * images, as StepFun's vision models take it: text and {@code image_url} parts).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatMessage(
            String role, Object content, List<WireToolCall> toolCalls, String toolCallId, String reasoning) {

        public ChatMessage(String role, String content) {
            this(role, content, null, null, null);
        }

        /** The message's text: its content, or its text parts joined by blank lines. */
        public String text() {
            if (content instanceof List<?> parts) {
                StringBuilder text = new StringBuilder();
                for (Object part : parts) {
                    Object partText = part instanceof Part p
                            ? p.text()
                            : part instanceof java.util.Map<?, ?> map ? map.get("text") : null;
                    if (partText instanceof String s && !s.isEmpty()) {
                        text.append(text.isEmpty() ? "" : "\n\n").append(s);
                    }
                }
                return text.toString();
            }
            return content == null ? null : content.toString();
        }

        /** How many image parts the message has. */
        public int images() {
            if (content instanceof List<?> parts) {
                return (int) parts.stream()
                        .filter(part -> part instanceof Part p
                                ? "image_url".equals(p.type())
                                : part instanceof java.util.Map<?, ?> map && "image_url".equals(map.get("type")))
                        .count();
            }
            return 0;
        }
    }

    /** A part of a message's content: {@code text}, or {@code image_url} with the image's URL (a data URL). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Part(String type, String text, ImageUrl imageUrl) {

        public static Part text(String text) {
            return new Part("text", text, null);
        }

        public static Part image(String url) {
            return new Part("image_url", null, new ImageUrl(url));
        }
    }

    @RegisterForReflection
    public record ImageUrl(String url) {}
}
