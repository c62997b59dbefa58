package io.streamhelper.relay.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.engine.registry.StaticStreamCatalog;
import io.streamhelper.relay.testkit.Certificates;
import io.streamhelper.relay.testkit.Ffmpeg;
import io.streamhelper.relay.testkit.FreePorts;
import io.streamhelper.relay.testkit.HookServer;
import io.streamhelper.relay.testkit.NginxRtmp;
import io.streamhelper.relay.testkit.TestKeys;
import io.streamhelper.relay.testkit.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The web app as a streamer uses it, in Debian's Chromium driven by chromedriver, against the
 * packaged server on real sockets: create the admin on first run, sign in (a wrong password
 * first, then by keyboard alone), create a stream, read the OBS server and key off the page,
 * add two custom destinations on nginx-rtmp sinks from the form (a malformed URL first), publish
 * with ffmpeg using what the page showed, watch both go live with a bitrate, switch one off (it
 * goes idle on the page and its nginx sees the unpublish), replace the other's key, delete a
 * destination, rename the stream, make it a new key, delete it. The copy buttons are checked
 * against the clipboard as the page reads it back. Every response the page received and its DOM are searched for the destination
 * keys; screenshots at desktop and phone width are kept under target/web-app/.
 */
class WebAppBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "web-app");
    private static final String EMAIL = "admin@example.com";
    private static final String PASSWORD = "web app passphrase";
    private static final Duration LIVE = Duration.ofSeconds(40);

    private final List<String> destinationKeys = new ArrayList<>();
    private Browser browser;
    private Actions keys;

    @Test
    void aStreamerGoesFromFirstRunToLiveOnTwoDestinationsAndBack() throws Exception {
        Tools.require("ffmpeg", "nginx", "chromedriver");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "web-app-");
        Path clip = Ffmpeg.testClip(Path.of("target", "clips"), 10);
        Process publisher = null;
        try (HookServer hooks = new HookServer();
                NginxRtmp sinkA = NginxRtmp.start(work.resolve("nginx-a"), NginxRtmp.options().hooks(hooks));
                NginxRtmp sinkB = NginxRtmp.start(work.resolve("nginx-b"), NginxRtmp.options().hooks(hooks));
                RelayServer relay = RelayServer.start(TestRelayConfig.with(), new StaticStreamCatalog(List.of()));
                Browser opened = new Browser(work.resolve("chromium"))) {
            browser = opened;
            keys = new Actions(browser.driver());
            String base = "http://127.0.0.1:" + relay.httpPort();
            assertPageHeaders(base);

            // First run: no account yet, so the page offers to create the admin.
            browser.driver().get(base + "/");
            WebElement setupEmail = waitFor("#setup-email");
            assertEquals(setupEmail, browser.focused(), "the first field has the focus");
            setupEmail.sendKeys(EMAIL);
            find("#setup-password").sendKeys(PASSWORD);
            find("#setup-submit").click();
            waitForText("#view h2", "Your streams");
            click("#signout");

            // A wrong password: the API's message, next to the password field. Sign-up is closed
            // on this server once the admin exists, so it is not offered.
            waitFor("#signin-email").sendKeys(EMAIL);
            assertTrue(browser.driver().findElements(By.cssSelector("#signup")).isEmpty(), "no sign-up form");
            find("#signin-password").sendKeys("not the passphrase");
            find("#signin-submit").click();
            waitForText("#signin-password-error", "invalid email or password");
            assertEquals("true", find("#signin-password").getAttribute("aria-invalid"));

            // Sign in with the keyboard alone: email, Tab, password, Tab, the button, Enter.
            browser.driver().navigate().refresh();
            assertEquals(waitFor("#signin-email"), browser.focused(), "the email field has the focus");
            type(EMAIL);
            tab("signin-password");
            type(PASSWORD);
            tab("signin-submit");
            keys.sendKeys(Keys.ENTER).perform();
            waitForText("#view h2", "Your streams");

            // A stream, by keyboard: the heading has the focus, one Tab reaches the name field.
            tab("new-stream-name");
            type("Browser show" + Keys.ENTER);
            waitForText("#stream-title", "Browser show");
            assertLabelled();

            // The encoder panel: the key is hidden until asked for.
            String server = find("#obs-server").getText();
            assertEquals("rtmp://127.0.0.1:" + relay.rtmpPort() + "/live", server);
            assertTrue(find("#obs-key").getText().contains("hidden"), find("#obs-key").getText());
            click("#reveal-key");
            String ingestKey = TestKeys.issued(find("#obs-key").getText());
            assertTrue(ingestKey.length() >= 32, "a real key is shown: " + ingestKey.length() + " characters");
            click("#reveal-key");

            // The copy buttons put the server and the key on the clipboard, read back in the page;
            // copying the key does not put it in the DOM while it is hidden.
            browser.allowClipboard(base);
            click("#copy-server");
            waitForText("#encoder-status", "Server copied.");
            assertEquals(server, browser.clipboard(), "the clipboard after Copy server");
            click("#copy-key");
            waitForText("#encoder-status", "Key copied.");
            // compared, not echoed: a failure must not print the key
            assertTrue(ingestKey.equals(browser.clipboard()), "the clipboard after Copy key holds the key");
            assertTrue(find("#obs-key").getText().contains("hidden"), "the key is still hidden");
            assertFalse(browser.domAndFieldValues().contains(ingestKey), "the hidden key is not in the DOM");

            // The platform presets are the server's (GET /api/v1/platforms): YouTube offers its ingest.
            assertTrue(browser.requestUrls().stream().anyMatch(u -> u.endsWith("/api/v1/platforms")), "platforms asked for");
            find("#add-dest-platform option[value=youtube]").click();
            assertEquals("rtmps://a.rtmps.youtube.com:443/live2", find("#add-dest-rtmpUrl").getAttribute("placeholder"));
            assertEquals("Leave empty for rtmps://a.rtmps.youtube.com:443/live2, or give a regional ingest.",
                    find("#add-dest-rtmpUrl-hint").getText());

            // Destination A with a malformed URL first: the API's message lands next to the URL field.
            String keyA = destinationKey();
            addDestination("custom", keyA, "rtmp://not a host/app", "nginx A");
            waitForText("#add-dest-rtmpUrl-error", "rtmpUrl is not a valid URL");
            assertEquals("", find("#add-dest-streamKey-error").getText());
            WebElement url = find("#add-dest-rtmpUrl");
            url.clear();
            url.sendKeys(sinkA.rtmpUrl() + Keys.ENTER);
            WebElement cardA = waitFor("article.destination");
            assertTrue(find("#add-dest-streamKey").getAttribute("value").isEmpty(), "the key field is emptied once sent");

            // Destination B by keyboard alone: platform (typed), Tab, key, Tab, URL, Tab, name, Enter.
            String keyB = destinationKey();
            browser.driver().executeScript("arguments[0].focus()", find("#add-dest-platform"));
            keys.sendKeys("c").perform();
            tab("add-dest-streamKey");
            type(keyB);
            tab("add-dest-rtmpUrl");
            type(sinkB.rtmpUrl());
            tab("add-dest-displayName");
            type("nginx B" + Keys.ENTER);
            eventually(Duration.ofSeconds(10)).until(() -> cards().size() == 2);
            WebElement cardB = cards().get(1);
            assertTrue(cardB.getText().contains("nginx B") && cardB.getText().contains("Custom"), cardB.getText());

            // Go live with what the page showed.
            publisher = Ffmpeg.publishLooping(clip, server + "/" + ingestKey, work.resolve("publisher.log"));
            eventually(LIVE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (WebElement card : cards()) {
                    assertEquals("live", card.getAttribute("data-state"), card.getText());
                    String rate = card.findElement(By.cssSelector(".dest-bitrate")).getText();
                    assertTrue(rate.endsWith("Mbit/s") || (rate.endsWith("kbit/s") && !rate.startsWith("0 ")), rate);
                }
            });
            assertTrue(hooks.saw("publish", keyA) && hooks.saw("publish", keyB), "both sinks receive the stream");
            eventually(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertTrue(find("#live-publisher").getText().startsWith("Publisher connected"), find("#live-publisher").getText());
                assertTrue(find("#live-video").getText().contains("h264 · 1280×720"), find("#live-video").getText());
                assertTrue(find("#live-bitrate").getText().endsWith("Mbit/s"), find("#live-bitrate").getText());
            });
            // The clip has a keyframe every 60 frames at 30 fps: the page says 2 s, and warns of nothing.
            eventually(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("2 s", find("#live-keyframes").getText()));
            assertEquals("", find("#live-warnings").getText());
            browser.driver().executeScript("window.scrollTo(0, 0)");
            browser.screenshot(SCREENSHOTS.resolve("desktop.png"), 1280, 2000);
            browser.screenshot(SCREENSHOTS.resolve("phone.png"), 390, 2600);
            assertEquals(true, browser.driver().executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth"), "nothing wider than a phone");
            browser.driver().manage().window().setSize(new Dimension(1280, 900));
            assertWarningsAStreamerCanActOn();

            // Switch A off with the keyboard (Space on the switch): it goes idle on the page while its
            // nginx sees the unpublish; B goes on.
            cardA = card("nginx A");
            String prefixA = "dest-" + cardA.getAttribute("data-destination-id");
            browser.driver().executeScript("arguments[0].focus()", find("#" + prefixA + "-enabled"));
            keys.sendKeys(Keys.SPACE).perform();
            WebElement offA = cardA;
            // The page polls once a second: the change shows within 2 s of the relay making it.
            eventually(Duration.ofSeconds(3)).untilAsserted(() -> assertEquals("idle", offA.getAttribute("data-state")));
            assertFalse(find("#" + prefixA + "-enabled").isSelected());
            eventually(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keyA));
            assertFalse(hooks.saw("publish_done", keyB), "B is not touched");
            assertEquals("live", card("nginx B").getAttribute("data-state"));

            // Replace B's key: the relay reconnects B with the new one, and B is live again.
            String keyB2 = destinationKey();
            cardB = card("nginx B");
            String edit = "dest-" + cardB.getAttribute("data-destination-id") + "-edit-";
            cardB.findElement(By.cssSelector(".dest-edit")).click();
            assertEquals(edit + "displayName", browser.focused().getAttribute("id"), "the edit form takes the focus");
            tab(edit + "rtmpUrl");
            tab(edit + "streamKey");
            type(keyB2 + Keys.ENTER);
            WebElement replace = find("#" + edit + "streamKey");
            eventually(LIVE).until(() -> hooks.saw("publish", keyB2));
            WebElement liveB = cardB;
            eventually(LIVE).untilAsserted(() -> assertEquals("live", liveB.getAttribute("data-state")));
            assertTrue(replace.getAttribute("value").isEmpty(), "the replaced key is not kept in the form");

            // Delete A with the keyboard: from its switch, Tab to Edit, Tab to Delete, Enter, confirm.
            browser.driver().executeScript("arguments[0].focus()", find("#" + prefixA + "-enabled"));
            keys.sendKeys(Keys.TAB).perform();
            assertEquals("Edit", browser.focused().getText());
            keys.sendKeys(Keys.TAB).perform();
            assertEquals("Delete", browser.focused().getText());
            keys.sendKeys(Keys.ENTER).perform();
            browser.driver().switchTo().alert().accept();
            eventually(Duration.ofSeconds(10)).until(() -> cards().size() == 1);
            assertTrue(cards().get(0).getText().contains("nginx B"));

            // Rename the stream, and make it a new key: the publisher already live goes on.
            WebElement name = find("#rename-name");
            name.clear();
            name.sendKeys("Late show" + Keys.ENTER);
            waitForText("#stream-title", "Late show");
            click("#rotate-key");
            browser.driver().switchTo().alert().accept();
            waitForText("#encoder-status", "New key made: put it in your encoder.");
            click("#reveal-key");
            String newIngestKey = TestKeys.issued(find("#obs-key").getText());
            assertTrue(!newIngestKey.equals(ingestKey) && newIngestKey.length() >= 32, "a new key is shown");
            click("#reveal-key");
            assertEquals("live", card("nginx B").getAttribute("data-state"));

            // A destination C where nothing listens: it fails over and over while B stays live.
            addDestination("custom", destinationKey(), "rtmp://127.0.0.1:" + FreePorts.allocate() + "/live", "nginx C");
            eventually(Duration.ofSeconds(10)).until(() -> cards().size() == 2);

            // The broadcast is in the stream's history, live now, with C's trouble so far (and
            // what C does now) while the show goes on; once the encoder goes away (no grace in
            // tests) it is listed as ended, with how it ended.
            eventually(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertEquals("live now", find("#sessions .session-end").getText());
                String row = find("#sessions tbody tr").getText();
                assertTrue(row.contains("nginx C (127.0.0.1): retrying at ") && row.contains("; now "), row);
                assertFalse(row.contains("no reason given") || row.contains("nginx B"), row);
            });
            publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            eventually(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertEquals("encoder connection lost", find("#sessions .session-end").getText());
                String row = find("#sessions tbody tr").getText();
                assertTrue(row.contains("nginx C (127.0.0.1): retrying at ") && !row.contains("; now "), row);
                assertFalse(row.contains("nginx B"), "B never failed: " + row);
            });

            // Delete the stream: back to the list, and B's nginx sees the unpublish.
            click("#delete-stream");
            browser.driver().switchTo().alert().accept();
            waitForText("#view h2", "Your streams");
            assertTrue(find(".empty").getText().startsWith("No stream yet"), find("#view").getText());
            eventually(Duration.ofSeconds(10)).until(() -> hooks.saw("publish_done", keyB2));

            // Changing the password with a wrong current one: the message is next to that field.
            browser.driver().get(base + "/#/account");
            waitFor("#password-currentPassword").sendKeys("wrong current passphrase");
            find("#password-newPassword").sendKeys("a new web passphrase");
            find("#password-submit").click();
            waitForText("#password-currentPassword-error", "currentPassword is not right");

            // The admin's page: the account and the server's health.
            browser.driver().get(base + "/#/admin");
            waitForText("#health-status", "OK");
            assertTrue(find("#users").getText().contains(EMAIL), find("#users").getText());

            assertNoKeyAnywhere(base);
            assertTrue(browser.console().stream().noneMatch(m -> m.contains("Content Security Policy")),
                    "no CSP violation: " + browser.console());
        } finally {
            if (publisher != null && publisher.isAlive()) {
                publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A server with sign-up open, its admin already made: a visitor signs up from the sign-in
     * page; the admin creates an account from the admin page (a taken email is refused next to
     * the email field); and a session ended elsewhere brings the sign-in form back with a word why.
     */
    @Test
    void signUpWhereOpenAccountsForAdminsAndAnEndedSession() throws Exception {
        Tools.require("chromedriver");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "web-app-");
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_ALLOW_SIGNUP", "true"),
                        new StaticStreamCatalog(List.of()));
                Browser opened = new Browser(work.resolve("chromium"))) {
            browser = opened;
            RelayHttp api = new RelayHttp(relay.httpPort());
            api.signUpAndLogin(EMAIL, PASSWORD);
            String base = "http://127.0.0.1:" + relay.httpPort();
            browser.driver().get(base + "/");
            waitFor("#signin-email");
            assertTrue(find("#signup").isDisplayed(), "sign-up is offered where the server allows it");
            find("#signup-email").sendKeys("streamer@example.com");
            find("#signup-password").sendKeys("a streamer passphrase");
            find("#signup-submit").click();
            waitForText("#view h2", "Your streams");
            assertFalse(find("#nav-admin").isDisplayed(), "a streamer has no admin page");
            click("#signout");

            waitFor("#signin-email").sendKeys(EMAIL);
            find("#signin-password").sendKeys(PASSWORD + Keys.ENTER);
            waitForText("#view h2", "Your streams");
            click("#nav-admin");
            waitForText("#health-status", "OK");
            find("#new-user-email").sendKeys("streamer@example.com");
            find("#new-user-password").sendKeys("another passphrase");
            click("#new-user-submit");
            waitForText("#new-user-email-error", "an account with this email exists already");
            WebElement email = find("#new-user-email");
            email.clear();
            email.sendKeys("friend@example.com");
            click("#new-user-submit");
            eventually(Duration.ofSeconds(10)).until(() -> find("#users").getText().contains("friend@example.com"));

            // The admin signs this session out from elsewhere: the page's next call is refused.
            String token = TestKeys.issued(String.valueOf(browser.driver().executeScript(
                    "return sessionStorage.getItem('relay.token')")));
            api.call("POST", "/api/v1/auth/logout", null, token, 204);
            click("a[href='#/streams']");
            waitForText(".notice", "Your session has ended: sign in again.");
            assertTrue(find("#signin-email").isDisplayed());
            assertEquals(null, browser.driver().executeScript("return sessionStorage.getItem('relay.token')"),
                    "the refused token is forgotten");
        }
    }

    /**
     * With RTMPS on, the stream page gives the streamer both server addresses, the encrypted one
     * first, each with its own copy button that puts exactly that address on the clipboard.
     */
    @Test
    void withRtmpsTheStreamPageOffersTheEncryptedAddressFirstAndBothCopy() throws Exception {
        Tools.require("chromedriver", "openssl");
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "web-app-");
        Certificates.Leaf leaf = Certificates.leaf(Certificates.authority(work.resolve("ca"), "Web App Test CA"), work,
                "relay", "localhost", Certificates.KeyFormat.RSA_PKCS8);
        try (RelayServer relay = RelayServer.start(TestRelayConfig.with("RELAY_TLS_CERT_FILE", leaf.fullChain().toString(),
                        "RELAY_TLS_KEY_FILE", leaf.privateKey().toString(), "RELAY_RTMPS_PORT", "0"),
                        new StaticStreamCatalog(List.of()));
                Browser opened = new Browser(work.resolve("chromium"))) {
            browser = opened;
            keys = new Actions(browser.driver());
            new RelayHttp(relay.httpPort()).signUpAndLogin(EMAIL, PASSWORD);
            String base = "http://127.0.0.1:" + relay.httpPort();
            browser.driver().get(base + "/");
            waitFor("#signin-email").sendKeys(EMAIL);
            find("#signin-password").sendKeys(PASSWORD + Keys.ENTER);
            waitForText("#view h2", "Your streams");
            find("#new-stream-name").sendKeys("Encrypted show" + Keys.ENTER);
            waitForText("#stream-title", "Encrypted show");

            String rtmps = "rtmps://127.0.0.1:" + relay.rtmpsPort().orElseThrow() + "/live";
            String rtmp = "rtmp://127.0.0.1:" + relay.rtmpPort() + "/live";
            assertEquals(rtmps, find("#obs-server").getText());
            assertEquals(rtmp, find("#obs-server-rtmp").getText());
            String panel = find("#obs-server").findElement(By.xpath("ancestor::dl")).getText();
            assertTrue(panel.indexOf("RTMPS, encrypted") < panel.indexOf("RTMP, not encrypted"), panel);

            browser.allowClipboard(base);
            click("#copy-server");
            waitForText("#encoder-status", "RTMPS server copied.");
            assertEquals(rtmps, browser.clipboard());
            click("#copy-server-rtmp");
            waitForText("#encoder-status", "RTMP server copied.");
            assertEquals(rtmp, browser.clipboard());
        }
    }

    /**
     * The live panel's advice, from the page's own module run in this browser on what the stats
     * would say of an encoder set up wrongly: a keyframe every 10 s, HEVC and Opus to Twitch.
     */
    private void assertWarningsAStreamerCanActOn() {
        Object warnings = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/app/live.js').then((m) => done(m.warnings("
                + "{video: {codec: 'hevc', keyframeIntervalSeconds: 10}, audio: {codec: 'opus'}},"
                + " [{platform: 'twitch', enabled: true}, {platform: 'youtube', enabled: true},"
                + " {platform: 'facebook', enabled: false}, {platform: 'custom', enabled: true}]).join('\\n')))");
        String text = String.valueOf(warnings);
        assertTrue(text.contains("Keyframes arrive every 10 s") && text.contains("set the keyframe interval to 2 s"), text);
        assertTrue(text.contains("hevc video, which Twitch does not take"), "YouTube takes HEVC; a disabled Facebook does not count: " + text);
        assertTrue(text.contains("opus audio, which Twitch and YouTube do not take"), text);
        Object none = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/app/live.js').then((m) => done(m.warnings("
                + "{video: {codec: 'h264', keyframeIntervalSeconds: 2}, audio: {codec: 'aac'}},"
                + " [{platform: 'twitch', enabled: true}]).length))");
        assertEquals(0L, none, "a stream set up right gets no warning");
    }

    /** The destination keys made so far, never to be found in what the page holds or received. */
    private String destinationKey() {
        String key = TestKeys.destination();
        destinationKeys.add(key);
        return key;
    }

    private void addDestination(String platform, String key, String url, String name) {
        find("#add-dest-platform option[value=" + platform + "]").click();
        find("#add-dest-streamKey").sendKeys(key);
        find("#add-dest-rtmpUrl").sendKeys(url);
        find("#add-dest-displayName").sendKeys(name);
        find("#add-dest-submit").click();
    }

    private void assertNoKeyAnywhere(String base) {
        String page = browser.domAndFieldValues();
        // What the relay sent (not the browser's own new-tab page before the first load).
        List<Browser.Exchange> exchanges = browser.exchanges().stream().filter(e -> e.url().startsWith(base)).toList();
        long destinationLists = exchanges.stream()
                .filter(e -> e.url().contains("/api/v1/stream-destinations/stream/") && e.status() == 200)
                .filter(e -> e.body().contains("\"status\"")).count();
        assertTrue(destinationLists > 5, "the responses were really read: " + destinationLists + " destination lists");
        List<String> unread = exchanges.stream().filter(e -> e.status() == 200 && e.body().isEmpty()).map(Browser.Exchange::url).toList();
        assertEquals(List.of(), unread, "responses whose body could not be read back");
        assertTrue(exchanges.stream().anyMatch(e -> e.url().endsWith("/app/destinations.js") && e.body().contains("export")));
        List<String> urls = browser.requestUrls();
        for (String key : destinationKeys) {
            assertFalse(page.contains(key), "a destination key is in the page");
            for (Browser.Exchange e : exchanges) {
                assertFalse(e.body().contains(key), "a destination key was sent to the page by " + e.url());
            }
            assertFalse(urls.stream().anyMatch(u -> u.contains(key)), "a destination key is in a URL");
        }
        assertTrue(urls.stream().noneMatch(u -> u.contains("token")), "no token in a URL: " + urls);
    }

    /** The page's own responses carry the API's security headers and a policy with no inline code. */
    private static void assertPageHeaders(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/", "/app/main.js", "/app/app.css")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path);
            String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe"), csp);
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""), path);
            assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), path);
        }
    }

    /** Every form field on the stream page has a label the browser ties to it. */
    private void assertLabelled() {
        Object unlabelled = browser.driver().executeScript("return Array.from(document.querySelectorAll('input, select'))"
                + ".filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id).join(',')");
        assertEquals("", unlabelled, "fields without a label");
    }

    /**
     * Awaitility, retrying also when the page replaced a node the test held (it re-renders parts of
     * itself every second).
     */
    private static ConditionFactory eventually(Duration limit) {
        return await().atMost(limit).ignoreExceptionsInstanceOf(StaleElementReferenceException.class);
    }

    private void type(CharSequence text) {
        keys.sendKeys(text).perform();
    }

    /** One Tab, and the focus must land on the element with this id: the order a keyboard user meets. */
    private void tab(String expectedId) {
        keys.sendKeys(Keys.TAB).perform();
        assertEquals(expectedId, browser.focused().getAttribute("id"), "focus order");
    }

    private List<WebElement> cards() {
        return browser.driver().findElements(By.cssSelector("article.destination"));
    }

    private WebElement card(String name) {
        return cards().stream().filter(c -> c.getText().contains(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no destination named " + name));
    }

    private WebElement find(String css) {
        browser.exchanges(); // read each response while the browser still has its body
        return browser.driver().findElement(By.cssSelector(css));
    }

    private void click(String css) {
        find(css).click();
    }

    private WebElement waitFor(String css) {
        return eventually(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> browser.driver().findElement(By.cssSelector(css)), e -> e.isDisplayed());
    }

    private void waitForText(String css, String text) {
        eventually(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertEquals(text, browser.driver().findElement(By.cssSelector(css)).getText()));
    }
}
