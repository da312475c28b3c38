package dev.stepchat.turn.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.turn.TurnEvent;
import dev.stepchat.turn.TurnFeed;
import dev.stepchat.turn.api.ToolCallDelta;

/**
 * A turn's events written as server-sent events on the request's virtual thread, framed by a
 * {@link Framing}: this service's own events ({@code id}, {@code event}, {@code data}), or the
 * AI SDK's UI message stream. When the caller's connection closes, the feed is closed at once:
 * the turn itself goes on, and only this reader ends.
 */
final class EventStream implements StreamingOutput, Idempotency.Deferred {

    /** How events go on the wire: the bytes of each, and of the stream's end. */
    interface Framing {
        byte[] frame(TurnEvent event) throws IOException;

        /** Written after the last event (the feed ended); none by default. */
        default byte[] end() {
            return new byte[0];
        }

        /** Headers of the response besides its type. */
        default Map<String, String> headers() {
            return Map.of();
        }
    }

    @RegisterForReflection
    record StartData(MessageView userMessage, MessageView message) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeltaData(String content, String reasoning, List<ToolCallDelta> toolCalls) {}

    private final TurnFeed feed;
    private final Framing framing;
    private final CompletionStage<Response> outcome;
    private final Duration keepAlive;

    EventStream(
            TurnFeed feed,
            Framing framing,
            RoutingContext routing,
            CompletionStage<Response> outcome,
            Duration keepAlive) {
        this.feed = feed;
        this.framing = framing;
        this.keepAlive = keepAlive;
        this.outcome = outcome == null ? CompletableFuture.completedFuture(null) : outcome;
        routing.response().closeHandler(closed -> feed.close());
    }

    /** This service's own events: {@code id}, {@code event} (start, delta, done, error) and {@code data}. */
    static Framing turnEvents(ObjectMapper json) {
        return event -> {
            String name;
            Object data;
            switch (event) {
                case TurnEvent.Start start -> {
                    name = "start";
                    data = new StartData(start.userMessage(), start.message());
                }
                case TurnEvent.Delta delta -> {
                    name = "delta";
                    data = new DeltaData(delta.content(), delta.reasoning(), delta.toolCalls());
                }
                case TurnEvent.Done done -> {
                    name = "done";
                    data = done.turn();
                }
                case TurnEvent.Failed failed -> {
                    name = "error";
                    data = failed.problem();
                }
            }
            return ("id: " + event.id() + "\nevent: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The response: 200, text/event-stream, not cached or buffered by proxies. */
    Response response() {
        Response.ResponseBuilder response = Response.ok(this, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no");
        framing.headers().forEach(response::header);
        return response.build();
    }

    @Override
    public CompletionStage<Response> outcome() {
        return outcome;
    }

    /**
     * Writes the feed's events as they come; meanwhile a keep-alive comment goes out whenever
     * {@code keepAlive} passed without an event. A write that fails (the caller is gone) closes
     * the feed, so the reader's place is freed then, not when the answer ends.
     */
    @Override
    public void write(OutputStream body) {
        try (feed;
                SseOut out = new SseOut(body, keepAlive, "sse-keep-alive", feed::close)) {
            TurnEvent event;
            while ((event = feed.next()) != null) {
                out.write(framing.frame(event));
            }
            out.write(framing.end());
        } catch (IOException callerGone) {
            // the connection is closed; the turn goes on without this reader
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
