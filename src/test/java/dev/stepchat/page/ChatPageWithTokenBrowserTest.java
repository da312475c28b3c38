package dev.stepchat.page;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.stepchat.support.Browser;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;
import dev.stepchat.support.Tokens;

/** The chat page with authentication on: served to anyone, the API still needs the user's token. */
@QuarkusTest
@TestProfile(Tokens.AuthOn.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ChatPageWithTokenBrowserTest {

    @RegisterExtension
    static final Browser.PerClass browser = new Browser.PerClass();

    @TestHTTPResource("/")
    URI base;

    @Test
    void thePageIsPublicButNotTheApi() {
        given().when()
                .get("/")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", startsWith("default-src 'self'; script-src 'self'"))
                .header("X-Content-Type-Options", "nosniff");
        given().when().get("/chat/app.js").then().statusCode(200);
        given().when().get("/conversations").then().statusCode(401);
    }

    @Test
    void aPastedTokenStaysInTheTabAndOpensTheUsersConversations() {
        String token = Tokens.token("page-user-" + System.nanoTime());
        Tokens.as(token)
                .contentType(ContentType.JSON)
                .body("{\"title\":\"Mine, via the API\"}")
                .post("/conversations")
                .then()
                .statusCode(201);

        browser.open(base);
        browser.waitUntil(d -> d.findElement(By.id("token-panel")).isDisplayed());
        assertThat(browser.driver().findElement(By.id("conversation-list")).getText())
                .doesNotContain("Mine, via the API");

        browser.driver().findElement(By.id("token-input")).sendKeys(token);
        browser.driver().findElement(By.cssSelector("#token-panel button")).click();

        browser.waitUntil(
                d -> d.findElement(By.id("conversation-list")).getText().contains("Mine, via the API"));
        assertThat(browser.driver().findElement(By.id("token-panel")).isDisplayed())
                .isFalse();
        assertThat(browser.driver().executeScript("return sessionStorage.getItem('stepchat.token')"))
                .isEqualTo(token);
        assertThat(browser.driver().executeScript("return localStorage.length")).isEqualTo(0L);
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(token);

        browser.driver()
                .findElement(By.cssSelector("#conversation-list button"))
                .click();
        browser.waitUntil(
                d -> d.findElement(By.id("title-input")).getDomProperty("value").equals("Mine, via the API"));
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(token);
    }
}
