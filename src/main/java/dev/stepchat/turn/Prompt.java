package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.MessagePart;
import dev.stepchat.conversation.ToolCall;
import dev.stepchat.model.ContextFit;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;
import dev.stepchat.turn.api.TurnView;

/**
 * The messages a turn sends upstream, built from the branch it follows: pure (no database, no
 * configuration), so that its rules are tested directly (PromptTest).
 *
 * @param upstream    the messages sent, system prompt first, the new message last
 * @param context     what the turn's response reports of the fitting
 * @param rawEstimate the prompt's estimate before calibration (kept on the answer)
 * @param refusal     why nothing can be sent (the new message does not fit), or null
 */
record Prompt(List<ChatMessage> upstream, TurnView.Context context, int rawEstimate, ProblemException refusal) {

    /**
     * The current branch's last completed or incomplete answer, or null (a failed user message at
     * its end is left as a dead-end sibling).
     */
    static Message lastAnswer(List<Message> branch) {
        for (int i = branch.size() - 1; i >= 0; i--) {
            Message m = branch.get(i);
            if (m.role == Message.Role.ASSISTANT
                    && (m.status == Message.Status.COMPLETED || m.status == Message.Status.INCOMPLETE)) {
                return m;
            }
        }
        return null;
    }

    /** The start of a path, down to {@code last} (none for null). */
    static List<Message> upTo(List<Message> path, UUID last) {
        for (int i = 0; i < path.size(); i++) {
            if (path.get(i).id.equals(last)) {
                return path.subList(0, i + 1);
            }
        }
        return List.of();
    }

    /**
     * The system prompt, then the completed and incomplete messages of {@code path} (the root down to the new
     * message's parent) that fit the conversation's context limit (or the model's window less the room
     * for the reply; null: no limit), oldest exchanges left out first, then the new message.
     */
    /** A text message's prompt (no images). */
    static Prompt fit(String systemPrompt, List<Message> path, String newMessage, Integer limit) {
        Message user = new Message();
        user.role = Message.Role.USER;
        user.content = newMessage;
        return fit(systemPrompt, path, user, limit, 0);
    }

    static Prompt fitResults(String systemPrompt, List<Message> path, List<Message> results, Integer limit) {
        return fitResults(systemPrompt, path, results, limit, 0);
    }

    /** The prompt of a new message, each of its images and its history's counted at {@code imageTokens}. */
    static Prompt fit(String systemPrompt, List<Message> path, Message newMessage, Integer limit, int imageTokens) {
        return fit(
                systemPrompt,
                path,
                List.of(upstream(newMessage)),
                text(newMessage),
                images(newMessage) * imageTokens,
                limit,
                imageTokens,
                "The system prompt and the new message need about %d tokens; this conversation's limit is %s"
                        + " (shorten the message or raise context_limit)");
    }

    /**
     * The prompt of a turn that answers the tool calls of the path's last message with
     * {@code results}: an assistant message with tool calls and its results are one unit, so the
     * exchange they belong to (from its user message on) is always sent whole, with the results;
     * only older exchanges are left out to fit.
     */
    static Prompt fitResults(
            String systemPrompt, List<Message> path, List<Message> results, Integer limit, int imageTokens) {
        int from = 0;
        for (int i = path.size() - 1; i >= 0; i--) {
            if (path.get(i).role == Message.Role.USER && sent(path.get(i))) {
                from = i;
                break;
            }
        }
        List<ChatMessage> fixed = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int images = 0;
        for (Message m : path.subList(from, path.size())) {
            if (sent(m)) {
                fixed.add(upstream(m));
                text.append(text(m)).append('\n');
                images += images(m);
            }
        }
        for (Message result : results) {
            fixed.add(upstream(result));
            text.append(text(result)).append('\n');
        }
        return fit(
                systemPrompt,
                path.subList(0, from),
                fixed,
                text.toString(),
                images * imageTokens,
                limit,
                imageTokens,
                "The system prompt, the tool calls and their results need about %d tokens; this conversation's"
                        + " limit is %s (shorten the results or raise context_limit)");
    }

    private static Prompt fit(
            String systemPrompt,
            List<Message> path,
            List<ChatMessage> fixed,
            String fixedText,
            int fixedExtra,
            Integer limit,
            int imageTokens,
            String tooLong) {
        List<ContextFit.Entry<Message>> history = new ArrayList<>();
        for (Message earlier : path) {
            if (sent(earlier)) {
                history.add(new ContextFit.Entry<>(
                        earlier,
                        earlier.role == Message.Role.USER,
                        text(earlier),
                        earlier.role == Message.Role.ASSISTANT ? earlier.promptTokens : null,
                        earlier.estimatedPromptTokens,
                        images(earlier) * imageTokens));
            }
        }
        String system = systemPrompt == null || systemPrompt.isEmpty() ? null : systemPrompt;
        // tool messages are not user messages: an exchange (a user message and all that follows it,
        // tool calls and their results included) is left out whole or not at all
        ContextFit.Result<Message> result =
                ContextFit.fit(system, history, fixedText, fixedExtra, limit == null ? Integer.MAX_VALUE : limit);
        List<ChatMessage> upstream = new ArrayList<>();
        if (system != null) {
            upstream.add(new ChatMessage("system", system));
        }
        for (Message kept : result.kept()) {
            upstream.add(upstream(kept));
        }
        upstream.addAll(fixed);
        TurnView.Context context =
                new TurnView.Context(upstream.size(), result.omitted(), result.estimatedPromptTokens());
        ProblemException refusal = result.fits()
                ? null
                : new ProblemException(
                        ProblemType.CONTEXT_LENGTH_EXCEEDED, tooLong.formatted(result.estimatedPromptTokens(), limit));
        return new Prompt(upstream, context, result.rawEstimate(), refusal);
    }

    /** Whether an earlier message is sent to the model: completed and incomplete ones are. */
    private static boolean sent(Message m) {
        return m.status == Message.Status.COMPLETED || m.status == Message.Status.INCOMPLETE;
    }

    /**
     * A stored message as StepFun is sent it: an assistant message with its tool calls and, with
     * them, its reasoning (StepFun's reasoning models expect the reasoning of a tool-call message
     * back in the following requests); a tool message with the id of the call it answers.
     */
    static ChatMessage upstream(Message m) {
        return switch (m.role) {
            case USER ->
                m.parts == null
                        ? new ChatMessage("user", m.content)
                        : new ChatMessage("user", parts(m.parts), null, null, null);
            case TOOL -> new ChatMessage("tool", m.content, null, m.toolCallId, null);
            case ASSISTANT -> {
                if (m.toolCalls == null || m.toolCalls.length == 0) {
                    yield new ChatMessage("assistant", m.content);
                }
                yield new ChatMessage("assistant", m.content, UpstreamToolCalls.toWire(m.toolCalls), null, m.reasoning);
            }
        };
    }

    /**
     * A message's parts as StepFun's vision models take them: text parts, and each image as an
     * {@code image_url} part whose URL names the file ({@link UpstreamImages#FILE_URL}) until the
     * upstream call, which sends its bytes; an image deleted since is said in words.
     */
    private static List<ChatCompletionRequest.Part> parts(MessagePart[] parts) {
        List<ChatCompletionRequest.Part> wire = new ArrayList<>(parts.length);
        for (MessagePart part : parts) {
            if (!part.isImage()) {
                wire.add(ChatCompletionRequest.Part.text(part.text()));
            } else if (Boolean.TRUE.equals(part.deleted())) {
                wire.add(ChatCompletionRequest.Part.text(UpstreamImages.DELETED));
            } else {
                wire.add(ChatCompletionRequest.Part.image(UpstreamImages.FILE_URL + part.fileId()));
            }
        }
        return wire;
    }

    /** How many images (not deleted) a message carries. */
    static int images(Message m) {
        if (m.parts == null) {
            return 0;
        }
        int images = 0;
        for (MessagePart part : m.parts) {
            if (part.isImage() && !Boolean.TRUE.equals(part.deleted())) {
                images++;
            }
        }
        return images;
    }

    /** What an earlier message weighs in the estimate: its text and the calls it made. */
    private static String text(Message m) {
        if (m.toolCalls == null || m.toolCalls.length == 0) {
            return m.content;
        }
        StringBuilder text = new StringBuilder(m.content == null ? "" : m.content);
        for (ToolCall call : m.toolCalls) {
            text.append(' ')
                    .append(call.function().name())
                    .append(' ')
                    .append(call.function().arguments());
        }
        return text.toString();
    }
}
