package dev.stepchat.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Arc;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemResponses;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.security.CurrentOwner;

/**
 * The Idempotency-Key header of the POST endpoints (Stripe's semantics, and the IETF
 * httpapi-idempotency-key-header draft): the first response to a key is stored; a repeat with the
 * same request gets it again without running anything; the key with another request is a 422; a
 * repeat while the first is still running is a 409. Keys belong to the caller (the owner).
 * A request that runs a turn is "still running" exactly while a live replica holds that turn's
 * lease; once none does (its replica died), a repeat is answered with what the turn stored.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_KEY_LENGTH = 255;

    /** A response whose final outcome is only known later (a stream): stored once it completes. */
    public interface Deferred {
        /** The response to store for this request once the stream has ended. */
        CompletionStage<Response> outcome();
    }

    private final IdempotencyStore store;
    private final CurrentOwner owner;
    private final ObjectMapper json;
    private final ChatConfig config;
    private final RunningKey running;
    private final SettledTurns turns;

    Idempotency(
            IdempotencyStore store,
            CurrentOwner owner,
            ObjectMapper json,
            ChatConfig config,
            RunningKey running,
            SettledTurns turns) {
        this.store = store;
        this.owner = owner;
        this.json = json;
        this.config = config;
        this.running = running;
        this.turns = turns;
    }

    /**
     * Runs {@code action} once per key.
     *
     * @param path   the request path; with the method and the body, what makes two requests "the same"
     * @param replay turns a stored response into the one to send (a stream may want events)
     */
    public Response run(
            String key,
            String method,
            String path,
            Object body,
            Function<IdempotencyStore.Stored, Response> replay,
            Supplier<Response> action) {
        if (key == null) {
            return action.get();
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw ProblemException.invalid(HEADER, "must have 1 to " + MAX_KEY_LENGTH + " characters");
        }
        String caller = owner.id();
        IdempotencyStore.Claim claim = store.claim(
                caller,
                key,
                fingerprint(method + " " + path, body),
                config.idempotency().inFlightFor());
        return switch (claim) {
            case IdempotencyStore.Claim.Replay(IdempotencyStore.Stored stored) -> replay.apply(stored);
            case IdempotencyStore.Claim.Mismatch() ->
                throw new ProblemException(
                        ProblemType.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used for a different request; use a new key for a new request");
            case IdempotencyStore.Claim.InFlight() ->
                throw new ProblemException(
                        ProblemType.IDEMPOTENCY_KEY_IN_FLIGHT,
                        "The first request with this Idempotency-Key is still running; repeat it when it has finished");
            case IdempotencyStore.Claim.Run() -> execute(caller, key, path, action);
            case IdempotencyStore.Claim.Settle(UUID conversation, UUID holder, Instant since) -> {
                IdempotencyStore.Stored outcome = stored(turns.outcome(conversation, holder, since));
                store.complete(caller, key, outcome);
                yield replay.apply(outcome);
            }
        };
    }

    /**
     * Names the turn this request runs (called in the turn's first transaction, which takes its
     * lease): from then on its key is in flight exactly while a live replica holds that lease.
     * Nothing for a request without a key.
     */
    public void attachTurn(UUID conversationId, UUID holder) {
        if (Arc.container().requestContext().isActive() && running.key != null) {
            store.attachTurn(running.owner, running.key, conversationId, holder);
        }
    }

    private Response execute(String caller, String key, String path, Supplier<Response> action) {
        running.owner = caller;
        running.key = key;
        Response response;
        try {
            response = action.get();
        } catch (ProblemException problem) {
            store.complete(caller, key, stored(ProblemResponses.of(problem.toProblem(path), problem.retryAfter())));
            throw problem;
        } catch (RuntimeException unexpected) {
            store.release(caller, key);
            throw unexpected;
        }
        if (response.getEntity() instanceof Deferred deferred) {
            deferred.outcome().whenComplete((outcome, failure) -> {
                if (outcome != null) {
                    store.complete(caller, key, stored(outcome));
                } else {
                    store.release(caller, key);
                }
            });
        } else {
            store.complete(caller, key, stored(response));
        }
        return response;
    }

    /** The stored response as it is sent again, with a header saying it is a replay. */
    public static Response replayed(IdempotencyStore.Stored stored) {
        Response.ResponseBuilder builder = Response.status(stored.status()).header("Idempotent-Replayed", "true");
        if (stored.body() != null) {
            builder.entity(stored.body()).type(stored.contentType());
        }
        if (stored.location() != null) {
            builder.header(HttpHeaders.LOCATION, stored.location());
        }
        if (stored.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, stored.retryAfter());
        }
        return builder.build();
    }

    private IdempotencyStore.Stored stored(Response response) {
        String location =
                response.getLocation() == null ? null : response.getLocation().toString();
        MediaType type = response.getMediaType();
        try {
            String body = response.getEntity() == null ? null : json.writeValueAsString(response.getEntity());
            return new IdempotencyStore.Stored(
                    response.getStatus(),
                    type == null ? null : type.toString(),
                    location,
                    response.getHeaderString(HttpHeaders.RETRY_AFTER),
                    body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Response not serializable for replay", e);
        }
    }

    private String fingerprint(String request, Object body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(request.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(json.writeValueAsBytes(body));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
