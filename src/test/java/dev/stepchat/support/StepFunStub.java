package dev.stepchat.support;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** WireMock playing StepFun's API, at {@code quarkus.rest-client.stepfun.url}. */
public class StepFunStub implements QuarkusTestResourceLifecycleManager {

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options()
                .dynamicPort()
                .containerThreads(200)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(50)
                .extensions(new TokenCountingStepFun()));
        server.start();
        return Map.of("quarkus.rest-client.stepfun.url", server.baseUrl() + "/v1", "stepfun.api-key", "test-key");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(
                server, new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
