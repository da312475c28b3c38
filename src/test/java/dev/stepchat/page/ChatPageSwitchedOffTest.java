package dev.stepchat.page;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.stepchat.support.EmbeddedPostgresResource;

/** stepchat.chat-page.enabled=false: no page, the API unchanged. */
@QuarkusTest
@TestProfile(ChatPageSwitchedOffTest.PageOff.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ChatPageSwitchedOffTest {

    public static class PageOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("stepchat.chat-page.enabled", "false");
        }
    }

    @Test
    void thePageIsA404AndTheApiStillAnswers() {
        for (String path : new String[] {"/", "/index.html", "/chat/app.js"}) {
            given().when()
                    .get(path)
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json")
                    .body("type", endsWith("/not-found"));
        }
        given().when().get("/conversations").then().statusCode(200);
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
