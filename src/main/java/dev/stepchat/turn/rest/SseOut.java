package dev.stepchat.turn.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An event stream's response body: frames written whole and flushed, and meanwhile, from a virtual
 * thread, a keep-alive comment whenever {@code every} passes without a frame, so that a caller
 * whose connection died without closing is noticed within that time. When a keep-alive cannot be
 * written, {@code callerGone} runs (the writer itself learns it from its next write). Closing
 * stops the keep-alives.
 */
public final class SseOut implements AutoCloseable {

    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final OutputStream out;
    private final AtomicLong lastWrite = new AtomicLong(System.nanoTime());
    private final Thread keepingAlive;

    public SseOut(OutputStream out, Duration every, String name, Runnable callerGone) {
        this.out = out;
        this.keepingAlive = Thread.ofVirtual().name(name).start(() -> keepAlive(every.toNanos(), callerGone));
    }

    /** Writes a frame (nothing for an empty one) and flushes it. */
    public void write(byte[] frame) throws IOException {
        if (frame.length == 0) {
            return;
        }
        send(frame);
    }

    @Override
    public void close() {
        keepingAlive.interrupt();
    }

    private void send(byte[] frame) throws IOException {
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
        lastWrite.set(System.nanoTime());
    }

    private void keepAlive(long every, Runnable callerGone) {
        try {
            while (true) {
                long quiet = System.nanoTime() - lastWrite.get();
                if (quiet < every) {
                    Thread.sleep(Duration.ofNanos(every - quiet));
                    continue;
                }
                send(KEEP_ALIVE);
            }
        } catch (InterruptedException streamEnded) {
            // every frame is written
        } catch (IOException | RuntimeException hungUp) {
            callerGone.run();
        }
    }
}
