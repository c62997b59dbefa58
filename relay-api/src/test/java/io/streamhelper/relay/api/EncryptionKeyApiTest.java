package io.streamhelper.relay.api;

import static io.streamhelper.relay.api.AccountApiTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.testkit.TestKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /api/v1/admin/encryption-key/rotate as a hostile or careless caller sends it, with
 * ENCRYPTION_KEY: every refusal is a 4xx with a JSON body naming the problem, and no answer
 * holds a key, not even the caller's own newKey echoed back.
 */
class EncryptionKeyApiTest {
    private static final String ROTATE = "/api/v1/admin/encryption-key/rotate";
    private final String current = TestKeys.encryptionKeyHex();

    @TempDir
    Path dir;

    private ApiFixture open() {
        ApiFixture.Settings settings = new ApiFixture.Settings();
        settings.signupOpen = true;
        settings.secrets = SecretBox.fromHexKey(current);
        return new ApiFixture(dir, settings);
    }

    @Test
    void badRequestsAre4xxNamingTheProblemAndNeverEchoTheKey() throws Exception {
        try (ApiFixture api = open()) {
            api.test(() -> {
                String admin = api.userToken("admin@example.com"); // the first account is the admin
                String user = api.userToken("user@example.com");
                String next = TestKeys.encryptionKeyHex();

                ApiFixture.Response forbidden = api.post(ROTATE, "{\"newKey\":\"" + next + "\"}", user);
                assertEquals(403, forbidden.status(), forbidden.body());
                assertFalse(forbidden.json().path("error").asText().isEmpty(), forbidden.body());

                List<String> badBodies = List.of("{", "[]", "\"" + next + "\"", "{\"newKey\": " + next + "}",
                        "{\"newKey\":\"" + next + "\"} " + next, "{\"newKey\":\"" + next + "\",\"newKey\":\"" + next + "\"}");
                for (String body : badBodies) {
                    ApiFixture.Response refused = api.post(ROTATE, body, admin);
                    assertField(refused, "body");
                    assertFalse(refused.body().contains(next), "echoed the key: " + refused.body());
                }
                assertField(api.post(ROTATE, "{\"key\":\"" + next + "\"}", admin), "key");
                for (String malformed : List.of(next.substring(1), next + "0", next.replace(next.charAt(0), 'g'), "", " " + next)) {
                    ApiFixture.Response refused = api.post(ROTATE, "{\"newKey\":\"" + malformed + "\"}", admin);
                    assertField(refused, "newKey");
                    assertFalse(!malformed.isEmpty() && refused.body().contains(malformed), "echoed the key: " + refused.body());
                }
                assertField(api.post(ROTATE, "{\"newKey\":42}", admin), "newKey");
                for (String same : List.of(current, current.toUpperCase(Locale.ROOT))) {
                    ApiFixture.Response refused = api.post(ROTATE, "{\"newKey\":\"" + same + "\"}", admin);
                    assertField(refused, "newKey");
                    assertTrue(refused.json().path("error").asText().contains("in use"), refused.body());
                }
                ApiFixture.Response huge = api.post(ROTATE, "{\"newKey\":\"" + "0".repeat(128 * 1024) + "\"}", admin);
                assertEquals(413, huge.status());
                assertFalse(huge.json().path("error").asText().isEmpty(), huge.body());

                ApiFixture.Response rotated = api.post(ROTATE, "{\"newKey\":\"" + next + "\"}", admin);
                assertEquals(200, rotated.status(), rotated.body());
                assertFalse(rotated.body().toLowerCase(Locale.ROOT).contains(next.toLowerCase(Locale.ROOT)), rotated.body());
                assertFalse(rotated.body().toLowerCase(Locale.ROOT).contains(current.toLowerCase(Locale.ROOT)), rotated.body());
                ApiFixture.Response again = api.post(ROTATE, "{\"newKey\":\"" + next.toUpperCase(Locale.ROOT) + "\"}", admin);
                assertField(again, "newKey"); // now the key in use
            });
        }
    }
}
