package dev.stepchat.support;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's Chromium, headless, driven through its chromedriver (Debian: {@code apt-get install
 * chromium chromium-driver}; other paths via CHROME_BINARY and CHROMEDRIVER). Without them the
 * browser tests are skipped, unless {@code -Dbrowser-tests=required} (as in CI) makes that
 * a failure. Screenshots go to {@code target/browser-screenshots/}.
 */
public final class Browser {

    private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Why no browser can be started here (no Chromium or no chromedriver), or empty when one can. */
    static Optional<String> missing() {
        Path chromium = chromium();
        Path chromedriver = chromedriver();
        if (Files.isExecutable(chromium) && Files.isExecutable(chromedriver)) {
            return Optional.empty();
        }
        return Optional.of("No Chromium at " + chromium + " or no chromedriver at " + chromedriver
                + " (apt-get install chromium chromium-driver)");
    }

    private static boolean required() {
        return "required".equals(System.getProperty("browser-tests"));
    }

    private static Path chromium() {
        return Path.of(env("CHROME_BINARY", "/usr/bin/chromium"));
    }

    private static Path chromedriver() {
        return Path.of(env("CHROMEDRIVER", "/usr/bin/chromedriver"));
    }

    /**
     * Starts a browser; without one the calling test is skipped (aborted), or fails when browser
     * tests are required.
     */
    public static Browser start() {
        missing().ifPresent(why -> {
            if (required()) {
                Assertions.fail(why);
            }
            Assumptions.abort(why + ": browser tests skipped");
        });
        Path chromium = chromium();
        Path chromedriver = chromedriver();
        Path profile = Scratch.folder("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // headless, and nothing that would reach for the network on its own (the machine may have none)
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--user-data-dir=" + profile,
                "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Opens the page and waits until its script has loaded what it shows. */
    public void open(URI uri) {
        driver.get("about:blank");
        driver.get(uri.toString());
        waitUntil(d -> "true"
                .equals(d.findElement(org.openqa.selenium.By.tagName("body")).getDomAttribute("data-ready")));
    }

    /** Waits (at most 20 s) for what the user would see; elements replaced meanwhile are looked up again. */
    public void waitUntil(Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(IndexOutOfBoundsException.class)
                .ignoring(java.util.NoSuchElementException.class)
                .until(condition::apply);
    }

    public void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            System.err.println("No screenshot " + name + ": " + e);
        }
    }

    /** The browser console's errors since the last call (script errors, CSP violations, failed loads). */
    public List<String> severeConsoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    public void quit() {
        driver.quit();
        Scratch.delete(profile);
    }

    /**
     * One browser for a test class, registered with {@code @RegisterExtension}: started before its
     * first test, a screenshot after each test (named after it), quit after the last.
     * <p>
     * Without a browser the class is disabled by its {@link ExecutionCondition}, which JUnit asks
     * before any callback runs: the {@code @QuarkusTest} extension never starts the application for
     * it. (Aborting from {@code beforeAll} instead left that application started for a class that
     * ended at once; the next restart then closed the class loader a later class shared, which
     * failed to boot with "classloader is null".) With {@code -Dbrowser-tests=required} the class
     * runs and fails in {@code beforeAll}.
     */
    public static final class PerClass
            implements ExecutionCondition, BeforeAllCallback, AfterEachCallback, AfterAllCallback {

        private Browser browser;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return missing()
                    .filter(why -> !required())
                    .map(why -> ConditionEvaluationResult.disabled(why + ": browser tests skipped"))
                    .orElse(ConditionEvaluationResult.enabled("a browser is installed, or required"));
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            browser = start();
        }

        @Override
        public void afterEach(ExtensionContext context) {
            browser.screenshot(context.getRequiredTestMethod().getName());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (browser != null) {
                browser.quit();
            }
        }

        public ChromeDriver driver() {
            return browser.driver();
        }

        public void open(URI uri) {
            browser.open(uri);
        }

        public void waitUntil(Function<WebDriver, Boolean> condition) {
            browser.waitUntil(condition);
        }

        public void screenshot(String name) {
            browser.screenshot(name);
        }

        public List<String> severeConsoleErrors() {
            return browser.severeConsoleErrors();
        }
    }
}
