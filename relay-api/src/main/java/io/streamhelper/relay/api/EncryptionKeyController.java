package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.service.EncryptionKeyService;
import io.streamhelper.relay.engine.secret.Secret;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The admin's key rotation (docs/security.md, "Rotating the encryption key"). */
final class EncryptionKeyController {
    private final EncryptionKeyService keys;

    EncryptionKeyController(EncryptionKeyService keys) {
        this.keys = keys;
    }

    /**
     * No body (keyset mode, or finishing an interrupted rotation), or {@code {"newKey": "<64 hex>"}}
     * with ENCRYPTION_KEY. The answer says what was re-sealed; it never holds a key.
     */
    void rotate(Context ctx) {
        Optional<Secret> newKey = ctx.body().isBlank()
                ? Optional.empty()
                : JsonBody.of(ctx, Set.of("newKey")).optionalString("newKey").map(Secret::of);
        long caller = Caller.of(ctx).orElseThrow().userId();
        EncryptionKeyService.Rotation rotation = keys.rotate(caller, newKey);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", rotation.mode() == SecretBox.Mode.KEYSET_FILE
                ? "keyset" : "encryption_key");
        body.put("resumed", rotation.resumed());
        if (rotation.keyId() != 0) {
            body.put("keyId", Integer.toUnsignedLong(rotation.keyId()));
        }
        Map<String, Object> resealed = new LinkedHashMap<>();
        resealed.put("streams", rotation.resealed().streams());
        resealed.put("destinations", rotation.resealed().destinations());
        resealed.put("keyCheck", rotation.resealed().keyCheck());
        body.put("resealed", resealed);
        body.put("alreadyCurrent", rotation.resealed().alreadyCurrent());
        body.put("nextStep", rotation.nextStep());
        ctx.json(body);
    }
}
