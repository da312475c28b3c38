package dev.stepchat.usage;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.OpenApiDocument;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;
import dev.stepchat.support.TestClock;

/**
 * Cost (step-3.5-flash at StepFun's prices: 0.10 input, 0.02 cached input, 0.30 output per
 * million tokens), usage reports and spending limits, for the single local owner of the tests.
 * Time moves with {@link TestClock}, into days no other test uses.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class CostAndLimitsTest extends StepFunStubbedTest {

    @AfterEach
    void realTimeAndNoLimits() {
        TestClock.set(null);
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("delete from owner_limit where owner = 'local'")
                        .executeUpdate());
    }

    private static String conversation(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static io.restassured.response.Response turn(String id) {
        return given().contentType(ContentType.JSON)
                .body("{\"content\":\"price me\"}")
                .when()
                .post("/conversations/" + id + "/messages");
    }

    /**
     * A turn on a new conversation that asks for at most {@code maxTokens}: under a limit it
     * reserves its prompt estimate (a few tokens, with no history) and that.
     */
    private static io.restassured.response.Response turnOnNewConversation(int maxTokens) {
        return given().contentType(ContentType.JSON)
                .body("{\"content\":\"price me\",\"max_tokens\":" + maxTokens + "}")
                .when()
                .post("/conversations/" + conversation("{}") + "/messages");
    }

    @Test
    void aTurnCostsItsTokensAtTheModelsPriceToTheLastDigit() {
        // (1200 - 200) x 0.10 + 200 x 0.02 + 300 x 0.30 = 194 per million tokens
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("priced", 1200, 300, 200))));
        String id = conversation("{}");
        JsonPath turn = turn(id).then().statusCode(201).extract().jsonPath();
        assertThat(turn.getString("usage.cost")).isEqualTo("0.00019400");
        assertThat(turn.getString("message.usage.cost")).isEqualTo("0.00019400");
        assertThat(turn.getString("conversation_usage.cost")).isEqualTo("0.00019400");
        assertThat(turn.getBoolean("conversation_usage.cost_complete")).isTrue();
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("again", 7, 3, 0))));
        // 7 x 0.10 + 3 x 0.30 = 1.6 per million: 0.0000016, rounded half-even to 8 places
        assertThat(turn(id).then().statusCode(201).extract().<String>path("usage.cost"))
                .isEqualTo("0.00000160");
        given().when()
                .get("/conversations/" + id)
                .then()
                .body("usage.cost", equalTo("0.00019560"))
                .body("usage.cost_complete", equalTo(true));
        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .statusCode(200)
                .body("cost", equalTo("0.00019560"))
                .body("by_model[0].model", equalTo("step-3.5-flash"))
                .body("by_model[0].cost", equalTo("0.00019560"))
                .body("by_model[0].cost_complete", equalTo(true));
        given().when()
                .get("/models")
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'step-3.5-flash' }.pricing.input", equalTo("0.10"))
                .body("data.find { it.id == 'step-3.5-flash' }.pricing.cached_input", equalTo("0.02"))
                .body("data.find { it.id == 'step-3.5-flash' }.pricing.output", equalTo("0.30"))
                .body("data.find { it.id == 'step-3.5-flash' }.pricing.per_tokens", equalTo(1000000))
                .body("data.find { it.id == 'step-3.5-flash' }.pricing.currency", equalTo("USD"));
    }

    @Test
    void aModelWithoutAPriceHasNoCostAndTheTotalsSaySo() {
        stepFun.stubFor(post(PATH)
                .willReturn(okJson(completion("unpriced", 10, 5, 0).replace("\"step-3.5-flash\"", "\"tiny\""))));
        String id = conversation("{\"model\":\"tiny\"}");
        JsonPath turn = turn(id).then().statusCode(201).extract().jsonPath();
        assertThat(turn.getString("usage.cost")).isNull();
        assertThat(turn.getString("conversation_usage.cost")).isEqualTo("0.00000000");
        assertThat(turn.getBoolean("conversation_usage.cost_complete")).isFalse();
        given().when()
                .get("/conversations/" + id + "/usage")
                .then()
                .body("cost_complete", equalTo(false))
                .body("by_model[0].cost_complete", equalTo(false));
    }

    /**
     * Costs are stored with each turn and only ever read back: what a later price would say is
     * never computed for the past (the stored cost of an answer, changed here as a price change
     * would have to, is what every read shows, and the totals keep what was added then).
     */
    @Test
    void aLaterPriceDoesNotRewriteThePast() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("then", 1000, 0, 0))));
        String id = conversation("{}");
        String messageId = turn(id).then().statusCode(201).extract().path("message.id");
        // the turn's cost is stored with it: what the price was then, whatever it is now
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager
                        .createNativeQuery("update message set cost = 0.5 where id = :id")
                        .setParameter("id", UUID.fromString(messageId))
                        .executeUpdate());
        given().when()
                .get("/conversations/" + id + "/messages")
                .then()
                .body("data[1].usage.cost", equalTo("0.50000000"));
        given().when().get("/conversations/" + id).then().body("usage.cost", equalTo("0.00010000"));
    }

    @Test
    void theReportGroupsTheLedgerByDayModelAndConversationDeletedOnesIncluded() {
        Instant beforeMidnight = Instant.parse("2031-03-01T23:59:30Z");
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("late", 100, 10, 0))));
        String first = conversation("{}");
        TestClock.set(beforeMidnight);
        turn(first).then().statusCode(201);
        TestClock.set(beforeMidnight.plusSeconds(60));
        String second = conversation("{}");
        turn(second).then().statusCode(201);
        given().when().delete("/conversations/" + second).then().statusCode(204);

        String range = "/usage?from=2031-03-01&to=2031-03-03";
        JsonPath byDay = given().when()
                .get(range + "&group_by=day")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(byDay.getList("groups.key")).containsExactly("2031-03-01", "2031-03-02");
        assertThat(byDay.getList("groups.total_tokens", Integer.class)).containsExactly(110, 110);
        assertThat(byDay.getString("totals.cost")).isEqualTo("0.00002600");
        assertThat(byDay.getInt("totals.turns")).isEqualTo(2);
        assertThat(byDay.getString("currency")).isEqualTo("USD");
        assertThat(given().when()
                        .get(range + "&group_by=conversation")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("groups.key"))
                .containsExactlyInAnyOrder(first, second);
        given().when()
                .get(range + "&group_by=model")
                .then()
                .statusCode(200)
                .body("groups.key", equalTo(List.of("step-3.5-flash")))
                .body("groups[0].turns", equalTo(2));
        // a half-open range: the second day alone
        given().when()
                .get("/usage?from=2031-03-02T00:00:00Z&to=2031-03-03T00:00:00Z")
                .then()
                .statusCode(200)
                .body("totals.turns", equalTo(1));
        // ranges that start or end inside a day: whole days and parts of days add up the same
        given().when()
                .get("/usage?from=2031-02-28T12:00:00Z&to=2031-03-02T00:01:00Z")
                .then()
                .statusCode(200)
                .body("groups.key", equalTo(List.of("2031-03-01", "2031-03-02")))
                .body("groups.total_tokens", equalTo(List.of(110, 110)))
                .body("totals.total_tokens", equalTo(220))
                .body("totals.cost", equalTo("0.00002600"));
        given().when()
                .get("/usage?from=2031-03-01T23:59:40Z&to=2031-03-03T00:00:00Z")
                .then()
                .statusCode(200)
                .body("groups.key", equalTo(List.of("2031-03-02")))
                .body("totals.turns", equalTo(1));
        given().when()
                .get("/usage?from=2031-03-01T23:00:00Z&to=2031-03-02T00:00:00Z")
                .then()
                .statusCode(200)
                .body("groups.key", equalTo(List.of("2031-03-01")))
                .body("totals.prompt_tokens", equalTo(100))
                .body("totals.completion_tokens", equalTo(10));
        OpenApiDocument.assertDocumented("GET", "/usage", given().when().get(range));
        OpenApiDocument.assertDocumented("GET", "/usage", given().when().get("/usage?group_by=week"));
        OpenApiDocument.assertDocumented("GET", "/usage", given().when().get("/usage?from=yesterday"));
    }

    @Test
    void aDailyTokenLimitRefusesTurnsUntilTheNextDay() {
        Instant noon = Instant.parse("2031-05-10T12:00:00Z");
        TestClock.set(noon);
        OpenApiDocument.assertDocumented(
                        "PUT",
                        "/admin/owners/{owner}/limits",
                        given().contentType(ContentType.JSON)
                                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":100}]}")
                                .when()
                                .put("/admin/owners/local/limits"))
                .then()
                .statusCode(200);
        // each answer says it used 60 tokens, more than the 10 asked for: what was used counts
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("sixty", 50, 10, 0))));
        turnOnNewConversation(10).then().statusCode(201);
        turnOnNewConversation(10).then().statusCode(201);
        stepFun.resetRequests();
        String id = conversation("{}");
        io.restassured.response.Response refused = given().contentType(ContentType.JSON)
                .body("{\"content\":\"price me\",\"max_tokens\":10}")
                .when()
                .post("/conversations/" + id + "/messages");
        refused.then()
                .statusCode(429)
                .contentType("application/problem+json")
                .body("type", endsWith("/spending-limit-reached"))
                .header("Retry-After", equalTo(String.valueOf(12 * 3600)));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        // the refused message is not kept; the report shows the limit used up
        given().when().get("/conversations/" + id).then().body("message_count", equalTo(0));
        given().when()
                .get("/usage")
                .then()
                .statusCode(200)
                .body("limits[0].window", equalTo("day"))
                .body("limits[0].unit", equalTo("tokens"))
                .body("limits[0].limit", equalTo(100))
                .body("limits[0].used", equalTo(120))
                .body("limits[0].remaining", equalTo(0))
                .body("limits[0].resets_at", equalTo("2031-05-11T00:00:00Z"));

        TestClock.set(noon.plusSeconds(12 * 3600));
        turnOnNewConversation(10).then().statusCode(201);
        // an administrator raises it
        TestClock.set(noon);
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":1000}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200)
                .body("limits.find { it.window == 'day' && it.unit == 'tokens' }.limit", equalTo(1000))
                .body("limits.find { it.window == 'month' && it.unit == 'cost' }.limit", nullValue());
        turnOnNewConversation(10).then().statusCode(201);
        given().when()
                .get("/admin/owners/local/limits")
                .then()
                .statusCode(200)
                .body("limits", org.hamcrest.Matchers.hasSize(4));
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":\"lots\"}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(400);
    }

    @Test
    void aTurnAdmittedAt80PercentOfALimitIsCountedForTheAlert() {
        TestClock.set(Instant.parse("2031-06-10T12:00:00Z"));
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":80}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("sixty", 50, 10, 0))));
        double before = nearDayTokens();
        // nothing used yet: a few prompt tokens and 10 reserved, far from 64
        turnOnNewConversation(10).then().statusCode(201);
        assertThat(nearDayTokens()).isEqualTo(before);
        // 60 used and this turn's worst case: past 80 % of 80, still within it
        turnOnNewConversation(10).then().statusCode(201);
        assertThat(nearDayTokens()).isEqualTo(before + 1);
    }

    private static double nearDayTokens() {
        String scrape =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher value = Pattern.compile("stepchat_spending_near_limit_total\\{unit=\"tokens\",window=\"day\"} (\\S+)")
                .matcher(scrape);
        assertThat(value.find()).as("the counter is exported from the start").isTrue();
        return Double.parseDouble(value.group(1));
    }

    @Test
    void aTurnWhoseWorstCaseDoesNotFitIsRefusedBeforeTheLimitIsReached() {
        TestClock.set(Instant.parse("2031-06-02T08:00:00Z"));
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":1000}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("fits", 5, 5, 0))));
        // without max_tokens a turn reserves the reply reserve (8,192 tokens): more than the limit
        turn(conversation("{}"))
                .then()
                .statusCode(429)
                .body("type", endsWith("/spending-limit-reached"))
                .body("detail", containsString("max_tokens"))
                .header("Retry-After", equalTo("5"));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        turnOnNewConversation(100).then().statusCode(201);
    }

    @Test
    void parallelTurnsNeverPassALimit() throws Exception {
        TestClock.set(Instant.parse("2031-07-20T08:00:00Z"));
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":150}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200);
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("ten", 5, 5, 0)).withFixedDelay(300)));
        for (int i = 0; i < 14; i++) {
            turnOnNewConversation(5).then().statusCode(201);
        }
        // 140 of 150 used: 20 turns at once on 20 conversations, each of which may use about 10
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(conversation("{}"));
        }
        int answered = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> statuses = ids.stream()
                    .map(id -> pool.submit(() -> given().contentType(ContentType.JSON)
                            .body("{\"content\":\"price me\",\"max_tokens\":5}")
                            .when()
                            .post("/conversations/" + id + "/messages")
                            .statusCode()))
                    .toList();
            for (Future<Integer> status : statuses) {
                int code = status.get();
                assertThat(code).isIn(201, 429);
                answered += code == 201 ? 1 : 0;
            }
        }
        int used = given().when().get("/usage").then().statusCode(200).extract().path("limits[0].used");
        // each running turn held its worst case against the limit: no overshoot, however many at once
        assertThat(answered).isLessThanOrEqualTo(1);
        assertThat(used).isEqualTo(140 + 10 * answered).isLessThanOrEqualTo(150);
    }

    @Test
    void aConversationCapRefusesTurnsPastIt() {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("capped", 20, 10, 0))));
        String id = conversation("{\"max_total_tokens\":50}");
        given().when().get("/conversations/" + id).then().body("max_total_tokens", equalTo(50));
        turn(id).then().statusCode(201);
        turn(id).then().statusCode(201);
        stepFun.resetRequests();
        turn(id).then().statusCode(422).body("type", endsWith("/conversation-limit-reached"));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        given().contentType(ContentType.JSON)
                .body("{\"max_total_tokens\":null}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(200)
                .body("max_total_tokens", nullValue());
        turn(id).then().statusCode(201);
        given().contentType(ContentType.JSON)
                .body("{\"max_total_tokens\":0}")
                .when()
                .patch("/conversations/" + id)
                .then()
                .statusCode(400);
    }

    @Test
    void aMonthlyCostLimitCountsTheExactCost() {
        Instant lastDay = Instant.parse("2031-09-30T18:00:00Z");
        TestClock.set(lastDay);
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"month\",\"unit\":\"cost\",\"limit\":\"0.000003\"}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200)
                .body("limits.find { it.window == 'month' && it.unit == 'cost' }.limit", equalTo("0.00000300"));
        // 12 x 0.10 + 3 x 0.30 per million: 0.0000021 a turn
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("cents", 12, 3, 0))));
        turnOnNewConversation(3).then().statusCode(201);
        // 0.0000009 is left, less than a turn may cost: refused until running turns end (none here)
        turnOnNewConversation(3)
                .then()
                .statusCode(429)
                .body("type", endsWith("/spending-limit-reached"))
                .header("Retry-After", equalTo("5"));
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"month\",\"unit\":\"cost\",\"limit\":\"0.000002\"}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200);
        turnOnNewConversation(3)
                .then()
                .statusCode(429)
                .body("type", endsWith("/spending-limit-reached"))
                .header("Retry-After", equalTo(String.valueOf(6 * 3600)));
        given().when()
                .get("/usage")
                .then()
                .body("limits[0].used", equalTo("0.00000210"))
                .body("limits[0].remaining", equalTo("0.00000000"))
                .body("limits[0].resets_at", equalTo("2031-10-01T00:00:00Z"));
        TestClock.set(Instant.parse("2031-10-01T00:00:01Z"));
        turnOnNewConversation(3).then().statusCode(201);
    }

    @Test
    void anUnpricedModelUnderACostLimitIsRefused() {
        given().contentType(ContentType.JSON)
                .body("{\"limits\":[{\"window\":\"day\",\"unit\":\"cost\",\"limit\":\"5.00\"}]}")
                .when()
                .put("/admin/owners/local/limits")
                .then()
                .statusCode(200);
        String id = conversation("{\"model\":\"tiny\"}");
        turn(id).then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", endsWith("/unpriced-model"))
                .body("detail", containsString("tiny"));
        stepFun.verify(0, postRequestedFor(urlEqualTo(PATH)));
        given().when().get("/conversations/" + id).then().body("message_count", equalTo(0));
    }
}
