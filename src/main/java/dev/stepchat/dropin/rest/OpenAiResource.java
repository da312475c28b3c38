package dev.stepchat.dropin.rest;

import java.time.Duration;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.StepFunConfig;
import dev.stepchat.dropin.DropIn;
import dev.stepchat.dropin.OpenAiRequest;
import dev.stepchat.dropin.OpenAiWire;
import dev.stepchat.model.ModelCatalog;

/**
 * OpenAI's chat-completions protocol, for clients that keep their own history: the official
 * OpenAI SDKs work with the base URL {@code <service>/v1} and the caller's token as the API key.
 * Errors here are in OpenAI's shape ({@link OpenAiErrors}).
 */
@Path("/v1")
@Tag(name = "OpenAI-compatible")
@RunOnVirtualThread
public class OpenAiResource {

    private final DropIn dropIn;
    private final ModelCatalog models;
    private final ObjectMapper json;
    private final Duration keepAlive;
    private final Duration maxDuration;

    OpenAiResource(DropIn dropIn, ModelCatalog models, ObjectMapper json, ChatConfig config, StepFunConfig stepFun) {
        this.dropIn = dropIn;
        this.models = models;
        this.json = json;
        this.keepAlive = config.streams().keepAliveEvery();
        this.maxDuration = stepFun.stream().maxDuration();
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "createChatCompletion",
            summary = "A chat completion in OpenAI's format (the caller keeps the history)",
            description = "OpenAI's chat-completions call, answered by StepFun: the messages are the whole history,"
                    + " and nothing is stored as a conversation. The caller's limits apply as to a turn (turns in"
                    + " flight, per minute, spending limits), and the usage goes to the caller's ledger (GET /usage;"
                    + " group_by=conversation shows it under chat.completions). Text and tools pass through in"
                    + " OpenAI's shapes; image parts are not taken yet. With \"stream\": true the answer comes as"
                    + " OpenAI's chat.completion.chunk events (finish_reason null until the last choice chunk; with"
                    + " stream_options.include_usage a last chunk with the usage), then data: [DONE]; a stream that"
                    + " fails midway ends with a data: {\"error\": ...} event and no [DONE]. Errors are OpenAI's"
                    + " {\"error\": {message, type, param, code}}.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiRequest.class),
                            examples =
                                    @ExampleObject(
                                            name = "chat",
                                            value =
                                                    "{\"model\":\"step-3.5-flash\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Plan three days in Kyoto\"}]}")))
    @APIResponse(
            responseCode = "200",
            description = "The answer (chat.completion), or its chunks as server-sent events with \"stream\": true",
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(implementation = OpenAiWire.Completion.class),
                        examples =
                                @ExampleObject(
                                        name = "answered",
                                        value =
                                                "{\"id\":\"chatcmpl-0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"chat.completion\",\"created\":1764064803,\"model\":\"step-3.5-flash\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Day one: Fushimi Inari at dawn...\",\"refusal\":null},\"finish_reason\":\"stop\",\"logprobs\":null}],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":176,\"total_tokens\":197,\"prompt_tokens_details\":{\"cached_tokens\":0}}}")),
                @Content(
                        mediaType = MediaType.SERVER_SENT_EVENTS,
                        schema = @Schema(type = SchemaType.STRING),
                        examples =
                                @ExampleObject(
                                        name = "streamed",
                                        value =
                                                "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764064803,\"model\":\"step-3.5-flash\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Day one\"},\"finish_reason\":null,\"logprobs\":null}],\"usage\":null}\n\n"
                                                        + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764064803,\"model\":\"step-3.5-flash\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\": Fushimi Inari\"},\"finish_reason\":\"stop\",\"logprobs\":null}],\"usage\":null}\n\n"
                                                        + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764064803,\"model\":\"step-3.5-flash\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":5,\"total_tokens\":26,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n"
                                                        + "data: [DONE]\n\n"))
            })
    @APIResponse(
            responseCode = "400",
            description = "Invalid fields (invalid_request_error), a model without tools, or an unpriced model under a"
                    + " cost limit",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "401",
            description = "No valid token (invalid_api_key)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "404",
            description = "An unknown model (model_not_found)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "429",
            description = "The caller's share or spending limit, or StepFun's rate limit (Retry-After says when)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "502",
            description = "StepFun failed or refused the request",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "503",
            description = "The service or StepFun is overloaded or shutting down (Retry-After)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    @APIResponse(
            responseCode = "504",
            description = "StepFun did not answer in time",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    public Response create(OpenAiRequest request, RoutingContext routing) {
        DropIn.Admitted admitted = dropIn.admit(request);
        if (admitted.upstream().stream() != null) {
            return new ChunkStream(dropIn, admitted, json, routing, keepAlive, maxDuration).start();
        }
        return Response.ok(dropIn.complete(admitted), MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "listOpenAiModels",
            summary = "The models, in OpenAI's format",
            description = "The models of GET /models as OpenAI's model list, for the OpenAI SDKs' models.list().")
    @APIResponse(
            responseCode = "200",
            description = "The models",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ModelList.class),
                            examples =
                                    @ExampleObject(
                                            name = "models",
                                            value =
                                                    "{\"object\":\"list\",\"data\":[{\"id\":\"step-3.5-flash\",\"object\":\"model\",\"created\":0,\"owned_by\":\"stepfun\"}]}")))
    @APIResponse(
            responseCode = "401",
            description = "No valid token (invalid_api_key)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = OpenAiWire.ErrorBody.class)))
    public OpenAiWire.ModelList models() {
        List<OpenAiWire.Model> data = models.list().data().stream()
                .map(model -> new OpenAiWire.Model(model.id(), "model", 0, "stepfun"))
                .toList();
        return new OpenAiWire.ModelList("list", data);
    }
}
