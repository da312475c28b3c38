package dev.stepchat.problem;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/** What the HTTP server used to answer by itself, and details a client notices at the edge. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class HttpEdgeTest extends StepFunStubbedTest {

    static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URI base;

    @Test
    void aPreflightFromAnOriginNotAllowedIsAProblem() {
        given().header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .when()
                .options("/conversations")
                .then()
                .statusCode(403)
                .contentType(PROBLEM)
                .body("type", endsWith("/origin-not-allowed"))
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://evil.example")
                .when()
                .get("/conversations")
                .then()
                .statusCode(403)
                .contentType(PROBLEM);
        // the configured origin still gets its CORS answer
        given().header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .when()
                .options("/conversations")
                .then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example");
    }

    @Test
    void headersLargerThanTheLimitAreA431Problem() {
        given().header("Authorization", "Bearer " + "a".repeat(40_000))
                .when()
                .get("/conversations")
                .then()
                .statusCode(431)
                .contentType(PROBLEM)
                .body("type", endsWith("/headers-too-large"));
        // far larger: refused by the HTTP decoder once it has 64 KB, before any more is buffered
        given().header("Authorization", "Bearer " + "a".repeat(400_000))
                .when()
                .get("/conversations")
                .then()
                .statusCode(431);
        given().when().get("/conversations").then().statusCode(200);
    }

    @Test
    void anOrderWithAnythingAfterItIsRefused() throws IOException, InterruptedException {
        // sent as curl sends it, with a raw ';' in the query
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/conversations?order=asc;drop"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("order");
    }

    @Test
    void aRequestLineThatIsNoUriIsRefusedBeforeTheService() throws IOException {
        // Quarkus' HTTP layer parses each request's URI and answers one it cannot parse with a bare
        // 400, before any of the service's routes: docs/api.md says so
        for (String query : new String[] {"q=%", "q=100%25%", "q=%zz&limit=5"}) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.setSoTimeout(60_000);
                socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
                socket.getOutputStream()
                        .write(("GET /conversations?" + query + " HTTP/1.1\r\nHost: " + base.getAuthority()
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                String head = readHead(new java.io.DataInputStream(socket.getInputStream()));
                assertThat(head).as(query).startsWith("HTTP/1.1 400 ").containsIgnoringCase("content-length: 0");
            }
        }
        given().when().get("/conversations?q=100%25").then().statusCode(200);
    }

    @Test
    void aClientThatSendsAnOversizedBodyBeforeReadingStillReadsThe413() throws IOException {
        // the 413 comes from the Content-Length alone, before the body; the service then reads what
        // the client still sends instead of resetting the connection under it, and closes when done
        byte[] body = new byte[1536 * 1024]; // over the 1 MB body limit, under the import limit (2M here)
        java.util.Arrays.fill(body, (byte) 'x');
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setSendBufferSize(8 * 1024); // so that the body cannot all sit in this side's buffer
            socket.setSoTimeout(60_000);
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
            var out = socket.getOutputStream();
            var in = new java.io.DataInputStream(socket.getInputStream());
            out.write(("POST /conversations HTTP/1.1\r\nHost: " + base.getAuthority()
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            byte[] problem = in.readNBytes(length);

            // the whole answer is read: now the body, as a client that does not read first sends it
            out.write(body);
            out.flush();

            assertThat(head).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
            assertThat(new String(problem, StandardCharsets.UTF_8)).contains("/payload-too-large");
            assertThat(in.read()).as("closed once the body is in").isEqualTo(-1);
        }
        given().when().get("/conversations").then().statusCode(200);
    }

    private static String readHead(java.io.DataInputStream in) throws IOException {
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.toString();
    }

    @Test
    void swaggerUiIsRevalidatedAfterAnUpgrade() {
        String cache = given().when()
                .get("/q/swagger-ui/")
                .then()
                .statusCode(200)
                .extract()
                .header("Cache-Control");
        assertThat(cache).isEqualTo("no-cache");
    }

    @Test
    void anUntitledConversationIsTitledByItsFirstAnsweredTurnNotByAFailedOne() {
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"no\"}}")));
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"this one failed\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(502);
        given().when().get("/conversations/" + id).then().body("title", nullValue());

        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 3, 1, 0))));
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"  Plan a trip\\n to   Kyoto \"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        given().when().get("/conversations/" + id).then().body("title", equalTo("Plan a trip to Kyoto"));
    }

    @Test
    void metricsNameOnlyConfiguredModels() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ok", 3, 1, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String made = "client-made-model-" + System.nanoTime();
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"hi\",\"model\":\"" + made + "\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);
        stepFun.stubFor(
                post(PATH).willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"no\"}}")));
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"hi\",\"model\":\"" + made + "\"}")
                .when()
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(502);
        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics).doesNotContain(made).containsPattern("stepchat_turns_total\\{.*model=\"other\".*\\}");
    }
}
