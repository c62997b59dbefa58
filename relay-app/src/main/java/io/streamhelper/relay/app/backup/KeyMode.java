package io.streamhelper.relay.app.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamhelper.relay.app.RelayConfig;

/** Which key protects the stream keys in the database, as RelayServer chooses it (docs/configuration.md). */
enum KeyMode {
    /** ENCRYPTION_KEY: the operator holds the key; a backup cannot and does not copy it. */
    @JsonProperty("ENCRYPTION_KEY") ENCRYPTION_KEY,
    /** RELAY_KEYSET_FILE: a Tink keyset the operator put somewhere; the backup copies it. */
    @JsonProperty("RELAY_KEYSET_FILE") KEYSET_FILE,
    /** Neither: the keyset the server generated in its data directory; the backup copies it. */
    @JsonProperty("data-dir-keyset") DATA_DIR_KEYSET;

    static KeyMode of(RelayConfig config) {
        if (config.encryptionKey().isPresent()) {
            return ENCRYPTION_KEY;
        }
        return config.keysetFile().isPresent() ? KEYSET_FILE : DATA_DIR_KEYSET;
    }
}
