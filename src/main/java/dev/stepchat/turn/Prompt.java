package dev.stepchat.turn;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.stepchat.conversation.Message;
import dev.stepchat.model.ContextFit;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
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
    static UUID lastAnswer(List<Message> branch) {
        for (int i = branch.size() - 1; i >= 0; i--) {
            Message m = branch.get(i);
            if (m.role == Message.Role.ASSISTANT
                    && (m.status == Message.Status.COMPLETED || m.status == Message.Status.INCOMPLETE)) {
                return m.id;
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
    static Prompt fit(String systemPrompt, List<Message> path, String newMessage, Integer limit) {
        List<ContextFit.Entry<Message>> history = new ArrayList<>();
        for (Message earlier : path) {
            if (earlier.status == Message.Status.COMPLETED || earlier.status == Message.Status.INCOMPLETE) {
                history.add(new ContextFit.Entry<>(
                        earlier,
                        earlier.role == Message.Role.USER,
                        earlier.content,
                        earlier.role == Message.Role.ASSISTANT ? earlier.promptTokens : null,
                        earlier.estimatedPromptTokens));
            }
        }
        String system = systemPrompt == null || systemPrompt.isEmpty() ? null : systemPrompt;
        ContextFit.Result<Message> result =
                ContextFit.fit(system, history, newMessage, limit == null ? Integer.MAX_VALUE : limit);
        List<ChatMessage> upstream = new ArrayList<>();
        if (system != null) {
            upstream.add(new ChatMessage("system", system));
        }
        for (Message kept : result.kept()) {
            upstream.add(new ChatMessage(kept.role == Message.Role.USER ? "user" : "assistant", kept.content));
        }
        upstream.add(new ChatMessage("user", newMessage));
        TurnView.Context context =
                new TurnView.Context(upstream.size(), result.omitted(), result.estimatedPromptTokens());
        ProblemException refusal = result.fits()
                ? null
                : new ProblemException(
                        ProblemType.CONTEXT_LENGTH_EXCEEDED,
                        "The system prompt and the new message need about " + result.estimatedPromptTokens()
                                + " tokens; this conversation's limit is " + limit
                                + " (shorten the message or raise context_limit)");
        return new Prompt(upstream, context, result.rawEstimate(), refusal);
    }
}
