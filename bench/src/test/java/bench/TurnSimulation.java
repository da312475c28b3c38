package bench;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * An open-model load (constant arrival rate, so slow answers cannot hide) of chat turns.
 * <ul>
 * <li>{@code -Dtarget=service}: each arrival sends one turn to a conversation of its own (from
 * {@code -Dconversations}, a CSV of ids made beforehand).</li>
 * <li>{@code -Dtarget=simulator}: the same turn body straight to the StepFun simulator: the
 * floor the service adds to.</li>
 * </ul>
 * Other properties: {@code base} (URL), {@code rate} (arrivals per second), {@code seconds},
 * {@code model} (bench-instant, bench-slow or bench-stream: picks the simulator's delay) and
 * {@code stream} (true: ask for server-sent events; "turn" then ends with the last event).
 */
public class TurnSimulation extends Simulation {

    static final String BASE = System.getProperty("base", "http://localhost:8080");
    static final String TARGET = System.getProperty("target", "service");
    static final double RATE = Double.parseDouble(System.getProperty("rate", "50"));
    static final int SECONDS = Integer.parseInt(System.getProperty("seconds", "10"));
    static final String MODEL = System.getProperty("model", "bench-instant");
    static final boolean STREAM = Boolean.parseBoolean(System.getProperty("stream", "false"));

    HttpProtocolBuilder protocol = http.baseUrl(BASE)
            .contentTypeHeader("application/json")
            .acceptHeader(STREAM ? "text/event-stream" : "application/json")
            .shareConnections()
            .maxConnectionsPerHost(4000);

    /** Conversations made beforehand by run.sh (one turn at a time per conversation: one each). */
    static final String CONVERSATIONS = System.getProperty("conversations", "target/conversations.csv");

    ScenarioBuilder service = scenario("service").feed(csv(CONVERSATIONS).queue()).exec(
            http("turn").post("/conversations/#{id}/messages")
                    .body(StringBody("{\"content\":\"Tell me about quarks in one paragraph.\"}"))
                    .check(status().in(200, 201)));

    ScenarioBuilder simulator = scenario("simulator").exec(
            http("turn").post("/v1/chat/completions")
                    .header("Authorization", "Bearer bench")
                    .body(StringBody("{\"model\":\"" + MODEL + "\",\"stream\":" + STREAM + ",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"Tell me about quarks in one paragraph.\"}]}"))
                    .check(status().is(200)));

    {
        setUp((TARGET.equals("simulator") ? simulator : service)
                .injectOpen(constantUsersPerSec(RATE).during(Duration.ofSeconds(SECONDS))))
                .protocols(protocol);
    }
}
