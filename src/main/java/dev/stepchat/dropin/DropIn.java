package dev.stepchat.dropin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.subscription.Cancellable;

import dev.stepchat.conversation.service.Inputs;
import dev.stepchat.model.ContextFit;
import dev.stepchat.model.ModelCatalog;
import dev.stepchat.model.ModelsConfig;
import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;
import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;
import dev.stepchat.stepfun.ChunkSink;
import dev.stepchat.stepfun.Usage;
import dev.stepchat.stepfun.WireToolCall;
import dev.stepchat.turn.DropInCalls;

/**
 * OpenAI's chat-completions protocol on top of StepFun's (which is OpenAI-compatible, with its
 * own habits: a running usage in every chunk, {@code finish_reason: ""} until the last one,
 * reasoning in {@code reasoning}). Checks a request as a turn is checked, runs it as a drop-in call
 * (the caller's limits, the ledger; nothing stored as a conversation) and writes StepFun's answer
 * in OpenAI's shapes.
 */
@ApplicationScoped
public class DropIn {

    /** Most messages of one request: a history longer than any context window takes. */
    static final int MAX_MESSAGES = 10_000;

    private final DropInCalls calls;
    private final ModelCatalog models;
    private final ModelsConfig modelsConfig;
    private final Inputs inputs;
    private final CurrentOwner owner;

    DropIn(DropInCalls calls, ModelCatalog models, ModelsConfig modelsConfig, Inputs inputs, CurrentOwner owner) {
        this.calls = calls;
        this.models = models;
        this.modelsConfig = modelsConfig;
        this.inputs = inputs;
        this.owner = owner;
    }

    /** A checked request, as StepFun gets it, with its admitted call. */
    public record Admitted(DropInCalls.Call call, ChatCompletionRequest upstream, boolean includeUsage) {}

    /** Checks {@code request} and admits its call (before StepFun is called), or refuses it. */
    public Admitted admit(OpenAiRequest request) {
        if (request == null) {
            throw ProblemException.invalid("body", "must be a chat-completions request");
        }
        if (request.model() == null || request.model().isBlank()) {
            throw ProblemException.invalid("model", "must not be blank");
        }
        models.check("model", request.model());
        if (request.messages() == null || request.messages().isEmpty()) {
            throw ProblemException.invalid("messages", "must hold at least one message");
        }
        if (request.messages().size() > MAX_MESSAGES) {
            throw ProblemException.invalid("messages", "must hold at most " + MAX_MESSAGES + " messages");
        }
        if (request.n() != null && request.n() != 1) {
            throw ProblemException.invalid("n", "must be 1: one choice is asked for");
        }
        boolean hasTools = request.tools() != null && !request.tools().isNull();
        if (hasTools) {
            if (!request.tools().isArray()) {
                throw ProblemException.invalid("tools", "must be a list of function tools");
            }
            models.checkTools(request.model());
        }
        List<ChatMessage> messages = new ArrayList<>(request.messages().size());
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = message(request.messages().get(i), "messages[" + i + "]");
            messages.add(message);
            if (message.content() != null) {
                prompt.append(message.content()).append('\n');
            }
            if (message.toolCalls() != null) {
                prompt.append(message.toolCalls()).append('\n');
            }
        }
        if (hasTools) {
            prompt.append(request.tools());
        }
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        if (maxTokens != null && maxTokens < 1) {
            throw ProblemException.invalid("max_tokens", "must be at least 1");
        }
        boolean streamed = Boolean.TRUE.equals(request.stream());
        ChatCompletionRequest upstream = new ChatCompletionRequest(
                request.model(),
                messages,
                request.temperature(),
                request.topP(),
                maxTokens,
                streamed ? Boolean.TRUE : null,
                hasTools ? request.tools() : null,
                request.toolChoice() == null || request.toolChoice().isNull() ? null : request.toolChoice());
        DropInCalls.Call call = calls.begin(
                owner.id(),
                request.model(),
                ContextFit.estimate(prompt.toString()) + 4L * messages.size(),
                maxTokens != null ? maxTokens : modelsConfig.replyReserve(),
                streamed);
        boolean includeUsage = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return new Admitted(call, upstream, includeUsage);
    }

    private ChatMessage message(OpenAiRequest.Message message, String at) {
        if (message == null || message.role() == null) {
            throw ProblemException.invalid(at + ".role", "must be system, developer, user, assistant or tool");
        }
        String role = switch (message.role().toLowerCase(Locale.ROOT)) {
            case "system", "developer" -> "system";
            case "user" -> "user";
            case "assistant" -> "assistant";
            case "tool" -> "tool";
            default ->
                throw ProblemException.invalid(at + ".role", "must be system, developer, user, assistant or tool");
        };
        String text = text(message.content(), at + ".content");
        if (text != null) {
            inputs.checkContent(text, at + ".content");
        }
        if ("tool".equals(role)
                && (message.toolCallId() == null || message.toolCallId().isBlank())) {
            throw ProblemException.invalid(at + ".tool_call_id", "a tool message must name its tool call");
        }
        if (text == null && !("assistant".equals(role) && message.toolCalls() != null)) {
            throw ProblemException.invalid(at + ".content", "must not be empty");
        }
        return new ChatMessage(
                role,
                text,
                "assistant".equals(role) ? message.toolCalls() : null,
                "tool".equals(role) ? message.toolCallId() : null,
                null);
    }

    /** A message's text: the string, or its text parts joined; an image part is refused. */
    private static String text(JsonNode content, String at) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ProblemException.invalid(at, "must be a string or a list of text parts");
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            if (!"text".equals(type) || !part.path("text").isTextual()) {
                throw new ProblemException(
                        ProblemType.VALIDATION_FAILED,
                        "Only text parts ({\"type\": \"text\", \"text\": ...}) are taken; image parts are not yet",
                        List.of(new Problem.FieldError(at, "must be a string or a list of text parts")),
                        null);
            }
            joined.append(part.path("text").textValue());
        }
        return joined.toString();
    }

    /** A whole answer in OpenAI's shape; its usage is in the ledger. */
    public OpenAiWire.Completion complete(Admitted admitted) {
        try (DropInCalls.Call call = admitted.call()) {
            ChatCompletion answer = calls.complete(call, admitted.upstream());
            ChatCompletion.Choice choice = answer.first();
            ChatCompletion.Message message = choice == null ? null : choice.message();
            String reasoning = message == null
                            || message.reasoning() == null
                            || message.reasoning().isEmpty()
                    ? null
                    : message.reasoning();
            List<WireToolCall> toolCalls = message == null
                            || message.toolCalls() == null
                            || message.toolCalls().isEmpty()
                    ? null
                    : message.toolCalls();
            return new OpenAiWire.Completion(
                    id(answer.id(), call),
                    "chat.completion",
                    Instant.now().getEpochSecond(),
                    answer.model() != null
                            ? answer.model()
                            : admitted.upstream().model(),
                    List.of(new OpenAiWire.Choice(
                            0,
                            new OpenAiWire.Message(
                                    "assistant",
                                    message == null ? null : message.content(),
                                    null,
                                    reasoning,
                                    toolCalls),
                            finishReason(choice == null ? null : choice.finishReason(), toolCalls != null),
                            null)),
                    usage(answer.usage()));
        }
    }

    /** Starts a streamed answer: returns once StepFun's first chunk has arrived, its chunks going to {@code sink}. */
    public Cancellable stream(Admitted admitted, ChunkSink sink) {
        try {
            return calls.stream(admitted.call(), admitted.upstream().streaming(), sink);
        } catch (RuntimeException e) {
            admitted.call().close();
            throw e;
        }
    }

    /** Records a streamed call's usage (the last StepFun sent) and gives its places back. */
    public void ended(Admitted admitted, Usage usage, String model, String upstreamId) {
        try (DropInCalls.Call call = admitted.call()) {
            calls.ended(call, usage, model, upstreamId);
        }
    }

    static String id(String upstreamId, DropInCalls.Call call) {
        return upstreamId != null && !upstreamId.isBlank() ? upstreamId : "chatcmpl-" + call.id();
    }

    /** OpenAI's finish reasons; StepFun's empty string (not finished) is null. */
    static String finishReason(String upstream, boolean toolCalls) {
        if (upstream == null || upstream.isEmpty()) {
            return toolCalls ? "tool_calls" : "stop";
        }
        return upstream;
    }

    public static OpenAiWire.Usage usage(Usage usage) {
        if (usage == null) {
            return new OpenAiWire.Usage(0, 0, 0, new OpenAiWire.PromptTokensDetails(0));
        }
        return new OpenAiWire.Usage(
                usage.promptOrZero(),
                usage.completionOrZero(),
                usage.totalOrSum(),
                new OpenAiWire.PromptTokensDetails(usage.cachedOrZero()));
    }
}
