package dev.stepchat.stepfun;

/**
 * Where a streamed answer's chunks go, in order, from the first to the end. Called on the
 * client's I/O thread: implementations must not block.
 */
public interface ChunkSink {

    void chunk(ChatCompletionChunk chunk);

    /** The stream failed after its first chunk (before it, the call itself fails). */
    void failed(Throwable failure);

    /** StepFun ended the stream. */
    void ended();
}
