package dev.stepchat.turn.rest;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.api.MessageView;
import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.idempotency.IdempotencyStore;
import dev.stepchat.problem.ProblemResponses;
import dev.stepchat.turn.TurnFeed;
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
    private final ObjectMapper json;
    private final Duration keepAlive;

    TurnResource(TurnService turns, Idempotency idempotency, ObjectMapper json, ChatConfig config) {
        this.turns = turns;
        this.idempotency = idempotency;
        this.json = json;
        this.keepAlive = config.streams().keepAliveEvery();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "sendMessage",
            summary = "Send a message and get the model's reply (a chat turn)",
            description = "The user message is stored before the model is called, so it is never lost. On failure it"
                    + " is kept with status failed and its error, and the response is the problem. With"
                    + " Accept: text/event-stream or \"stream\": true the reply streams as server-sent events, each with"
                    + " an id: start ({user_message, message}: the answer in progress, with the id it keeps), delta"
                    + " ({content, reasoning}) as the model writes, then done (the Turn) or error (a problem; the text"
                    + " so far is stored as an incomplete reply). Failures before start are problem responses. The turn"
                    + " goes on if the connection drops: resume with GET .../messages/{message_id}/events and"
                    + " Last-Event-ID, stop with POST .../messages/{message_id}/stop.")
    @APIResponse(
            responseCode = "201",
            description = "The turn: both messages and the usage",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = TurnView.class),
                            examples =
                                    @ExampleObject(
                                            name = "answered",
                                            value =
                                                    "{\"object\":\"turn\",\"user_message\":{\"id\":\"0193e4c2-8a00-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"message\",\"conversation_id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"parent_id\":null,\"role\":\"user\",\"content\":\"Plan three days in Kyoto\",\"parts\":null,\"status\":\"completed\",\"model\":null,\"finish_reason\":null,\"tool_calls\":null,\"tool_call_id\":null,\"usage\":null,\"error\":null,\"created_at\":\"2026-11-25T10:00:01Z\"},\"message\":{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"message\",\"conversation_id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"parent_id\":\"0193e4c2-8a00-7c55-8f00-1a2b3c4d5e6f\",\"role\":\"assistant\",\"content\":\"Day one: Fushimi Inari at dawn...\",\"parts\":null,\"status\":\"completed\",\"model\":\"step-3.5-flash\",\"finish_reason\":\"stop\",\"tool_calls\":null,\"tool_call_id\":null,\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0,\"cost\":\"0.00006110\"},\"error\":null,\"created_at\":\"2026-11-25T10:00:03Z\"},\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0,\"cost\":\"0.00006110\"},\"conversation_usage\":{\"prompt_tokens\":83,\"completion_tokens\":176,\"total_tokens\":259,\"cached_tokens\":0,\"turns\":1,\"cost\":\"0.00006110\",\"cost_complete\":true},\"context\":{\"messages_sent\":2,\"messages_omitted\":0,\"estimated_prompt_tokens\":21}}")))
    @APIResponse(
            responseCode = "200",
            description = "The streamed turn (events start, delta, then done or error)",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(type = SchemaType.STRING),
                            examples =
                                    @ExampleObject(
                                            name = "streamed",
                                            value =
                                                    "id: 0.0\nevent: start\ndata: {\"user_message\":{...},\"message\":{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"status\":\"in_progress\",...}}\n\n"
                                                            + "id: 9.0\nevent: delta\ndata: {\"content\":\"Day one: \"}\n\n"
                                                            + "id: 22.0\nevent: delta\ndata: {\"content\":\"Fushimi Inari\"}\n\n"
                                                            + "id: end\nevent: done\ndata: {\"object\":\"turn\",...}\n\n")))
    @APIResponse(
            responseCode = "400",
            description = "Malformed JSON, invalid fields, or a model with no price while a cost limit is in force")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(
            responseCode = "409",
            description = "A turn of this conversation is running, or this Idempotency-Key's first request is")
    @APIResponse(responseCode = "413", description = "Content over the configured limit")
    @APIResponse(responseCode = "415", description = "Not JSON")
    @APIResponse(
            responseCode = "422",
            description = "The model provider refused the content, or the Idempotency-Key was used for another request")
    @APIResponse(
            responseCode = "429",
            description = "The model provider kept rate limiting after the retries, a spending"
                    + " limit is reached, or the caller has as many turns running, turns started this minute or streams open as one"
                    + " caller may")
    @APIResponse(responseCode = "502", description = "The model provider failed in a way a retry cannot fix")
    @APIResponse(
            responseCode = "503",
            description = "Upstream circuit open or call limit reached, this instance is shutting"
                    + " down, or the service is overloaded or cannot reach its database; always before StepFun is called, except"
                    + " when the answer could not be stored (then its usage is still counted)")
    @APIResponse(responseCode = "504", description = "The model provider did not answer in time")
    public Response send(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = SendMessage.class),
                                            examples = {
                                                @ExampleObject(
                                                        name = "turn",
                                                        summary = "A message, with an optional temperature",
                                                        value =
                                                                "{\"content\":\"Plan three days in Kyoto\",\"temperature\":0.7}"),
                                                @ExampleObject(
                                                        name = "image",
                                                        summary = "A text and an uploaded image, to a vision model",
                                                        value =
                                                                "{\"model\":\"step-3.7-flash\",\"content\":[{\"type\":\"text\",\"text\":\"What is the total on this receipt?\"},{\"type\":\"image_file\",\"file_id\":\"01938a6e-8f3a-7c4e-9b1a-2f6d3c1e5a77\"}]}")
                                            }))
                    @NotNull
                    @Valid
                    SendMessage body,
            @Parameter(
                            description = "Makes a retried request safe: same key and body, same answer, one turn",
                            schema = @Schema(maxLength = 255))
                    @HeaderParam(Idempotency.HEADER)
                    String idempotencyKey,
            HttpServerRequest request,
            RoutingContext routing) {
        UUID conversation = Ids.conversation(id);
        boolean streamed = Boolean.TRUE.equals(body.stream()) || acceptsEvents(request);
        return idempotency.run(
                idempotencyKey,
                "POST",
                request.path(),
                body,
                stored -> replay(stored, streamed, conversation, routing),
                () -> streamed
                        ? events(turns.stream(conversation, body, request.path()), request.path(), routing)
                        : Response.status(Response.Status.CREATED)
                                .type(MediaType.APPLICATION_JSON_TYPE)
                                .entity(turns.send(conversation, body, request.path()))
                                .build());
    }

    @POST
    @Path("/{message_id}/regenerate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "regenerateAnswer",
            summary = "Answer a user message again (a new branch)",
            description = "A new assistant answer to an earlier user message, as a sibling of its earlier answers; the"
                    + " model sees the path from the root to that message. Same responses as a chat turn (a Turn whose"
                    + " user_message is that message, or the stream), same failures, Idempotency-Key and one turn at a"
                    + " time. A failed user message can be regenerated: on success it becomes completed. The new answer"
                    + " becomes the current message.")
    @APIResponse(
            responseCode = "201",
            description = "The new answer, with its usage",
            content =
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TurnView.class)))
    @APIResponse(
            responseCode = "200",
            description = "The streamed answer (events start, delta, then done or error)",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(
            responseCode = "400",
            description =
                    "Malformed JSON, invalid fields, message_id is not a user message, or a model with no price while a cost limit is in force")
    @APIResponse(responseCode = "404", description = "Unknown conversation or message")
    @APIResponse(
            responseCode = "409",
            description = "A turn of this conversation is running, or this Idempotency-Key's first request is")
    @APIResponse(responseCode = "415", description = "Not JSON")
    @APIResponse(
            responseCode = "422",
            description = "The model provider refused the content, or the Idempotency-Key was used for another request")
    @APIResponse(
            responseCode = "429",
            description = "The model provider kept rate limiting after the retries, a spending"
                    + " limit is reached, or the caller has as many turns running, turns started this minute or streams open as one"
                    + " caller may")
    @APIResponse(responseCode = "502", description = "The model provider failed in a way a retry cannot fix")
    @APIResponse(
            responseCode = "503",
            description =
                    "Upstream circuit open or call limit reached, shutting down, overloaded or database unreachable")
    @APIResponse(responseCode = "504", description = "The model provider did not answer in time")
    public Response regenerate(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(
                            description =
                                    "The user message (or the last tool message of a results turn) to answer again",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("message_id")
                    String messageId,
            @RequestBody(
                            required = false,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = Regenerate.class),
                                            examples =
                                                    @ExampleObject(name = "warmer", value = "{\"temperature\":1.0}")))
                    @Valid
                    Regenerate body,
            @Parameter(
                            description = "Makes a retried request safe: same key and body, same answer, one turn",
                            schema = @Schema(maxLength = 255))
                    @HeaderParam(Idempotency.HEADER)
                    String idempotencyKey,
            HttpServerRequest request,
            RoutingContext routing) {
        UUID conversation = Ids.conversation(id);
        UUID message = Ids.message(messageId);
        Regenerate options = body == null ? Regenerate.DEFAULTS : body;
        boolean streamed = Boolean.TRUE.equals(options.stream()) || acceptsEvents(request);
        return idempotency.run(
                idempotencyKey,
                "POST",
                request.path(),
                options,
                stored -> replay(stored, streamed, conversation, routing),
                () -> streamed
                        ? events(
                                turns.streamRegenerated(conversation, message, options, request.path()),
                                request.path(),
                                routing)
                        : Response.status(Response.Status.CREATED)
                                .type(MediaType.APPLICATION_JSON_TYPE)
                                .entity(turns.regenerate(conversation, message, options, request.path()))
                                .build());
    }

    @GET
    @Path("/{message_id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            operationId = "resumeStream",
            summary = "Resume an answer's stream",
            description = "The events of an assistant message after the one whose id is sent as Last-Event-ID (all of"
                    + " them, start included, without it): the text produced meanwhile at once as delta events, each"
                    + " character exactly once across the original stream and this one, then the live deltas, then done"
                    + " or error. On an answer that has ended: the missing text and the final event at once. Any"
                    + " replica serves it, whichever runs the turn.")
    @APIResponse(
            responseCode = "200",
            description = "The events after Last-Event-ID",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(type = SchemaType.STRING),
                            examples =
                                    @ExampleObject(
                                            name = "resumed",
                                            value = "id: 17.0\nevent: delta\ndata: {\"content\":\"Arashiyama\"}\n\n"
                                                    + "id: end\nevent: done\ndata: {\"object\":\"turn\",...}\n\n")))
    @APIResponse(
            responseCode = "400",
            description = "A user message (only answers have a stream), or a Last-Event-ID that is not one of its ids")
    @APIResponse(responseCode = "404", description = "Unknown conversation or message")
    @APIResponse(responseCode = "406", description = "Accept does not allow text/event-stream")
    @APIResponse(responseCode = "429", description = "The caller has as many streams open as one caller may")
    public Response resume(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(
                            description = "The assistant message (the id of the start event's message)",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("message_id")
                    String messageId,
            @Parameter(
                            description = "The id of the last event received; none for all the events",
                            schema = @Schema(maxLength = 64))
                    @HeaderParam("Last-Event-ID")
                    String lastEventId,
            @jakarta.ws.rs.core.Context RoutingContext routing) {
        TurnFeed feed = turns.events(Ids.conversation(id), Ids.message(messageId), lastEventId);
        return new EventStream(feed, EventStream.turnEvents(json), routing, null, keepAlive).response();
    }

    @POST
    @Path("/{message_id}/stop")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "stopAnswer",
            summary = "Stop an answer that is being written",
            description = "Ends a running turn on whichever replica runs it: the upstream request is cancelled and the"
                    + " answer stored incomplete with finish_reason \"stopped\", its text so far and the usage known; its"
                    + " readers get the rest of the text and done. Answers with the message once that is stored. A message"
                    + " that is no longer running is answered as it is.")
    @APIResponse(
            responseCode = "200",
            description = "The answer as stored",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MessageView.class),
                            examples =
                                    @ExampleObject(
                                            name = "stopped",
                                            value =
                                                    "{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"message\",\"conversation_id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"parent_id\":\"0193e4c2-8a00-7c55-8f00-1a2b3c4d5e6f\",\"role\":\"assistant\",\"content\":\"Day one: Fushimi\",\"parts\":null,\"status\":\"incomplete\",\"model\":\"step-3.5-flash\",\"finish_reason\":\"stopped\",\"tool_calls\":null,\"tool_call_id\":null,\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":12,\"total_tokens\":95,\"cached_tokens\":0,\"cost\":\"0.00001190\"},\"error\":null,\"created_at\":\"2026-11-25T10:00:03Z\"}")))
    @APIResponse(responseCode = "400", description = "A user message: stop takes the answer's id")
    @APIResponse(responseCode = "404", description = "Unknown conversation or message")
    public MessageView stop(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(
                            description = "The running assistant message",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("message_id")
                    String messageId) {
        return turns.stop(Ids.conversation(id), Ids.message(messageId));
    }

    private static boolean acceptsEvents(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains(MediaType.SERVER_SENT_EVENTS);
    }

    /** A repeated request: a streamed one gets the stored answer's events again, from its start. */
    private Response replay(
            IdempotencyStore.Stored stored, boolean streamed, UUID conversation, RoutingContext routing) {
        if (!streamed || stored.status() != 201) {
            return Idempotency.replayed(stored);
        }
        UUID answer = answerOf(stored, json);
        Response events = new EventStream(
                        turns.events(conversation, answer, null),
                        EventStream.turnEvents(json),
                        routing,
                        null,
                        keepAlive)
                .response();
        return Response.fromResponse(events)
                .header("Idempotent-Replayed", "true")
                .build();
    }

    /** A streamed turn's response; what a non-streamed request would have answered is its outcome. */
    private Response events(TurnService.StreamedTurn turn, String path, RoutingContext routing) {
        return new EventStream(turn.feed(), EventStream.turnEvents(json), routing, outcome(turn, path), keepAlive)
                .response();
    }

    /** What a non-streamed request for a streamed turn would have answered: what its Idempotency-Key keeps. */
    static CompletionStage<Response> outcome(TurnService.StreamedTurn turn, String path) {
        return turn.end()
                .thenApply(end -> end.stored() != null
                        ? Response.status(Response.Status.CREATED)
                                .type(MediaType.APPLICATION_JSON_TYPE)
                                .entity(end.stored())
                                .build()
                        : ProblemResponses.of(
                                end.unstored().toProblem(path), end.unstored().retryAfter()));
    }

    /** The answer of a turn whose response an Idempotency-Key kept. */
    static UUID answerOf(IdempotencyStore.Stored stored, ObjectMapper json) {
        try {
            return UUID.fromString(
                    json.readTree(stored.body()).path("message").path("id").asText());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Stored turn without its answer's id", e);
        }
    }
}
