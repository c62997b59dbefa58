package io.streamhelper.relay.catalog.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Stream keys pasted into a destination's URL ({@code rtmp://host/app/<key>}, {@code ?key=...},
 * {@code user:password@}). The URL column is stored in clear and returned by every response, so a
 * key there would be neither encrypted nor hidden; it belongs in {@code streamKey}.
 *
 * <p>The rule, built around what real ingests look like: every platform's ingest has a one-segment
 * path ({@code app}, {@code live2}, {@code rtmp}); YouTube's backup URL carries {@code ?backup=1};
 * a custom server may use {@code app/instance} (Wowza). So a URL is refused when it has user info,
 * when a path of two or more segments ends in a segment that looks like a key, when any query
 * parameter (its value, or the parameter itself when it has no value) looks like a key, or when it
 * contains the destination's own stream key. A token looks like a key when it is at least
 * {@value #KEY_LIKE_LENGTH} characters of letters, digits and {@code -_.~+=} with at least one
 * digit: every platform's key format has digits, while application and instance names are short
 * words ({@code _definst_}, {@code live}, {@code instance1}).
 */
public final class KeysInUrls {
    static final int KEY_LIKE_LENGTH = 16;
    /** Keys shorter than this are compared with whole path segments and query values only. */
    private static final int SUBSTRING_MIN = 6;
    private static final String MASK = "***";
    static final String PUT_IT_IN_STREAM_KEY =
            "rtmpUrl must not contain a stream key or credentials: give the server URL without it and put the key in streamKey";

    private KeysInUrls() {
    }

    /** Whether the checked URL carries a key (the user's {@code streamKey}, or anything shaped like one). */
    static boolean carriesKey(URI uri, String streamKey) {
        if (uri.getRawUserInfo() != null) {
            return true;
        }
        List<String> segments = segments(uri);
        if (segments.size() > 1 && looksLikeKey(segments.get(segments.size() - 1))) {
            return true;
        }
        List<String> query = queryTokens(uri);
        for (String token : query) {
            if (looksLikeKey(token)) {
                return true;
            }
        }
        return streamKey != null && !streamKey.isEmpty() && contains(uri, segments, query, streamKey);
    }

    /**
     * The URL as a response may show it: what {@link #carriesKey} would find by shape (user info,
     * a key-like last segment, key-like query values) becomes {@code ***}. For destinations saved
     * before the rule; the relay keeps publishing to the URL as stored.
     */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return url; // not stored by the service, which parses every URL; nothing known to mask
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null || !carriesKey(uri, null)) {
            return url;
        }
        StringBuilder out = new StringBuilder();
        out.append(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            out.append(MASK).append('@');
        }
        out.append(uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1));
        List<String> rawSegments = rawSegments(uri);
        for (int i = 0; i < rawSegments.size(); i++) {
            boolean last = i == rawSegments.size() - 1;
            out.append('/').append(last && rawSegments.size() > 1 && looksLikeKey(decode(rawSegments.get(i)))
                    ? MASK : rawSegments.get(i));
        }
        if (uri.getRawQuery() != null) {
            List<String> parts = new ArrayList<>();
            for (String part : uri.getRawQuery().split("&", -1)) {
                int eq = part.indexOf('=');
                String value = eq < 0 ? part : part.substring(eq + 1);
                parts.add(looksLikeKey(decode(value)) ? (eq < 0 ? MASK : part.substring(0, eq + 1) + MASK) : part);
            }
            out.append('?').append(String.join("&", parts));
        }
        return out.toString();
    }

    static boolean looksLikeKey(String token) {
        if (token.length() < KEY_LIKE_LENGTH) {
            return false;
        }
        boolean digit = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean number = c >= '0' && c <= '9';
            if (!letter && !number && "-_.~+=".indexOf(c) < 0) {
                return false;
            }
            digit |= number;
        }
        return digit;
    }

    private static boolean contains(URI uri, List<String> segments, List<String> query, String key) {
        if (segments.contains(key) || query.contains(key)) {
            return true;
        }
        if (key.length() < SUBSTRING_MIN) {
            return false;
        }
        String raw = uri.toString();
        return raw.contains(key) || decode(raw).contains(key)
                || raw.contains(URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    private static List<String> segments(URI uri) {
        List<String> out = new ArrayList<>();
        for (String s : rawSegments(uri)) {
            out.add(decode(s));
        }
        return out;
    }

    private static List<String> rawSegments(URI uri) {
        List<String> out = new ArrayList<>();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Each parameter's value, or the parameter itself when it has none ({@code ?<key>}). */
    private static List<String> queryTokens(URI uri) {
        List<String> out = new ArrayList<>();
        if (uri.getRawQuery() == null) {
            return out;
        }
        for (String part : uri.getRawQuery().split("&")) {
            int eq = part.indexOf('=');
            out.add(decode(eq < 0 ? part : part.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // a stray %: compare it as written
        }
    }
}
