package io.streamhelper.relay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamhelper.relay.testkit.Chromium;
import io.streamhelper.relay.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver (Selenium 4): a fresh profile,
 * no network but the relay, and every HTTP exchange of the page recorded from Chrome's own
 * performance log, with the body of each response read back over the DevTools protocol, so a
 * test can search everything the page was sent.
 */
final class Browser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One response the page received: its URL, status and body (as text). */
    record Exchange(String url, int status, String body) {
    }

    private final ChromeDriver driver;
    private final List<Exchange> exchanges = new ArrayList<>();
    private final List<String> requestUrls = new ArrayList<>();
    /** Responses whose body has not finished loading when the log was read. */
    private final Map<String, JsonNode> pending = new HashMap<>();
    private final Set<String> finished = new HashSet<>();

    Browser(Path workDir) {
        Tools.require("chromedriver");
        try {
            Files.createDirectories(workDir);
            Path profile = Files.createTempDirectory(workDir.toAbsolutePath(), "profile-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(Chromium.binary().toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--disable-extensions", "--no-default-browser-check",
                    "--user-data-dir=" + profile, "--window-size=1280,900");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.PERFORMANCE, Level.ALL);
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Tools.find("chromedriver").toFile())
                    .usingAnyFreePort()
                    .withLogFile(workDir.resolve("chromedriver.log").toFile())
                    .build();
            driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    WebElement focused() {
        return driver.switchTo().activeElement();
    }

    /** What the page holds now: its serialized DOM plus the value of every form field (not in the HTML). */
    String domAndFieldValues() {
        Object values = driver.executeScript("return Array.from(document.querySelectorAll('input, textarea, select'))"
                + ".map((e) => e.id + '=' + e.value).join('\\n')");
        return driver.getPageSource() + "\n" + values;
    }

    /** Lets pages of this origin read and write the clipboard without asking (headless cannot ask). */
    void allowClipboard(String origin) {
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", origin,
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    }

    /** The clipboard's text as the page reads it (navigator.clipboard.readText()). */
    String clipboard() {
        Object text = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, (e) => done('clipboard read failed: ' + e))");
        return String.valueOf(text);
    }

    /** Reads the performance log so far: every request URL, every finished response with its body. */
    synchronized List<Exchange> exchanges() {
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = read(entry.getMessage()).get("message");
            String method = message.path("method").asText();
            JsonNode params = message.path("params");
            switch (method) {
                case "Network.requestWillBeSent" -> requestUrls.add(params.at("/request/url").asText());
                case "Network.responseReceived" -> pending.put(params.path("requestId").asText(), params.path("response"));
                case "Network.loadingFinished" -> finished.add(params.path("requestId").asText());
                default -> { }
            }
        }
        for (String id : List.copyOf(pending.keySet())) {
            if (finished.contains(id)) {
                JsonNode response = pending.remove(id);
                exchanges.add(new Exchange(response.path("url").asText(), response.path("status").asInt(), body(id)));
            }
        }
        return List.copyOf(exchanges);
    }

    synchronized List<String> requestUrls() {
        exchanges();
        return List.copyOf(requestUrls);
    }

    private String body(String requestId) {
        try {
            Map<String, Object> answer = driver.executeCdpCommand("Network.getResponseBody", Map.of("requestId", requestId));
            String body = String.valueOf(answer.get("body"));
            return Boolean.TRUE.equals(answer.get("base64Encoded"))
                    ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
        } catch (RuntimeException noBody) {
            return ""; // a 204, or a redirect: nothing was sent
        }
    }

    /** A PNG of the page at this window size, kept under target/ for a person to look at. */
    Path screenshot(Path png, int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        try {
            Files.createDirectories(png.getParent());
            Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png;
    }

    /** The console's messages (CSP violations are reported there). */
    List<String> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
