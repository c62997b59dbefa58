package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;

/** Checks on the text fields users send, each naming the field it refuses. */
final class Fields {
    static final int MAX_NAME = 100;
    static final int MAX_KEY = 512;

    private Fields() {
    }

    /** A name: trimmed, 1 to {@link #MAX_NAME} characters, no control characters. */
    static String name(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidField(field, field + " must not be empty");
        }
        String trimmed = value.trim();
        if (trimmed.length() > MAX_NAME) {
            throw new InvalidField(field, field + " must be at most " + MAX_NAME + " characters");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidField(field, field + " must not contain control characters");
        }
        return trimmed;
    }

    /** A platform stream key: non-empty, no spaces or control characters, bounded. Never echoed. */
    static String streamKey(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidField(field, field + " must not be empty");
        }
        if (value.length() > MAX_KEY) {
            throw new InvalidField(field, field + " must be at most " + MAX_KEY + " characters");
        }
        if (value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidField(field, field + " must not contain spaces or control characters");
        }
        return value;
    }
}
