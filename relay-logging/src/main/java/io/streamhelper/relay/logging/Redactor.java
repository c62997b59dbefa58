package io.streamhelper.relay.logging;

/**
 * The one place that decides what a key looks like in text meant for people: every registered key
 * value ({@link KnownSecrets}) and everything shaped like a key ({@link KeyPatterns}) becomes
 * {@code ***}. The log layout runs every line through it; anything else printed for people (the
 * start-up error in Main) should too.
 */
public final class Redactor {
    private Redactor() {
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // Known values first: they are exact, and a pattern rewriting part of a key first could
        // leave the rest of it unrecognisable.
        return KeyPatterns.redact(KnownSecrets.redact(text));
    }
}
