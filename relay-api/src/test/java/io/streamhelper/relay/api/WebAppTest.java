package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.service.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's files as the server sends them: at / and /app/<file> only, each with the
 * security headers and a policy that allows no inline code, and none of them building markup
 * from strings (the browser test drives the app itself: relay-app WebAppBrowserTest).
 */
class WebAppTest {
    @TempDir
    Path dir;

    @Test
    void theShellAndEveryAssetComeWithTheSecurityHeaders() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                List<String> paths = new ArrayList<>(List.of("/"));
                WebApp.ASSETS.forEach(name -> paths.add("/app/" + name));
                for (String path : paths) {
                    ApiFixture.Response response = api.get(path, null);
                    assertEquals(200, response.status(), path);
                    assertEquals(WebApp.CONTENT_SECURITY_POLICY, response.header("Content-Security-Policy"), path);
                    assertEquals("nosniff", response.header("X-Content-Type-Options"), path);
                    assertEquals("no-referrer", response.header("Referrer-Policy"), path);
                    assertEquals("DENY", response.header("X-Frame-Options"), path);
                    String type = response.header("Content-Type");
                    assertTrue(path.equals("/") ? type.startsWith("text/html") : path.endsWith(".css")
                            ? type.startsWith("text/css") : type.startsWith("text/javascript"), path + ": " + type);
                }
                assertFalse(WebApp.CONTENT_SECURITY_POLICY.contains("unsafe"), WebApp.CONTENT_SECURITY_POLICY);
            });
        }
    }

    @Test
    void onlyTheListedFilesAreServed() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                for (String path : List.of("/app/index.html", "/app/..%2Fstat.html", "/app/nothing.js", "/app/")) {
                    ApiFixture.Response response = api.get(path, null);
                    assertEquals(404, response.status(), path + ": " + response.body());
                    assertTrue(response.header("Content-Type").startsWith("application/json"), path);
                }
            });
        }
    }

    /** What the policy enforces in the browser, checked in the files too: no inline code, no HTML from strings. */
    @Test
    void noInlineScriptOrStyleAndNoMarkupFromStrings() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String index = api.get("/", null).body();
                assertTrue(index.contains("<script type=\"module\" src=\"/app/main.js\"></script>"), index);
                assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(index).find(), "an inline script");
                assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=").matcher(index).find(), "inline style or handler");
                for (String name : WebApp.ASSETS) {
                    String body = api.get("/app/" + name, null).body();
                    for (String banned : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                            "new Function", "localStorage", "document.cookie")) {
                        assertFalse(body.contains(banned), name + " uses " + banned);
                    }
                }
            });
        }
    }

    /** The platforms' ingest URLs live in the catalog only: the page asks GET /api/v1/platforms. */
    @Test
    void noAssetCarriesItsOwnCopyOfAPlatformUrl() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                for (String name : WebApp.ASSETS) {
                    String body = api.get("/app/" + name, null).body();
                    for (Platform platform : Platform.values()) {
                        platform.defaultUrl().ifPresent(url -> assertFalse(body.contains(url), name + " repeats " + url));
                    }
                }
            });
        }
    }
}
