package dev.stepchat.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.stepchat.conversation.Message;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;

/** The prompt a turn sends, built from its branch without a database. */
class PromptTest {

    private static Message message(Message.Role role, Message.Status status, String content) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.role = role;
        m.status = status;
        m.content = content;
        m.createdAt = Instant.now();
        return m;
    }

    private static Message user(String content) {
        return message(Message.Role.USER, Message.Status.COMPLETED, content);
    }

    private static Message answer(String content) {
        return message(Message.Role.ASSISTANT, Message.Status.COMPLETED, content);
    }

    private static List<String> roles(Prompt prompt) {
        return prompt.upstream().stream().map(ChatMessage::role).toList();
    }

    @Test
    void theSystemPromptComesFirstAndTheNewMessageLast() {
        Prompt prompt = Prompt.fit("Be brief.", List.of(user("hi"), answer("hello")), "and now?", null);
        assertThat(roles(prompt)).containsExactly("system", "user", "assistant", "user");
        assertThat(prompt.upstream().getFirst().content()).isEqualTo("Be brief.");
        assertThat(prompt.upstream().getLast().content()).isEqualTo("and now?");
        assertThat(prompt.context().messagesSent()).isEqualTo(4);
        assertThat(prompt.refusal()).isNull();
    }

    @Test
    void anEmptySystemPromptIsNotSent() {
        assertThat(roles(Prompt.fit("", List.of(), "hi", null))).containsExactly("user");
    }

    @Test
    void failedAndRunningMessagesAreNotSentButIncompleteAnswersAre() {
        Message failed = message(Message.Role.USER, Message.Status.FAILED, "lost");
        Message running = message(Message.Role.ASSISTANT, Message.Status.IN_PROGRESS, "half");
        Message cut = message(Message.Role.ASSISTANT, Message.Status.INCOMPLETE, "cut short");
        Prompt prompt = Prompt.fit(null, List.of(user("q"), cut, failed, running), "next", null);
        assertThat(prompt.upstream()).extracting(ChatMessage::content).containsExactly("q", "cut short", "next");
    }

    @Test
    void theOldestExchangesGoFirstWhenTheLimitIsShort() {
        List<Message> path = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            path.add(user("question " + i + " ".repeat(40)));
            path.add(answer("answer " + i + " ".repeat(40)));
        }
        int all = Prompt.fit(null, path, "next", null).context().estimatedPromptTokens();
        Prompt fitted = Prompt.fit(null, path, "next", all - 1);
        assertThat(fitted.context().messagesOmitted()).isPositive();
        assertThat(fitted.upstream().get(0).text()).doesNotStartWith("question 0");
        assertThat(fitted.context().estimatedPromptTokens()).isLessThan(all);
        assertThat(fitted.refusal()).isNull();
    }

    @Test
    void aNewMessageThatCannotFitIsRefusedWithTheLimitNamed() {
        Prompt prompt = Prompt.fit("system", List.of(), "word ".repeat(200), 10);
        assertThat(prompt.refusal()).isNotNull();
        assertThat(prompt.refusal().type()).isEqualTo(ProblemType.CONTEXT_LENGTH_EXCEEDED);
        assertThat(prompt.refusal().getMessage()).contains("limit is 10");
    }

    @Test
    void theBranchFollowsItsLastAnswerAndStopsAtAParent() {
        Message q1 = user("q1");
        Message a1 = answer("a1");
        Message q2 = message(Message.Role.USER, Message.Status.FAILED, "q2");
        List<Message> branch = List.of(q1, a1, q2);
        assertThat(Prompt.lastAnswer(branch)).isSameAs(a1);
        assertThat(Prompt.lastAnswer(List.of(q1))).isNull();
        assertThat(Prompt.upTo(branch, a1.id)).containsExactly(q1, a1);
        assertThat(Prompt.upTo(branch, null)).isEmpty();
    }
}
