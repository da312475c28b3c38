package bench;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.gatling.javaapi.core.CoreDsl.RawFileBody;
import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The noisy neighbour: 50 owners chat at {@code rate} turns/s (request "others", each arrival a
 * turn of its owner's own conversation, from {@code -Dothers}, a CSV of token and conversation id),
 * and, with {@code -Dflood=true}, one more owner floods at the same time from {@code -Dflooder}
 * (a CSV of token, conversation, answer): slow turns ("flood-turn", {@code floodTurns}/s, each on a
 * conversation of its own), stream readers resuming one long-running answer ("flood-reader",
 * {@code floodReaders}/s, each held until that answer ends) and imports of {@code -Dimport}
 * ("flood-import", {@code floodImports}/s). The flooder's refusals (429, 503) are expected: only the
 * others' requests must succeed.
 *
 * <p>The others' first {@code onset} seconds (10) are their own request, "others-onset": the flood
 * starts with them, and the measured "others" run the {@code seconds} after, the steady state of
 * the same flood. Both phases, alone and flooded, are cut the same way.
 */
public class NoisySimulation extends Simulation {

    static final String BASE = System.getProperty("base", "http://localhost:8080");
    static final double RATE = Double.parseDouble(System.getProperty("rate", "20"));
    static final int SECONDS = Integer.parseInt(System.getProperty("seconds", "60"));
    static final int ONSET = Integer.parseInt(System.getProperty("onset", "10"));
    static final boolean FLOOD = Boolean.parseBoolean(System.getProperty("flood", "false"));
    static final double FLOOD_TURNS = Double.parseDouble(System.getProperty("floodTurns", "20"));
    static final double FLOOD_READERS = Double.parseDouble(System.getProperty("floodReaders", "20"));
    static final double FLOOD_IMPORTS = Double.parseDouble(System.getProperty("floodImports", "0.5"));
    static final String OTHERS = System.getProperty("others", "target/others.csv");
    static final String FLOODER = System.getProperty("flooder", "target/flooder.csv");
    static final String IMPORT = System.getProperty("import", "target/import.json");

    HttpProtocolBuilder protocol = http.baseUrl(BASE)
            .contentTypeHeader("application/json")
            .shareConnections()
            .maxConnectionsPerHost(4000);

    /** When the first of the others arrived: their requests in the {@code onset} seconds after are "others-onset". */
    static final AtomicLong FIRST = new AtomicLong();

    ScenarioBuilder others = scenario("others").feed(csv(OTHERS).queue()).exec(
            http(session -> {
                        long now = System.nanoTime();
                        FIRST.compareAndSet(0, now);
                        return now - FIRST.get() < Duration.ofSeconds(ONSET).toNanos() ? "others-onset" : "others";
                    })
                    .post("/conversations/#{conversation}/messages")
                    .header("Authorization", "Bearer #{token}")
                    .body(StringBody("{\"content\":\"Tell me about quarks in one paragraph.\"}"))
                    .check(status().is(201)));

    ScenarioBuilder floodTurns = scenario("flood-turns").feed(csv(FLOODER).queue()).exec(
            http("flood-turn").post("/conversations/#{conversation}/messages")
                    .header("Authorization", "Bearer #{token}")
                    .body(StringBody("{\"content\":\"Think slowly about quarks.\",\"model\":\"bench-slow\"}"))
                    .check(status().in(201, 429, 503)));

    ScenarioBuilder floodReaders = scenario("flood-readers").feed(csv(FLOODER).circular()).exec(
            http("flood-reader").get("/conversations/#{running_conversation}/messages/#{running_answer}/events")
                    .header("Authorization", "Bearer #{token}")
                    .header("Accept", "text/event-stream")
                    .check(status().in(200, 429)));

    ScenarioBuilder floodImports = scenario("flood-imports").feed(csv(FLOODER).circular()).exec(
            http("flood-import").post("/conversations/import")
                    .header("Authorization", "Bearer #{token}")
                    .body(RawFileBody(IMPORT))
                    .check(status().in(201, 400, 413, 503)));

    {
        Duration during = Duration.ofSeconds(ONSET + SECONDS);
        List<PopulationBuilder> load = new ArrayList<>();
        load.add(others.injectOpen(constantUsersPerSec(RATE).during(during)));
        if (FLOOD) {
            load.add(floodTurns.injectOpen(constantUsersPerSec(FLOOD_TURNS).during(during)));
            load.add(floodReaders.injectOpen(constantUsersPerSec(FLOOD_READERS).during(during)));
            load.add(floodImports.injectOpen(constantUsersPerSec(FLOOD_IMPORTS).during(during)));
        }
        setUp(load).protocols(protocol);
    }
}
