package dev.stepchat.stepfun;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;

/**
 * StepFun's chat-completions endpoint. Only {@link StepFunClient} calls it: it adds the fault
 * tolerance. Base URL: {@code quarkus.rest-client.stepfun.url}; the key goes in as a bearer token.
 */
@RegisterRestClient(configKey = "stepfun")
@Path("/chat/completions")
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
interface StepFunApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ChatCompletion> create(ChatCompletionRequest request);

    /** The Authorization header: the configured key (STEP_API_KEY), which is never logged. */
    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getOptionalValue("stepfun.api-key", String.class).orElse("");
    }

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return StepFunErrors.fromResponse(response);
    }
}
