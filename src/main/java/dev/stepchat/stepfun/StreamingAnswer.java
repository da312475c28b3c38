package dev.stepchat.stepfun;

import io.smallrye.mutiny.Multi;

/**
 * A StepFun stream that has produced its first chunk. {@link #rest()} is every later chunk, to
 * be subscribed once; {@link #cancel()} closes the upstream request (the caller went away).
 */
public record StreamingAnswer(ChatCompletionChunk first, Multi<ChatCompletionChunk> rest, Runnable cancel) {

    public void close() {
        cancel.run();
    }
}
