package dev.stepchat.conversation.service;

import dev.stepchat.conversation.Message;
import dev.stepchat.conversation.api.SendMessage;
import dev.stepchat.conversation.api.TurnView;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.stepfun.ChatCompletion;
import dev.stepchat.stepfun.StepFunClient;
import dev.stepchat.stepfun.StepFunErrors;
import dev.stepchat.stepfun.StepFunException;
import dev.stepchat.usage.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * A chat turn: short transaction (store the user message, read the history), the upstream call
 * with no transaction or connection held, short transaction (store the reply, add the usage).
 * Not transactional itself, on purpose.
 */
@ApplicationScoped
public class TurnService {

    private final TurnStore store;
    private final StepFunClient stepFun;
    private final CurrentOwner owner;
    private final Inputs inputs;

    TurnService(TurnStore store, StepFunClient stepFun, CurrentOwner owner, Inputs inputs) {
        this.store = store;
        this.stepFun = stepFun;
        this.owner = owner;
        this.inputs = inputs;
    }

    public TurnView send(UUID conversationId, SendMessage body, String path) {
        inputs.checkTurn(body.content(), body.model());
        TurnStore.Started started = store.begin(conversationId, owner.id(), body);
        TurnStore.Answer answer;
        try {
            answer = answer(stepFun.complete(started.upstream()).await().indefinitely());
        } catch (RuntimeException failure) {
            ProblemException problem = StepFunErrors.toProblem(failure);
            store.fail(started.userMessage().id(), problem.toProblem(path));
            throw problem;
        }
        return store.complete(started, answer, Message.Status.COMPLETED);
    }

    private static TurnStore.Answer answer(ChatCompletion completion) {
        ChatCompletion.Choice choice = completion == null ? null : completion.first();
        if (choice == null || choice.message() == null || choice.message().content() == null) {
            throw new StepFunException(StepFunException.Kind.BAD_RESPONSE, 200, "", null, null);
        }
        TokenUsage usage = completion.usage() == null ? TokenUsage.ZERO : completion.usage().toTokenUsage();
        String reasoning = choice.message().reasoning();
        return new TurnStore.Answer(choice.message().content(), reasoning == null || reasoning.isEmpty() ? null : reasoning,
                completion.model(), choice.finishReason(), usage, completion.id());
    }
}
