package dev.stepchat.stepfun;

import java.util.function.Predicate;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.client.SseEvent;
import org.jboss.resteasy.reactive.client.SseEventFilter;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * StepFun's chat-completions endpoint. Only {@link StepFunClient} calls it: it adds the fault
 * tolerance. Base URL: {@code quarkus.rest-client.stepfun.url}.
 */
@RegisterRestClient(configKey = "stepfun")
interface StepFunApi {

    /** The models the account can use. */
    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ModelList> models(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ChatCompletion> create(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, ChatCompletionRequest request);

    /** The same call with {@code stream: true}: server-sent chunks, StepFun's closing [DONE] dropped. */
    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @SseEventFilter(NotDone.class)
    Multi<ChatCompletionChunk> stream(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, ChatCompletionRequest request);

    /** Drops the {@code data: [DONE]} event that ends StepFun's streams: it is not a chunk. */
    class NotDone implements Predicate<SseEvent<String>> {
        @Override
        public boolean test(SseEvent<String> event) {
            return event.data() != null && !"[DONE]".equals(event.data().strip());
        }
    }

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return StepFunErrors.fromResponse(response);
    }
}
