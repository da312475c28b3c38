package dev.stepchat.turn.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

/**
 * A turn's events written as server-sent events ({@code id}, {@code event}, {@code data}) on the
 * request's virtual thread. When the caller's connection closes, the feed is closed at once: the
 * turn itself goes on, and only this reader ends.
 */
final class EventStream implements StreamingOutput, Idempotency.Deferred {

    @RegisterForReflection
    record StartData(MessageView userMessage, MessageView message) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeltaData(String content, String reasoning) {}

    private final TurnFeed feed;
    private final ObjectMapper json;
    private final CompletionStage<Response> outcome;

    EventStream(TurnFeed feed, ObjectMapper json, RoutingContext routing, CompletionStage<Response> outcome) {
        this.feed = feed;
        this.json = json;
        this.outcome = outcome == null ? CompletableFuture.completedFuture(null) : outcome;
        routing.response().closeHandler(closed -> feed.close());
    }

    /** The response: 200, text/event-stream, not cached or buffered by proxies. */
    Response response() {
        return Response.ok(this, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    @Override
    public CompletionStage<Response> outcome() {
        return outcome;
    }

    @Override
    public void write(OutputStream out) {
        try (feed) {
            TurnEvent event;
            while ((event = feed.next()) != null) {
                out.write(frame(event));
                out.flush();
            }
        } catch (IOException callerGone) {
            // the connection is closed; the turn goes on without this reader
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] frame(TurnEvent event) throws IOException {
        String name;
        Object data;
        switch (event) {
            case TurnEvent.Start start -> {
                name = "start";
                data = new StartData(start.userMessage(), start.message());
            }
            case TurnEvent.Delta delta -> {
                name = "delta";
                data = new DeltaData(delta.content(), delta.reasoning());
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
    }
}
