package dev.stepchat.observability;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.stepchat.support.StepFunBodies.PATH;
import static dev.stepchat.support.StepFunBodies.completion;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.StepFunStubbedTest;

/**
 * The dashboard and the alert rules under k8s/monitoring read metrics the service really exports:
 * after a turn, every metric name in a dashboard query or an alert expression is in /q/metrics.
 * (The rules' behaviour is tested by promtool in .ci/run.)
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class MonitoringTest extends StepFunStubbedTest {

    private static final Path MONITORING = Path.of("k8s/monitoring");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);
    private static final Pattern NAME = Pattern.compile("(?<![a-zA-Z0-9_:.$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Set<String> PROMQL_WORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "e");

    @Test
    void everyMetricTheDashboardAndTheAlertsReadIsExported() throws IOException {
        stepFun.stubFor(post(PATH).willReturn(okJson(completion("An answer", 12, 3, 0))));
        String id = given().contentType(ContentType.JSON)
                .body("{}")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().contentType(ContentType.JSON)
                .body("{\"content\":\"Hello\"}")
                .post("/conversations/" + id + "/messages")
                .then()
                .statusCode(201);

        String scrape =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> exported = new TreeSet<>();
        Matcher sample = SAMPLE.matcher(scrape);
        while (sample.find()) {
            exported.add(sample.group(1));
        }

        List<String> queries = new ArrayList<>();
        JsonNode dashboard =
                new ObjectMapper().readTree(MONITORING.resolve("dashboard.json").toFile());
        dashboard.findValues("expr").forEach(expr -> queries.add(expr.asText()));
        JsonNode rules =
                new YAMLMapper().readTree(MONITORING.resolve("alerts.yaml").toFile());
        rules.findValues("expr").forEach(expr -> queries.add(expr.asText()));
        assertThat(queries).hasSizeGreaterThan(20);

        Set<String> read = new TreeSet<>();
        for (String query : queries) {
            read.addAll(metricNames(query));
        }
        assertThat(read)
                .as("metric names in k8s/monitoring")
                .contains(
                        "stepchat_turns_total",
                        "stepchat_refusals_total",
                        "ft_circuitbreaker_state_current",
                        "http_server_requests_seconds_bucket")
                .allSatisfy(name -> assertThat(exported)
                        .as("exported at /q/metrics after a turn")
                        .contains(name));
    }

    @Test
    void theNameReaderFindsMetricsAndSkipsFunctionsLabelsAndRanges() {
        assertThat(
                        metricNames(
                                "histogram_quantile(0.99, sum by (le, mode) (rate(a_seconds_bucket{job=~\"$job\",uri=\"/x/{id}\"}[$__rate_interval]))) / 1e9 > 0.5 and on (job) b_total"))
                .containsExactlyInAnyOrder("a_seconds_bucket", "b_total");
    }

    /** The metric names a PromQL expression reads: strings, label matchers, ranges and groupings taken out. */
    static Set<String> metricNames(String query) {
        String bare = query.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher name = NAME.matcher(bare);
        while (name.find()) {
            if (!PROMQL_WORDS.contains(name.group(1))) {
                names.add(name.group(1));
            }
        }
        return names;
    }
}
