package io.streamhelper.relay.catalog.store;

import java.util.Locale;

/** What a user may do: admins manage users and see every stream; users see their own. */
public enum Role {
    ADMIN,
    USER;

    /** The name used in the API and the database: {@code admin} or {@code user}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
