package io.streamhelper.relay.logging;

import java.util.Collection;
import java.util.Comparator;

/**
 * Finds any of a fixed set of values in a text in one pass, whatever the number of values.
 *
 * <p>How: each value is filed in a table under the hash of its first {@value #GRAM} characters.
 * The text is walked once; at each position the next {@value #GRAM} characters are hashed and only
 * the values filed under that hash (almost always none) are compared there. So a line costs one
 * hash per character, not one search per value. Immutable, so any number of logging threads may
 * share one instance.
 */
final class KnownValueMatcher {
    static final int GRAM = 6;
    static final KnownValueMatcher EMPTY = new KnownValueMatcher(java.util.List.of());
    private static final String REDACTED = "***";
    private static final int TABLE_BITS = 14;

    private final boolean empty;
    // Values by the hash of their first characters; in each slot longest first, so a key that
    // contains another key is replaced whole.
    private final String[][] table = new String[1 << TABLE_BITS][];

    KnownValueMatcher(Collection<String> registered) {
        String[] values = registered.stream().filter(v -> v.length() >= GRAM)
                .sorted(Comparator.comparingInt(String::length).reversed()).toArray(String[]::new);
        empty = values.length == 0;
        for (String v : values) {
            int h = hash(v, 0);
            String[] slot = table[h];
            slot = slot == null ? new String[1] : java.util.Arrays.copyOf(slot, slot.length + 1);
            slot[slot.length - 1] = v;
            table[h] = slot;
        }
    }

    String redact(String text) {
        if (empty || text == null || text.length() < GRAM) {
            return text;
        }
        StringBuilder out = null;
        int copiedUpTo = 0;
        int i = 0;
        int last = text.length() - GRAM;
        while (i <= last) {
            String[] slot = table[hash(text, i)];
            String found = slot == null ? null : valueAt(slot, text, i);
            if (found == null) {
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copiedUpTo, i).append(REDACTED);
            i += found.length();
            copiedUpTo = i;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copiedUpTo, text.length()).toString();
    }

    private static String valueAt(String[] slot, String text, int position) {
        for (String v : slot) {
            if (text.startsWith(v, position)) {
                return v;
            }
        }
        return null;
    }

    private static int hash(CharSequence s, int at) {
        int h = 0;
        for (int k = 0; k < GRAM; k++) {
            h = h * 31 + s.charAt(at + k);
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h >>> (32 - TABLE_BITS);
    }
}
