package dev.stepchat.stepfun;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;

/**
 * StepFun's chat-completions endpoint. Only {@link StepFunClient} calls it: it adds the fault
 * tolerance. Base URL: {@code quarkus.rest-client.stepfun.url}.
 */
@RegisterRestClient(configKey = "stepfun")
@Path("/chat/completions")
interface StepFunApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ChatCompletion> create(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                               ChatCompletionRequest request);

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return StepFunErrors.fromResponse(response);
    }
}
