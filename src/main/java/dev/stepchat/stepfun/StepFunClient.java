package dev.stepchat.stepfun;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CustomBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import dev.stepchat.config.StepFunConfig;

/**
 * The one way the service calls StepFun, and the one retry layer of the service. The annotations
 * say which strategies apply; their values have one source, Quarkus' fault-tolerance keys of this
 * class in application.properties ({@value #CONFIG}...).
 * <ul>
 * <li>Retry: 429, 5xx and I/O failures, with exponential backoff, jitter and Retry-After; never a
 * request StepFun refused (4xx); all attempts together within {@code maxDuration}.</li>
 * <li>Timeout: per attempt.</li>
 * <li>Circuit breaker: opens on a run of upstream failures; requests StepFun refused do not count.</li>
 * <li>Bulkhead: caps the calls in flight (StepFun limits concurrency per account).</li>
 * </ul>
 */
@ApplicationScoped
@Retry
@RetryWhen(exception = StepFunErrors.Retryable.class)
@CustomBackoff(RetryAfterBackoff.class)
@CircuitBreaker(skipOn = {StepFunRejection.class, BulkheadException.class})
@Timeout
@Bulkhead
public class StepFunClient {

    /** The prefix of this class's fault-tolerance configuration keys. */
    public static final String CONFIG = "quarkus.fault-tolerance.\"dev.stepchat.stepfun.StepFunClient\".";

    private final StepFunApi api;
    /** "Bearer " + STEP_API_KEY; never logged. */
    private final String authorization;

    StepFunClient(@RestClient StepFunApi api, StepFunConfig config) {
        this.api = api;
        this.authorization = "Bearer " + config.apiKey();
    }

    /**
     * StepFun's model list. Its own short timeout, no retries and no circuit breaker (the
     * method-level annotations take the method-level keys of this class's configuration): the
     * catalogue falls back to what it has and asks again later instead.
     */
    @Retry
    @Timeout
    @CircuitBreaker
    @CircuitBreakerName("stepfun-models")
    public Uni<ModelList> models() {
        return api.models(authorization);
    }

    /** A whole answer. */
    @CircuitBreakerName("stepfun-complete")
    public Uni<ChatCompletion> complete(ChatCompletionRequest request) {
        return api.create(authorization, request);
    }

    /**
     * A streamed answer: every chunk goes to {@code sink}, and the returned Uni completes (with
     * the handle that cancels the upstream request) when the first chunk has arrived. Until then
     * the fault tolerance above applies: a failure before the first chunk is retried, the timeout
     * is the time to the first chunk, and an attempt given up is cancelled before it can deliver
     * anything. After it, nothing is retried: the text may have reached a caller.
     */
    @CircuitBreakerName("stepfun-stream")
    public Uni<Cancellable> stream(ChatCompletionRequest request, ChunkSink sink) {
        return Uni.createFrom().emitter(opened -> {
            Attempt attempt = new Attempt();
            attempt.subscribed(api.stream(authorization, request.streaming())
                    .subscribe()
                    .with(
                            chunk -> {
                                if (attempt.state.compareAndSet(State.WAITING, State.OPEN)) {
                                    sink.chunk(chunk);
                                    opened.complete((Cancellable) attempt::cancel);
                                } else if (attempt.state.get() == State.OPEN) {
                                    sink.chunk(chunk);
                                }
                            },
                            failure -> {
                                if (attempt.state.compareAndSet(State.WAITING, State.GIVEN_UP)) {
                                    opened.fail(failure);
                                } else if (attempt.state.compareAndSet(State.OPEN, State.GIVEN_UP)) {
                                    sink.failed(failure);
                                }
                            },
                            () -> {
                                if (attempt.state.compareAndSet(State.WAITING, State.GIVEN_UP)) {
                                    opened.fail(new StepFunException(
                                            StepFunException.Kind.BAD_RESPONSE,
                                            200,
                                            "the stream ended before any chunk",
                                            null,
                                            null));
                                } else if (attempt.state.compareAndSet(State.OPEN, State.GIVEN_UP)) {
                                    sink.ended();
                                }
                            }));
            // a timeout or a cancelled caller before the first chunk closes this attempt's request
            opened.onTermination(() -> {
                if (attempt.state.get() == State.WAITING) {
                    attempt.cancel();
                }
            });
        });
    }

    private enum State {
        WAITING,
        OPEN,
        GIVEN_UP
    }

    /**
     * One attempt at a stream: WAITING for its first chunk, then OPEN (its chunks go to the sink)
     * or GIVEN_UP (ended, timed out or cancelled: whatever it still delivers is dropped).
     */
    private static final class Attempt {
        final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
        private volatile Cancellable call;

        void subscribed(Cancellable call) {
            this.call = call;
            if (state.get() == State.GIVEN_UP) {
                call.cancel();
            }
        }

        /** Closes the upstream request; the sink hears nothing more. */
        void cancel() {
            state.set(State.GIVEN_UP);
            Cancellable subscription = call;
            if (subscription != null) {
                subscription.cancel();
            }
        }
    }
}
