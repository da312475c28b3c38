package dev.stepchat.stepfun;

import java.util.concurrent.atomic.AtomicBoolean;
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
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
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
     * A streamed answer, delivered once its first chunk has arrived. Until then the fault
     * tolerance above applies (a failure before the first chunk is retried; the timeout is the
     * time to the first chunk). After it, nothing is retried: text may have reached the caller.
     */
    @CircuitBreakerName("stepfun-stream")
    public Uni<StreamingAnswer> stream(ChatCompletionRequest request) {
        return Uni.createFrom().emitter(opened -> {
            UnicastProcessor<ChatCompletionChunk> rest = UnicastProcessor.create();
            AtomicBoolean waitingForFirst = new AtomicBoolean(true);
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            Runnable cancel = () -> {
                Cancellable subscription = upstream.get();
                if (subscription != null) {
                    subscription.cancel();
                }
            };
            upstream.set(api.stream(authorization, request.streaming()).subscribe().with(
                    chunk -> {
                        if (waitingForFirst.compareAndSet(true, false)) {
                            opened.complete(new StreamingAnswer(chunk,
                                    rest.onCancellation().invoke(cancel), cancel));
                        } else {
                            rest.onNext(chunk);
                        }
                    },
                    failure -> {
                        if (waitingForFirst.compareAndSet(true, false)) {
                            opened.fail(failure);
                        } else {
                            rest.onError(failure);
                        }
                    },
                    () -> {
                        if (waitingForFirst.compareAndSet(true, false)) {
                            opened.fail(new StepFunException(StepFunException.Kind.BAD_RESPONSE, 200,
                                    "the stream ended before any chunk", null, null));
                        } else {
                            rest.onComplete();
                        }
                    }));
            // a timeout or a cancelled caller before the first chunk closes the upstream request
            opened.onTermination(() -> {
                if (waitingForFirst.get()) {
                    cancel.run();
                }
            });
        });
    }
}
