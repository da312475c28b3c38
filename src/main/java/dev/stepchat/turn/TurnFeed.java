package dev.stepchat.turn;

/**
 * The events of one streamed turn for one reader (a caller's connection), from where that reader
 * is: at the start, or after the event whose id it sent back. Each piece of text is delivered once.
 */
public interface TurnFeed extends AutoCloseable {

    /**
     * The next event, waiting for it if the turn has not produced it yet; null once the final
     * event was delivered or the feed was closed.
     */
    TurnEvent next() throws InterruptedException;

    /** The reader has gone: a waiting {@link #next()} returns null at once, and so does every later one. */
    @Override
    void close();
}
