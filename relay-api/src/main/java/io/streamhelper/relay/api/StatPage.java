package io.streamhelper.relay.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The /stat page: one self-contained HTML file from the classpath (inline style and script, no
 * external assets), read once. It holds no data: its script fetches /api/v1/stats with the
 * user's token. The Content-Security-Policy allows exactly its own inline script and style (by
 * hash) and requests to this server, so even a value that escaped escaping could not run.
 */
final class StatPage {
    static final String RESOURCE = "stat.html";

    private final String html;
    private final String contentSecurityPolicy;

    StatPage() {
        try (InputStream in = StatPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        contentSecurityPolicy = "default-src 'none'"
                + "; script-src " + hashOf(between("<script>", "</script>"))
                + "; style-src " + hashOf(between("<style>", "</style>"))
                + "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    String html() {
        return html;
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    private String between(String open, String close) {
        int start = html.indexOf(open);
        int end = html.indexOf(close, start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException(RESOURCE + " has no " + open + " element");
        }
        return html.substring(start + open.length(), end);
    }

    private static String hashOf(String inline) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
