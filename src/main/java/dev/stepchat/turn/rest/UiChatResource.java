package dev.stepchat.turn.rest;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
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

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.idempotency.Idempotency;
import dev.stepchat.idempotency.IdempotencyStore;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.turn.TurnService;
import dev.stepchat.turn.api.Regenerate;
import dev.stepchat.turn.api.SendMessage;

/**
 * A conversation's turns for the AI SDK's {@code useChat}: its default chat transport's request
 * in, an AI SDK UI message stream out ({@link UiMessageFraming}), each backed by an ordinary
 * streamed turn (stored, resumable, stoppable, idempotent with an Idempotency-Key). The
 * transport's {@code resume} reads the running turn again from its start.
 */
@Path("/conversations/{id}/chat")
@Tag(name = "AI SDK")
@RunOnVirtualThread
public class UiChatResource {

    /** The body of the AI SDK's default chat transport (its other fields are ignored). */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "UiChatRequest", description = "The AI SDK's chat request (DefaultChatTransport)")
    public record UiChatRequest(
            @Schema(required = true, description = "The chat's id: this conversation's")
            String id,

            @Schema(
                    required = true,
                    description = "The UI messages; the last one, a user message, is the new turn (the"
                            + " conversation's stored history is what the model gets)")
            List<UiMessage> messages,

            @Schema(
                    description = "submit-message (the default) or regenerate-message (answer the current"
                            + " branch's last user message again)",
                    enumeration = {"submit-message", "regenerate-message"})
            String trigger,

            @Schema(description = "The message a regeneration replaces (not needed: the current branch's is)")
            String messageId) {}

    /** A UI message: its role and parts; text parts are read. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "UiMessage")
    public record UiMessage(
            String id,

            @Schema(enumeration = {"system", "user", "assistant"})
            String role,

            List<UiPart> parts) {}

    /** A part of a UI message; text parts ({@code {"type": "text", "text"}}) are read, others ignored. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "UiPart")
    public record UiPart(
            @Schema(required = true, examples = "text") String type, String text) {}

    private final TurnService turns;
    private final Idempotency idempotency;
    private final ObjectMapper json;
    private final Duration keepAlive;

    UiChatResource(TurnService turns, Idempotency idempotency, ObjectMapper json, ChatConfig config) {
        this.turns = turns;
        this.idempotency = idempotency;
        this.json = json;
        this.keepAlive = config.streams().keepAliveEvery();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            operationId = "chatUiMessageStream",
            summary = "A turn for the AI SDK's useChat, answered as a UI message stream",
            description = "Takes the request of the AI SDK's DefaultChatTransport (api: /conversations/{id}/chat). With"
                    + " trigger submit-message the last message (a user message; its text parts joined) is sent as"
                    + " a streamed turn on the current branch; with regenerate-message the current branch's last user"
                    + " message is answered again. The answer comes as the AI SDK's UI message stream (header"
                    + " x-vercel-ai-ui-message-stream: v1): start (messageId: the answer's id), start-step,"
                    + " reasoning-*, text-start/text-delta/text-end, tool-input-* (the conversation's tools, as dynamic"
                    + " tools), finish-step, finish, or error; then data: [DONE]. The turn is stored, resumable (GET"
                    + " .../chat/stream), stoppable (POST .../messages/{message_id}/stop) and, with an Idempotency-Key,"
                    + " safe to retry. Failures before the stream starts are problem responses.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UiChatRequest.class),
                            examples =
                                    @ExampleObject(
                                            name = "submit",
                                            value =
                                                    "{\"id\":\"0193e4c2-7f3a-7d2e-9b1a-3c4d5e6f7a8b\",\"messages\":[{\"id\":\"m1\",\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"Plan three days in Kyoto\"}]}],\"trigger\":\"submit-message\"}")))
    @APIResponse(
            responseCode = "200",
            description = "The AI SDK UI message stream",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(type = SchemaType.STRING),
                            examples =
                                    @ExampleObject(
                                            name = "streamed",
                                            value =
                                                    "data: {\"type\":\"start\",\"messageId\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\"}\n\n"
                                                            + "data: {\"type\":\"start-step\"}\n\n"
                                                            + "data: {\"type\":\"text-start\",\"id\":\"text-0\"}\n\n"
                                                            + "data: {\"type\":\"text-delta\",\"id\":\"text-0\",\"delta\":\"Day one\"}\n\n"
                                                            + "data: {\"type\":\"text-end\",\"id\":\"text-0\"}\n\n"
                                                            + "data: {\"type\":\"finish-step\"}\n\n"
                                                            + "data: {\"type\":\"finish\",\"finishReason\":\"stop\"}\n\n"
                                                            + "data: [DONE]\n\n")))
    @APIResponse(responseCode = "400", description = "id is not this conversation's, no user message, invalid fields")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "409", description = "Another turn of this conversation is running")
    @APIResponse(responseCode = "429", description = "The caller's share or a spending limit (Retry-After)")
    @APIResponse(responseCode = "502", description = "The model provider failed")
    @APIResponse(responseCode = "503", description = "Overloaded, or the model provider is unavailable (Retry-After)")
    @APIResponse(responseCode = "504", description = "The model provider did not answer in time")
    public Response chat(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            UiChatRequest body,
            @Parameter(
                            description = "Makes a retried request safe: same key and body, same answer, one turn",
                            schema = @Schema(maxLength = 255))
                    @HeaderParam(Idempotency.HEADER)
                    String idempotencyKey,
            HttpServerRequest request,
            RoutingContext routing) {
        UUID conversation = Ids.conversation(id);
        if (body == null) {
            throw ProblemException.invalid("body", "must be the chat transport's request");
        }
        if (body.id() == null || !body.id().equals(conversation.toString())) {
            throw ProblemException.invalid("id", "must be this conversation's id, " + conversation);
        }
        String trigger = body.trigger() == null ? "submit-message" : body.trigger();
        String path = request.path();
        return switch (trigger) {
            case "submit-message" -> {
                SendMessage send = SendMessage.ofText(lastUserText(body.messages()), true);
                yield idempotency.run(
                        idempotencyKey,
                        "POST",
                        path,
                        send,
                        stored -> replay(conversation, stored, routing),
                        () -> stream(turns.stream(conversation, send, path), path, routing));
            }
            case "regenerate-message" -> {
                Regenerate again = new Regenerate(null, null, null, null, true, null, null);
                yield idempotency.run(
                        idempotencyKey,
                        "POST",
                        path,
                        again,
                        stored -> replay(conversation, stored, routing),
                        () -> stream(turns.streamRegeneratedLast(conversation, again, path), path, routing));
            }
            default -> throw ProblemException.invalid("trigger", "must be submit-message or regenerate-message");
        };
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            operationId = "resumeUiMessageStream",
            summary = "The running turn's UI message stream, from its start (useChat's resume)",
            description = "For the AI SDK's resume option: the answer running in the conversation as a UI message"
                    + " stream, replayed from its start, then live until its end; 204 when no turn runs.")
    @APIResponse(
            responseCode = "200",
            description = "The running turn's UI message stream",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "204", description = "No turn runs in the conversation")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "429", description = "The caller has as many streams open as one caller may")
    public Response resume(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @jakarta.ws.rs.core.Context RoutingContext routing) {
        return turns.running(Ids.conversation(id))
                .map(feed -> new EventStream(feed, new UiMessageFraming(json), routing, null, keepAlive).response())
                .orElseGet(() -> Response.noContent().build());
    }

    @GET
    @Path("/{chat_id}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            operationId = "resumeUiMessageStreamByChatId",
            summary = "The same, at the transport's default resume path",
            description = "DefaultChatTransport resumes at {api}/{chat id}/stream: with api /conversations/{id}/chat"
                    + " that is this path; chat_id must be the conversation's id.")
    @APIResponse(
            responseCode = "200",
            description = "The running turn's UI message stream",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "204", description = "No turn runs in the conversation")
    @APIResponse(responseCode = "400", description = "chat_id is not the conversation's id")
    @APIResponse(responseCode = "404", description = "Unknown conversation")
    @APIResponse(responseCode = "429", description = "The caller has as many streams open as one caller may")
    public Response resumeByChatId(
            @Parameter(description = "Conversation id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("id")
                    String id,
            @Parameter(description = "The chat id: the conversation's", schema = @Schema(type = SchemaType.STRING))
                    @PathParam("chat_id")
                    String chatId,
            @jakarta.ws.rs.core.Context RoutingContext routing) {
        if (!id.equals(chatId)) {
            throw ProblemException.invalid("chat_id", "must be this conversation's id");
        }
        return resume(id, routing);
    }

    /** The text of the last message, which must be the user's. */
    private static String lastUserText(List<UiMessage> messages) {
        if (messages == null || messages.isEmpty() || messages.getLast() == null) {
            throw ProblemException.invalid("messages", "must end with the user's new message");
        }
        UiMessage last = messages.getLast();
        if (!"user".equals(last.role())) {
            throw ProblemException.invalid("messages", "must end with the user's new message (role user)");
        }
        StringBuilder text = new StringBuilder();
        if (last.parts() != null) {
            for (UiPart part : last.parts()) {
                if (part != null && "text".equals(part.type()) && part.text() != null) {
                    text.append(part.text());
                }
            }
        }
        if (text.isEmpty()) {
            throw ProblemException.invalid("messages", "the last message must have text parts");
        }
        return text.toString();
    }

    private Response stream(TurnService.StreamedTurn turn, String path, RoutingContext routing) {
        return new EventStream(
                        turn.feed(), new UiMessageFraming(json), routing, TurnResource.outcome(turn, path), keepAlive)
                .response();
    }

    /** A repeated request: the stored answer's stream again, from its start. */
    private Response replay(UUID conversation, IdempotencyStore.Stored stored, RoutingContext routing) {
        if (stored.status() != 201) {
            return Idempotency.replayed(stored);
        }
        UUID answer = TurnResource.answerOf(stored, json);
        Response events = new EventStream(
                        turns.events(conversation, answer, null), new UiMessageFraming(json), routing, null, keepAlive)
                .response();
        return Response.fromResponse(events)
                .header("Idempotent-Replayed", "true")
                .build();
    }
}
