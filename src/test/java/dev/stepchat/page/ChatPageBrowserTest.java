package dev.stepchat.page;

import static dev.stepchat.support.ScriptedStepFun.RECORDER;
import static dev.stepchat.support.ScriptedStepFun.await;
import static dev.stepchat.support.ScriptedStepFun.chunk;
import static dev.stepchat.support.ScriptedStepFun.done;
import static dev.stepchat.support.ScriptedStepFun.events;
import static dev.stepchat.support.ScriptedStepFun.raw;
import static dev.stepchat.support.ScriptedStepFun.status;
import static dev.stepchat.support.ScriptedStepFun.then;
import static dev.stepchat.support.ScriptedStepFun.trickleUntilClosed;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

import dev.stepchat.support.Browser;
import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.ScriptedStepFun;
import dev.stepchat.support.StepFunBodies;

/**
 * The chat page at {@code /} in a real (headless) Chromium: what a user sees while sending,
 * streaming, stopping, regenerating, reloading, and when the model or the service says no.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ScriptedStepFun.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ChatPageBrowserTest {

    @RegisterExtension
    static final Browser.PerClass browser = new Browser.PerClass();

    @TestHTTPResource("/")
    URI base;

    @Inject
    CircuitBreakerMaintenance circuitBreakers;

    @BeforeEach
    void reset() {
        ScriptedStepFun.reset();
        circuitBreakers.resetAll();
        browser.driver().manage().window().setSize(new Dimension(1280, 900));
    }

    /** The page on a new, empty conversation. */
    private String openNewConversation() {
        return openNewConversation("{}");
    }

    /** The page on a new, empty conversation created with {@code body}. */
    private String openNewConversation(String body) {
        String id = given().contentType("application/json")
                .body(body)
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        browser.open(base.resolve("/#/c/" + id));
        browser.waitUntil(d -> d.findElement(By.cssSelector("#messages .hint")).isDisplayed());
        return id;
    }

    private void type(String text) {
        WebElement input = browser.driver().findElement(By.id("composer-input"));
        input.clear();
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    private WebElement answer() {
        List<WebElement> answers = browser.driver().findElements(By.cssSelector("#messages li.message.assistant"));
        return answers.getLast();
    }

    private String answerText() {
        return answer().findElement(By.className("body")).getText();
    }

    private boolean answerRunning() {
        return "true".equals(answer().getAttribute("aria-busy"));
    }

    @Test
    void textGrowsWhileItStreamsThenTheTurnShowsItsUsage() {
        CountDownLatch rest = new CountDownLatch(1);
        then(events(
                chunk("Kyoto in **three** days", "", 12, 4),
                await(rest),
                chunk(": temples first.", "stop", 12, 9),
                done()));
        openNewConversation();

        type("Plan Kyoto");

        browser.waitUntil(d -> answerText().contains("Kyoto in three days"));
        assertThat(answerRunning()).as("still streaming").isTrue();
        assertThat(answer().findElement(By.cssSelector(".body strong")).getText())
                .isEqualTo("three");
        assertThat(browser.driver().findElement(By.id("stop")).isDisplayed()).isTrue();
        assertThat(browser.driver().findElement(By.id("composer-input")).getAttribute("value"))
                .as("the composer is emptied once the service took the turn")
                .isEmpty();
        browser.screenshot("textGrowsWhileItStreams-mid-stream");

        rest.countDown();
        browser.waitUntil(d -> !answerRunning() && answerText().equals("Kyoto in three days: temples first."));
        assertThat(answer().findElement(By.className("usage")).getText()).startsWith("21 tokens");
        assertThat(browser.driver().findElement(By.id("totals")).getText()).startsWith("21 tokens · 1 turn");
        assertThat(browser.driver().findElement(By.id("stop")).isDisplayed()).isFalse();
        // the conversation took its title from the first message, and the list shows it
        browser.waitUntil(d -> d.findElement(By.cssSelector("#conversation-list button[aria-current=true]"))
                .getText()
                .startsWith("Plan Kyoto"));
    }

    @Test
    void aToolCallIsShownTheUserAnswersItAndTheModelGoesOn() {
        then(events(raw(StepFunBodies.streamedToolCalls(
                3, new StepFunBodies.Call("call_w", "get_weather", "{\"city\":\"Kyoto\",\"days\":3}")))));
        then(events(chunk("Sunny in Kyoto all week.", "stop", 30, 6), done()));
        String id = given().contentType("application/json")
                .body("""
                        {"tools":[{"type":"function","function":{"name":"get_weather",
                         "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""")
                .post("/conversations")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        browser.open(base.resolve("/#/c/" + id));
        browser.waitUntil(d -> d.findElement(By.cssSelector("#messages .hint")).isDisplayed());

        type("What is the weather in Kyoto?");

        browser.waitUntil(d -> d.findElements(By.cssSelector(".tool-call textarea.tool-answer"))
                        .size()
                == 1);
        WebElement call = browser.driver().findElement(By.cssSelector(".tool-call"));
        assertThat(call.findElement(By.className("tool-name")).getText()).isEqualTo("Calls get_weather");
        assertThat(call.findElement(By.className("tool-arguments")).getText())
                .as("the arguments, formatted")
                .contains("\"city\": \"Kyoto\"")
                .contains("\"days\": 3");
        browser.screenshot("aToolCall-waiting-for-its-result");

        call.findElement(By.cssSelector("textarea.tool-answer")).sendKeys("sunny, 21 °C");
        browser.driver().findElement(By.cssSelector("button.send-results")).click();

        browser.waitUntil(d -> !answerRunning() && answerText().equals("Sunny in Kyoto all week."));
        List<WebElement> results = browser.driver().findElements(By.cssSelector("#messages li.message.tool"));
        assertThat(results).hasSize(1);
        assertThat(results.getFirst().getText()).contains("sunny, 21 °C");
        assertThat(browser.driver().findElements(By.cssSelector("textarea.tool-answer")))
                .as("the call has its result: no box any more")
                .isEmpty();
        assertThat(RECORDER.bodies.getLast())
                .contains("\"tool_call_id\":\"call_w\"")
                .contains("sunny, 21 °C");
        browser.screenshot("aToolCall-answered");
    }

    @Test
    void stopEndsTheAnswerMidStream() {
        then(events(chunk("Partial answer", "", 10, 2), trickleUntilClosed()));
        String id = openNewConversation();

        type("Write a long essay");
        browser.waitUntil(d -> answerText().startsWith("Partial answer"));
        browser.driver().findElement(By.id("stop")).click();

        browser.waitUntil(d -> "incomplete".equals(answer().getAttribute("data-status")));
        assertThat(answer().findElement(By.className("badge")).getText()).isEqualTo("stopped");
        // the model request was cancelled: the stub's next write fails
        Awaitility.await().untilTrue(RECORDER.closedByService);
        String stored = given().get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .path("data[1].content");
        assertThat(answerText()).isEqualTo(stored);
        assertThat(browser.driver().findElement(By.id("send")).isEnabled()).isTrue();
    }

    @Test
    void regenerateThenSwitchBetweenTheAnswers() {
        then(events(chunk("First answer", "stop", 5, 2), done()));
        then(events(chunk("Second answer", "stop", 5, 2), done()));
        openNewConversation();

        type("Tell me a joke");
        browser.waitUntil(d -> !answerRunning() && answerText().equals("First answer"));
        answer().findElement(By.className("regenerate")).click();

        browser.waitUntil(d -> !answerRunning() && answerText().equals("Second answer"));
        assertThat(position()).isEqualTo("2 / 2");

        answer().findElement(By.cssSelector("button[aria-label='Previous answer']"))
                .click();
        browser.waitUntil(d -> "1 / 2".equals(position()) && answerText().equals("First answer"));

        answer().findElement(By.cssSelector("button[aria-label='Next answer']")).click();
        browser.waitUntil(d -> "2 / 2".equals(position()) && answerText().equals("Second answer"));

        // the choice is the conversation's current branch: a reload shows it again
        browser.driver().navigate().refresh();
        browser.waitUntil(d -> "2 / 2".equals(position()) && answerText().equals("Second answer"));
    }

    private String position() {
        return answer().findElement(By.className("position")).getText();
    }

    @Test
    void editingAMessageStartsASiblingBranch() {
        then(events(chunk("About cats", "stop", 5, 2), done()));
        then(events(chunk("About dogs", "stop", 5, 2), done()));
        openNewConversation();
        type("Tell me about cats");
        browser.waitUntil(d -> !answerRunning() && answerText().equals("About cats"));

        browser.driver()
                .findElement(By.cssSelector("#messages li.message.user .edit"))
                .click();
        WebElement edited = browser.driver().findElement(By.cssSelector("#messages li.message.user textarea"));
        edited.clear();
        edited.sendKeys("Tell me about dogs", Keys.ENTER);

        browser.waitUntil(d -> !answerRunning() && answerText().equals("About dogs"));
        WebElement user = browser.driver().findElement(By.cssSelector("#messages li.message.user"));
        assertThat(user.findElement(By.className("body")).getText()).isEqualTo("Tell me about dogs");
        assertThat(user.findElement(By.className("position")).getText()).isEqualTo("2 / 2");
    }

    @Test
    void aReloadMidStreamResumesTheAnswerAndFinishesItOnce() {
        CountDownLatch rest = new CountDownLatch(1);
        then(events(
                chunk("Before the reload. ", "", 10, 4),
                await(rest),
                chunk("After the reload.", "stop", 10, 8),
                done()));
        String id = openNewConversation();

        type("Keep talking");
        browser.waitUntil(d -> answerText().contains("Before the reload."));
        browser.driver().navigate().refresh();

        // the new page finds the running answer and follows it from its first character
        browser.waitUntil(d -> answerRunning() && answerText().equals("Before the reload."));
        rest.countDown();
        browser.waitUntil(d -> !answerRunning() && answerText().equals("Before the reload. After the reload."));

        String stored = given().get("/conversations/" + id + "/messages")
                .then()
                .statusCode(200)
                .extract()
                .path("data[1].content");
        assertThat(stored).isEqualTo("Before the reload. After the reload.");
        assertThat(browser.driver().findElement(By.id("messages")).getText()).containsOnlyOnce("Before the reload.");
        assertThat(RECORDER.bodies).as("one model call").hasSize(1);
    }

    @Test
    void htmlInAnAnswerRendersInert() {
        then(events(
                chunk(
                        "<img src=x onerror=window.pwned=1> [click me](javascript:window.pwned=2) "
                                + "<script>window.pwned=3</script><a href=javascript:window.pwned=4>raw</a> **bold** "
                                + "<p id=composer-input>clobber</p><a name=composer id=stop>named</a><img name=getElementById src=x>"
                                + "<form action=/conversations><button formaction=/x>go</button></form>",
                        "stop",
                        5,
                        9),
                done()));
        openNewConversation();

        type("Say something nasty");
        browser.waitUntil(d -> !answerRunning() && answerText().contains("bold"));

        WebElement body = answer().findElement(By.className("body"));
        assertThat(body.findElement(By.tagName("strong")).getText()).isEqualTo("bold");
        List<WebElement> images = body.findElements(By.tagName("img"));
        assertThat(images)
                .allSatisfy(img -> assertThat(img.getAttribute("onerror")).isNull());
        assertThat(body.findElements(By.tagName("script"))).isEmpty();
        List<WebElement> links = body.findElements(By.tagName("a"));
        assertThat(links)
                .extracting(a -> a.getAttribute("href"))
                .allSatisfy(href -> assertThat(href == null ? "" : href).doesNotStartWithIgnoringCase("javascript"));
        for (WebElement link : links) {
            link.click();
        }
        assertThat(browser.driver().executeScript("return window.pwned === undefined"))
                .isEqualTo(true);
        // nothing in an answer shadows the page's own elements or document properties, or can submit
        assertThat(body.findElements(By.cssSelector("[id], [name], form, button")))
                .isEmpty();
        assertThat(browser.driver()
                        .executeScript("return document.querySelectorAll('#composer-input').length === 1"
                                + " && document.getElementById('composer-input').tagName === 'TEXTAREA'"
                                + " && typeof document.getElementById === 'function'"))
                .isEqualTo(true);
        assertThat(browser.severeConsoleErrors())
                .as("no script error and no CSP violation")
                .noneMatch(e -> e.contains("Content Security Policy") || e.contains("Uncaught"));
    }

    @Test
    void aShareLinkShowsTheCopyReadOnlyUntilRevoked() {
        then(events(chunk("**Fushimi Inari** at dawn <img src=x onerror=window.pwned=1>", "stop", 5, 6), done()));
        String id = openNewConversation();
        type("Plan a day in Kyoto");
        browser.waitUntil(d -> !answerRunning() && answerText().contains("Fushimi Inari"));
        Map<String, String> share = given().contentType("application/json")
                .body("{}")
                .post("/conversations/" + id + "/shares")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath()
                .getMap("");

        browser.open(base.resolve(share.get("url")));
        browser.waitUntil(
                d -> d.findElements(By.cssSelector("#messages li.message")).size() == 2);
        List<WebElement> messages = browser.driver().findElements(By.cssSelector("#messages li.message"));
        assertThat(messages.get(0).getText()).contains("Plan a day in Kyoto");
        WebElement shared = messages.get(1).findElement(By.className("body"));
        assertThat(shared.findElement(By.tagName("strong")).getText()).isEqualTo("Fushimi Inari");
        assertThat(shared.findElements(By.tagName("img")))
                .allSatisfy(img -> assertThat(img.getAttribute("onerror")).isNull());
        assertThat(browser.driver().findElements(By.id("composer-input")))
                .as("read-only: nothing to send with")
                .isEmpty();
        assertThat(browser.driver().executeScript("return window.pwned === undefined"))
                .isEqualTo(true);
        assertThat(browser.severeConsoleErrors())
                .noneMatch(e -> e.contains("Content Security Policy") || e.contains("Uncaught"));

        given().delete("/shares/" + share.get("id")).then().statusCode(204);
        browser.open(base.resolve(share.get("url")));
        browser.waitUntil(d -> d.findElement(By.id("share-status")).getText().contains("revoked"));
        assertThat(browser.driver().findElements(By.cssSelector("#messages li.message")))
                .isEmpty();
    }

    @Test
    void aRateLimitShowsACountdownThenLetsTheUserSendAgain() {
        for (int i = 0; i < 3; i++) {
            then(status(
                    429,
                    Map.of("Retry-After", "0"),
                    "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}"));
        }
        then(status(
                429, Map.of("Retry-After", "3"), "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}"));
        openNewConversation();

        type("Are you there?");

        browser.waitUntil(d -> d.findElement(By.id("notice")).getText().contains("Try again in"));
        assertThat(browser.driver().findElement(By.id("notice")).getText())
                .startsWith("The model provider is still rate limiting after retries");
        assertThat(browser.driver().findElement(By.id("send")).isEnabled()).isFalse();
        assertThat(browser.driver().findElement(By.id("composer-input")).getAttribute("value"))
                .as("the text is kept for another try")
                .isEqualTo("Are you there?");
        browser.screenshot("aRateLimitShowsACountdown-counting");

        browser.waitUntil(d -> d.findElement(By.id("send")).isEnabled());
        assertThat(browser.driver().findElement(By.id("notice")).getText()).endsWith("You can send again now.");
    }

    @Test
    void aReplyStillBeingWrittenIsSaidPlainly() {
        CountDownLatch release = new CountDownLatch(1);
        then(events(chunk("Busy", "", 5, 1), await(release), chunk("", "stop", 5, 1), done()));
        String id = openNewConversation();
        // another tab of the same user starts a turn; this page does not know yet
        Thread other = Thread.ofVirtual()
                .start(() -> given().contentType("application/json")
                        .body("{\"content\":\"from the other tab\",\"stream\":true}")
                        .post("/conversations/" + id + "/messages"));
        try {
            Awaitility.await().until(() -> RECORDER.bodies.size() == 1);
            type("From this tab");
            browser.waitUntil(d -> d.findElement(By.id("notice"))
                    .getText()
                    .equals("A reply is still being written. Wait for it to finish, then send again."));
            // and the page then follows that reply
            browser.waitUntil(d -> answerRunning() && answerText().equals("Busy"));
        } finally {
            release.countDown();
        }
        browser.waitUntil(d -> !answerRunning());
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pastes a file into the composer, as a browser does with an image copied to the clipboard. */
    private void paste(String base64, String type, String name) {
        browser.driver().executeScript("""
                const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
                const data = new DataTransfer();
                data.items.add(new File([bytes], arguments[2], {type: arguments[1]}));
                document.getElementById('composer-input').dispatchEvent(
                    new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
                """, base64, type, name);
    }

    @Test
    void aPastedImageIsSentShownInTheThreadAndOpensFullSize() {
        then(events(chunk("A small gradient.", "stop", 1700, 4), done()));
        openNewConversation("{\"model\":\"eye\"}");
        byte[] png = dev.stepchat.support.Images.png();
        String base64 = java.util.Base64.getEncoder().encodeToString(png);

        // a file that only claims to be an image is refused, and the page says why
        paste(
                java.util.Base64.getEncoder().encodeToString("<html><body>hi</body></html>".getBytes()),
                "image/png",
                "fake.png");
        browser.waitUntil(d -> d.findElement(By.id("notice")).getText().startsWith("fake.png was not attached:"));
        assertThat(browser.driver().findElement(By.id("notice")).getText()).contains("only PNG, JPEG, WebP and GIF");
        assertThat(browser.severeConsoleErrors())
                .as("the refused upload only")
                .allMatch(error -> error.contains("/files") && error.contains("415"));

        paste(base64, "image/png", "gradient.png");
        browser.waitUntil(
                d -> !d.findElements(By.cssSelector("#attachments img")).isEmpty());
        type("What is this?");
        browser.waitUntil(d -> !answerRunning() && answerText().equals("A small gradient."));
        // the thread shows it, loaded with the token (the service's copy, after the reload of the turn's end)
        browser.waitUntil(d -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) d)
                .executeScript("const img = document.querySelector('#messages li.message.user .images img');"
                        + " return img !== null && img.complete && img.naturalWidth === 16;")));
        assertThat(browser.driver().findElement(By.id("attachments")).isDisplayed())
                .as("the composer is emptied of the sent image")
                .isFalse();
        assertThat(RECORDER.bodies.getLast()).contains("data:image/png;base64," + base64);
        browser.screenshot("aPastedImage-in-the-thread");

        browser.driver()
                .findElement(By.cssSelector("#messages li.message.user .thumb"))
                .click();
        browser.waitUntil(d -> d.findElement(By.id("image-viewer")).isDisplayed());
        assertThat(browser.driver().executeScript("return document.getElementById('image-full').naturalWidth"))
                .isEqualTo(16L);
        browser.driver().findElement(By.cssSelector("#image-viewer button")).click();
        browser.waitUntil(d -> !d.findElement(By.id("image-viewer")).isDisplayed());
        assertThat(browser.severeConsoleErrors())
                .as("no script error or blocked image")
                .isEmpty();
    }

    @Test
    void readableOnANarrowScreen() {
        then(events(chunk("A short answer", "stop", 5, 2), done()));
        browser.driver().manage().window().setSize(new Dimension(360, 740));
        openNewConversation();
        type("Hello from a phone");
        browser.waitUntil(d -> !answerRunning() && answerText().equals("A short answer"));

        assertThat(browser.driver().executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                .as("no sideways scrolling")
                .isEqualTo(true);
        assertThat(browser.driver().findElement(By.id("sidebar")).isDisplayed())
                .as("the list folds away")
                .isFalse();
        browser.driver().findElement(By.id("toggle-list")).click();
        browser.waitUntil(d -> d.findElement(By.id("sidebar")).isDisplayed());
        assertThat(browser.driver().findElement(By.id("toggle-list")).getAttribute("aria-expanded"))
                .isEqualTo("true");
    }
}
