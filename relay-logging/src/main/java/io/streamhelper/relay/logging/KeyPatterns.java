package io.streamhelper.relay.logging;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Text that looks like a stream key or a token, whether or not this process knows the value: a
 * key typed by a publisher that matches nothing, a key inside a third-party library's exception,
 * a key of a destination that was deleted long ago. Each pattern keeps what identifies the place
 * (the host, the field name) and replaces only the secret part with {@code ***}.
 *
 * <p>Cost: each rule names words without which it cannot match, and runs only on a line that
 * contains one. Most log lines contain none, so they cost one lower-casing and a few
 * {@code contains}, not six regular expressions.
 */
final class KeyPatterns {
    private record Rule(List<String> needs, Pattern pattern, String replacement) {
        boolean mayMatch(String lowerCase) {
            for (String word : needs) {
                if (lowerCase.contains(word)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** "live/", "live0/" ... "live9/": the application names the live-path rule knows. */
    private static final List<String> LIVE_PATHS = Stream.concat(Stream.of("live/"),
            IntStream.rangeClosed(0, 9).mapToObj(d -> "live" + d + "/")).toList();
    private static final String VALUE = "[^\\s\"'<>&,;}\\]]+";

    private static final List<Rule> RULES = List.of(
            // rtmp[s]://host[:port]/app/KEY: everything after the application is the stream key.
            new Rule(List.of("rtmp"), Pattern.compile("(?i)(rtmps?://[^/\\s\"'<>]+/[^/\\s\"'<>?]+/)[^\\s\"'<>]+"), "$1***"),
            // A publish name or path such as live/KEY or /live2/KEY (YouTube's application name).
            new Rule(LIVE_PATHS, Pattern.compile("(?i)((?:^|[/\\s\"'=])live\\d?/)[^\\s\"'<>/?&#]+"), "$1***"),
            // Twitch-style keys: live_<user id>_<random>.
            new Rule(List.of("live_"), Pattern.compile("live_\\d+_\\w+"), "***"),
            // Authorization: Bearer|Basic X, and a bare "Bearer X".
            new Rule(List.of("authorization"), Pattern.compile("(?i)(authorization\"?\\s*[:=]\\s*\"?(?:(?:bearer|basic)\\s+)?)" + VALUE), "$1***"),
            new Rule(List.of("bearer"), Pattern.compile("(?i)(bearer\\s+)" + VALUE), "$1***"),
            // key=X, streamKey=X, token=X in query strings and key=value text; "key": "X" in JSON.
            new Rule(List.of("key", "token", "password", "secret"), Pattern.compile("(?i)((?<![a-z0-9])(?:stream_?key|key|token|access_token|password|secret)\"?\\s*[=:]\\s*\"?)"
                    + VALUE), "$1***"));

    private KeyPatterns() {
    }

    static String redact(String text) {
        String lowerCase = text.toLowerCase(Locale.ROOT);
        String result = text;
        for (Rule rule : RULES) {
            if (rule.mayMatch(lowerCase)) {
                result = rule.pattern().matcher(result).replaceAll(rule.replacement());
            }
        }
        return result;
    }
}
