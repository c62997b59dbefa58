package io.streamhelper.relay.app.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Map;

/**
 * {@code manifest.json} of a backup: what it holds and how to check it. Never a key: the keyset
 * file is listed by name and hash only, and with ENCRYPTION_KEY nothing of the key is written.
 *
 * @param format    this layout's version, so a later relay can still read an old backup
 * @param createdAt when the snapshot was taken (ISO-8601, UTC)
 * @param schemaVersion the last Flyway migration applied to the copied database
 * @param keyMode   which key sealed the stream keys in it
 * @param tables    rows per table in the copy
 * @param files     sha256 (hex) of every file of the backup, by file name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record BackupManifest(int format, String createdAt, String schemaVersion, KeyMode keyMode,
        Map<String, Long> tables, Map<String, String> files) {
    static final String FILE_NAME = "manifest.json";
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    static BackupManifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, BackupManifest.class);
    }
}
