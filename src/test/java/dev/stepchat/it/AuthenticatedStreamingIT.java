package dev.stepchat.it;

import static dev.stepchat.support.ScriptedStepFun.RECORDER;
import static dev.stepchat.support.ScriptedStepFun.await;
import static dev.stepchat.support.ScriptedStepFun.chunk;
import static dev.stepchat.support.ScriptedStepFun.cut;
import static dev.stepchat.support.ScriptedStepFun.done;
import static dev.stepchat.support.ScriptedStepFun.events;
import static dev.stepchat.support.ScriptedStepFun.then;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.stepchat.support.AuthOnResource;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.ScriptedStepFun;

/**
 * The packaged application (the native executable with -Dnative) with authentication on, and
 * streams paced by a scripted StepFun: deltas forwarded while StepFun is still writing, a cut
 * stream's partial reply kept, and one owner's turns in flight held to its share.
 */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
@WithTestResource(ScriptedStepFun.class)
@WithTestResource(AuthOnResource.class)
class AuthenticatedStreamingIT {

    private final String alice = token("alice");

    @BeforeEach
    void reset() {
        ScriptedStepFun.reset();
    }

    private static String token(String subject) {
        try {
            return Jwt.issuer(AuthOnResource.ISSUER)
                    .subject(subject + "-" + System.nanoTime())
                    .audience(AuthOnResource.AUDIENCE)
                    .expiresIn(Duration.ofMinutes(5))
                    .sign(KeyUtils.readPrivateKey("test-jwt-private.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private String conversation() {
        return as(alice)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void tokensDecideWhoSeesWhat() {
        String id = conversation();
        given().when()
                .get("/conversations")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        as("not-a-jwt").when().get("/conversations").then().statusCode(401).body("type", endsWith("/unauthorized"));
        as(token("bob")).when().get("/conversations/" + id).then().statusCode(404);
        as(alice).when().get("/conversations/" + id).then().statusCode(200);
        // operations endpoints stay open
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void deltasArriveWhileStepFunIsStillWriting() throws Exception {
        CountDownLatch firstDeltaSeen = new CountDownLatch(1);
        then(events(chunk("Hel", "", 10, 1), await(firstDeltaSeen), chunk("lo", "stop", 10, 2), done()));
        String id = conversation();
        HttpResponse<InputStream> response = open(id);
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        List<String> events = new ArrayList<>();
        // start, then the first delta while the scripted StepFun holds the rest of its answer
        events.add(nextData(lines));
        assertThat(events.getFirst()).contains("\"status\":\"in_progress\"");
        events.add(nextData(lines));
        assertThat(events.get(1)).contains("\"content\":\"Hel\"");
        firstDeltaSeen.countDown();
        String data;
        while ((data = nextData(lines)) != null) {
            events.add(data);
        }
        assertThat(events).hasSize(4);
        assertThat(events.get(2)).contains("\"content\":\"lo\"");
        assertThat(events.get(3)).contains("\"object\":\"turn\"");
        as(alice)
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.content", org.hamcrest.Matchers.contains("hi", "Hello"));
    }

    @Test
    void aCutStreamKeepsItsPartialReply() throws Exception {
        then(events(chunk("par", "", 8, 1), chunk("tial", "", 8, 2), cut()));
        String id = conversation();
        HttpResponse<InputStream> response = open(id);
        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(body).contains("event: delta", "event: error");
        as(alice)
                .when()
                .get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .body("data.content", org.hamcrest.Matchers.contains("hi", "partial"))
                .body("data[1].status", equalTo("incomplete"));
        as(alice).when().get("/conversations/" + id).then().body("usage.total_tokens", equalTo(10));
        assertThat(RECORDER.bodies).hasSize(1);
    }

    @Test
    void oneOwnerRunsAtMostFourTurnsAtOnceAndTheOthersAreNotHeldUp() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        List<HttpResponse<InputStream>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            then(events(chunk("held ", "", 5, 1), await(finish), chunk("up", "stop", 5, 2), done()));
            HttpResponse<InputStream> response = open(alice, conversation());
            assertThat(response.statusCode()).isEqualTo(200);
            // its start event: the turn runs, its lease taken
            assertThat(nextData(new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))))
                    .contains("\"status\":\"in_progress\"");
            running.add(response);
        }
        as(alice)
                .contentType(ContentType.JSON)
                .body("{\"content\":\"a fifth\"}")
                .when()
                .post("/conversations/" + conversation() + "/messages")
                .then()
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("type", endsWith("/owner-rate-limited"));
        assertThat(RECORDER.bodies).as("the fifth never reached StepFun").hasSize(4);
        String bob = token("bob");
        then(events(chunk("yours", "stop", 5, 1), done()));
        String his = as(bob).contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        HttpResponse<InputStream> bobs = open(bob, his);
        assertThat(bobs.statusCode()).isEqualTo(200);
        assertThat(new String(bobs.body().readAllBytes(), StandardCharsets.UTF_8))
                .contains("event: done");
        finish.countDown();
        for (HttpResponse<InputStream> response : running) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("event: done");
        }
    }

    private HttpResponse<InputStream> open(String id) throws IOException, InterruptedException {
        return open(alice, id);
    }

    private HttpResponse<InputStream> open(String token, String id) throws IOException, InterruptedException {
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/conversations/" + id + "/messages");
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(uri)
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"hi\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String nextData(BufferedReader lines) throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("data:")) {
                return line.substring(5).strip();
            }
        }
        return null;
    }
}
