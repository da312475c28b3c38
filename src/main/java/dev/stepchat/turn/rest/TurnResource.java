package dev.stepchat.turn.rest;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.idempotency.IdempotencyStore;
import dev.stepchat.turn.TurnService;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;
import dev.stepchat.turn.api.TurnView;

/** A chat turn: the user's message in, the model's reply out, as JSON or as server-sent events. */
@Path("/conversations/{id}/messages")
@Tag(name = "Messages")
@RunOnVirtualThread
public class TurnResource {

    private final TurnService turns;
    private final Idempotency idempotency;

    TurnResource(TurnService turns, Idempotency idempotency) {
        this.turns = turns;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(operationId = "sendMessage", summary = "Send a message and get the model's reply (a chat turn)",
            description = "The user message is stored before the model is called, so it is never lost. On failure it"
                    + " is kept with status failed and its error, and the response is the problem. With"
                    + " Accept: text/event-stream or \"stream\": true the reply streams as server-sent events: delta"
                    + " ({content, reasoning}) as the model writes, then done (the Turn) or error (a problem; the text"
                    + " so far is stored as an incomplete reply). Failures before the first delta are problem responses.")
    @APIResponse(responseCode = "201", description = "The turn: both messages and the usage",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TurnView.class),
                    examples = @ExampleObject(name = "answered", value = "{\"object\":\"turn\",\"user_message\":{\"id\":\"0193e4c2-8a00-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"message\",\"conversation_id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"parent_id\":null,\"role\":\"user\",\"content\":\"Plan three days in Kyoto\",\"status\":\"completed\",\"model\":null,\"finish_reason\":null,\"usage\":null,\"error\":null,\"created_at\":\"2026-11-25T10:00:01Z\"},\"message\":{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"message\",\"conversation_id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"parent_id\":\"0193e4c2-8a00-7c55-8f00-1a2b3c4d5e6f\",\"role\":\"assistant\",\"content\":\"Day one: Fushimi Inari at dawn...\",\"status\":\"completed\",\"model\":\"step-3.5-flash\",\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0},\"error\":null,\"created_at\":\"2026-11-25T10:00:03Z\"},\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0},\"conversation_usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0,\"turns\":1},\"context\":{\"messages_sent\":2,\"messages_omitted\":0,\"estimated_prompt_tokens\":21}}")))
    @APIResponse(responseCode = "200", description = "The streamed turn (events delta, then done or error)",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "streamed", value = "event: delta\ndata: {\"content\":\"Day one: \"}\n\n"
                            + "event: delta\ndata: {\"content\":\"Fushimi Inari\"}\n\n"
                            + "event: done\ndata: {\"object\":\"turn\",...}\n\n")))
    @APIResponse(responseCode = "400", description = "Malformed JSON or invalid fields")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "409", description = "A turn of this conversation is running, or this Idempotency-Key's first request is")
    @APIResponse(responseCode = "413", description = "Content over the configured limit")
    @APIResponse(responseCode = "415", description = "Not JSON")
    @APIResponse(responseCode = "422", description = "The model provider refused the content, or the Idempotency-Key was used for another request")
    @APIResponse(responseCode = "429", description = "The model provider kept rate limiting after the retries")
    @APIResponse(responseCode = "502", description = "The model provider failed in a way a retry cannot fix")
    @APIResponse(responseCode = "503", description = "Upstream circuit open or call limit reached, this instance is shutting"
            + " down, or the service is overloaded or cannot reach its database; always before StepFun is called, except"
            + " when the answer could not be stored (then its usage is still counted)")
    @APIResponse(responseCode = "504", description = "The model provider did not answer in time")
    public Response send(@Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                         @PathParam("id") String id,
                         @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                 schema = @Schema(implementation = SendMessage.class),
                                 examples = @ExampleObject(name = "turn", summary = "A message, with an optional temperature",
                                         value = "{\"content\":\"Plan three days in Kyoto\",\"temperature\":0.7}")))
                         @NotNull @Valid SendMessage body,
                         @Parameter(description = "Makes a retried request safe: same key and body, same answer, one turn",
                                 schema = @Schema(maxLength = 255))
                         @HeaderParam(Idempotency.HEADER) String idempotencyKey,
                         HttpServerRequest request, RoutingContext routing) {
        UUID conversation = Ids.conversation(id);
        boolean streamed = Boolean.TRUE.equals(body.stream()) || acceptsEvents(request);
        return idempotency.run(idempotencyKey, "POST", request.path(), body,
                stored -> replay(stored, streamed),
                () -> streamed
                        ? events(turns.stream(conversation, body, request.path(), onCallerGone(routing))).build()
                        : Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(turns.send(conversation, body, request.path())).build());
    }

    @POST
    @Path("/{message_id}/regenerate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(operationId = "regenerateAnswer", summary = "Answer a user message again (a new branch)",
            description = "A new assistant answer to an earlier user message, as a sibling of its earlier answers; the"
                    + " model sees the path from the root to that message. Same responses as a chat turn (a Turn whose"
                    + " user_message is that message, or the stream), same failures, Idempotency-Key and one turn at a"
                    + " time. A failed user message can be regenerated: on success it becomes completed. The new answer"
                    + " becomes the current message.")
    @APIResponse(responseCode = "201", description = "The new answer, with its usage",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TurnView.class)))
    @APIResponse(responseCode = "200", description = "The streamed answer (events delta, then done or error)",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, invalid fields, or message_id is not a user message")
    @APIResponse(responseCode = "404", description = "Unknown conversation or message")
    @APIResponse(responseCode = "409", description = "A turn of this conversation is running, or this Idempotency-Key's first request is")
    @APIResponse(responseCode = "415", description = "Not JSON")
    @APIResponse(responseCode = "422", description = "The model provider refused the content, or the Idempotency-Key was used for another request")
    @APIResponse(responseCode = "429", description = "The model provider kept rate limiting after the retries")
    @APIResponse(responseCode = "502", description = "The model provider failed in a way a retry cannot fix")
    @APIResponse(responseCode = "503", description = "Upstream circuit open or call limit reached, shutting down, overloaded or database unreachable")
    @APIResponse(responseCode = "504", description = "The model provider did not answer in time")
    public Response regenerate(@Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                               @PathParam("id") String id,
                               @Parameter(description = "The user message to answer again", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                               @PathParam("message_id") String messageId,
                               @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                       schema = @Schema(implementation = Regenerate.class),
                                       examples = @ExampleObject(name = "warmer", value = "{\"temperature\":1.0}")))
                               @Valid Regenerate body,
                               @Parameter(description = "Makes a retried request safe: same key and body, same answer, one turn",
                                       schema = @Schema(maxLength = 255))
                               @HeaderParam(Idempotency.HEADER) String idempotencyKey,
                               HttpServerRequest request, RoutingContext routing) {
        UUID conversation = Ids.conversation(id);
        UUID message = Ids.message(messageId);
        Regenerate options = body == null ? Regenerate.DEFAULTS : body;
        boolean streamed = Boolean.TRUE.equals(options.stream()) || acceptsEvents(request);
        return idempotency.run(idempotencyKey, "POST", request.path(), options,
                stored -> replay(stored, streamed),
                () -> streamed
                        ? events(turns.streamRegenerated(conversation, message, options, request.path(), onCallerGone(routing))).build()
                        : Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(turns.regenerate(conversation, message, options, request.path())).build());
    }

    private static boolean acceptsEvents(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains(MediaType.SERVER_SENT_EVENTS);
    }

    private Response replay(IdempotencyStore.Stored stored, boolean streamed) {
        return streamed && stored.status() == 201
                ? events(turns.replayAsEvents(stored.body())).header("Idempotent-Replayed", "true").build()
                : Idempotency.replayed(stored);
    }

    /** This request's end: failed when the caller closed the connection before it. */
    private static java.util.function.Consumer<Runnable> onCallerGone(RoutingContext routing) {
        return gone -> routing.addEndHandler(end -> {
            if (end.failed()) {
                gone.run();
            }
        });
    }

    private static Response.ResponseBuilder events(Object events) {
        return Response.ok(events, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no");
    }
}
