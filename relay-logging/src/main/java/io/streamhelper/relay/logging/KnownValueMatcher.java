package io.streamhelper.relay.logging;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Finds any of a set of values in a text in one pass, whatever the number of values.
 *
 * <p>How: each value is filed in a table under the hash of its first {@value #GRAM} characters.
 * The text is walked once; at each position the next {@value #GRAM} characters are hashed and only
 * the values filed under that hash (almost always none) are compared there. So a line costs one
 * hash per character, not one search per value.
 *
 * <p>Adding or removing a value replaces only the one slot it is filed under (a copy of the few
 * values there), never the table: registering the n-th key costs the same as the first. Slots are
 * immutable arrays published through an {@link AtomicReferenceArray}, so logging threads read
 * without locks while one writer at a time (the caller serialises writers) changes the set.
 */
final class KnownValueMatcher {
    static final int GRAM = 6;
    private static final String REDACTED = "***";
    private static final int TABLE_BITS = 14;

    // Values by the hash of their first characters; in each slot longest first, so a key that
    // contains another key is replaced whole.
    private final AtomicReferenceArray<String[]> table = new AtomicReferenceArray<>(1 << TABLE_BITS);
    private volatile int size;
    /** Values copied while changing slots: the whole cost of every add and remove, for tests. */
    private final AtomicLong valuesCopied = new AtomicLong();

    /** Files the value; one writer at a time. Values shorter than {@value #GRAM} are ignored. */
    void add(String value) {
        if (value.length() < GRAM) {
            return;
        }
        int h = hash(value, 0);
        String[] slot = table.get(h);
        if (slot != null && Arrays.asList(slot).contains(value)) {
            return;
        }
        String[] next = slot == null ? new String[1] : Arrays.copyOf(slot, slot.length + 1);
        next[next.length - 1] = value;
        Arrays.sort(next, (a, b) -> Integer.compare(b.length(), a.length()));
        valuesCopied.addAndGet(next.length);
        table.set(h, next);
        size++;
    }

    /** Forgets the value; one writer at a time. */
    void remove(String value) {
        if (value.length() < GRAM) {
            return;
        }
        int h = hash(value, 0);
        String[] slot = table.get(h);
        if (slot == null || !Arrays.asList(slot).contains(value)) {
            return;
        }
        String[] next = Arrays.stream(slot).filter(v -> !v.equals(value)).toArray(String[]::new);
        valuesCopied.addAndGet(next.length);
        table.set(h, next.length == 0 ? null : next);
        size--;
    }

    int size() {
        return size;
    }

    long valuesCopied() {
        return valuesCopied.get();
    }

    String redact(String text) {
        if (size == 0 || text == null || text.length() < GRAM) {
            return text;
        }
        StringBuilder out = null;
        int copiedUpTo = 0;
        int i = 0;
        int last = text.length() - GRAM;
        while (i <= last) {
            String[] slot = table.get(hash(text, i));
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
