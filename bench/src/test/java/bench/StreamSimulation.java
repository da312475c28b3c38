package bench;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;

/**
 * Streamed turns at a constant arrival rate. "connect" is the time from sending the turn to the
 * response headers: the service sends them with its start event (it answers once StepFun's first
 * chunk is in), the simulator at once. "first" is the time from the headers to the first event,
 * "last" from there to the end of the stream. Time to first event = connect + first.
 * Properties as in {@link TurnSimulation}.
 */
public class StreamSimulation extends Simulation {

    HttpProtocolBuilder protocol = http.baseUrl(TurnSimulation.BASE)
            .contentTypeHeader("application/json")
            .shareConnections()
            .maxConnectionsPerHost(4000);

    boolean direct = TurnSimulation.TARGET.equals("simulator");

    ScenarioBuilder streams = scenario("stream")
            .feed(direct ? csv("simulator.csv").circular() : csv(TurnSimulation.CONVERSATIONS).queue())
            .exec(sse("connect").sseName("stream").post(direct ? "/v1/chat/completions" : "/conversations/#{id}/messages")
                    .header("Authorization", "Bearer bench")
                    .body(StringBody(direct
                            ? "{\"model\":\"bench-stream\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about quarks.\"}]}"
                            : "{\"content\":\"Tell me about quarks.\",\"model\":\"bench-stream\",\"stream\":true}"))
                    .await(Duration.ofSeconds(30)).on(sse.checkMessage("first").check(regex(".+"))))
            .exec(sse("check").sseName("stream").setCheck().await(Duration.ofSeconds(30))
                    .on(sse.checkMessage("last").matching(regex(direct ? "w19" : "\"object\":\"turn\""))
                            .check(regex(".+"))))
            .exec(sse("close").sseName("stream").close());

    {
        setUp(streams.injectOpen(constantUsersPerSec(TurnSimulation.RATE)
                .during(Duration.ofSeconds(TurnSimulation.SECONDS)))).protocols(protocol);
    }
}
