package io.streamhelper.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountApiTest {
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;

    @Test
    void firstAccountIsAdminThenSignUpIsClosedButAdminsCreateUsers() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                ApiFixture.Response first = api.post("/api/v1/auth/register",
                        "{\"email\":\"Admin@Example.com\",\"password\":\"" + PASSWORD + "\"}", null);
                assertEquals(201, first.status(), first.body());
                assertEquals("admin", first.json().get("role").asText());
                assertEquals("admin@example.com", first.json().get("email").asText());
                assertFalse(first.body().contains(PASSWORD));

                ApiFixture.Response second = api.post("/api/v1/auth/register",
                        "{\"email\":\"bob@example.com\",\"password\":\"" + PASSWORD + "\"}", null);
                assertEquals(403, second.status(), "sign-up is closed after the first account: " + second.body());

                String admin = api.login("ADMIN@example.com", PASSWORD);
                ApiFixture.Response created = api.post("/api/v1/users",
                        "{\"email\":\"bob@example.com\",\"password\":\"" + PASSWORD + "\"}", admin);
                assertEquals(201, created.status(), created.body());
                assertEquals("user", created.json().get("role").asText());
                String bob = api.login("bob@example.com", PASSWORD);

                ApiFixture.Response bobCreates = api.post("/api/v1/users",
                        "{\"email\":\"eve@example.com\",\"password\":\"" + PASSWORD + "\"}", bob);
                assertEquals(403, bobCreates.status(), "only admins create users");
                assertEquals(403, api.get("/api/v1/users", bob).status());
                assertEquals(2, api.get("/api/v1/users", admin).json().size());

                ApiFixture.Response duplicate = api.post("/api/v1/users",
                        "{\"email\":\"BOB@example.com\",\"password\":\"" + PASSWORD + "\"}", admin);
                assertEquals(409, duplicate.status(), "e-mails are unique whatever their case");
            });
        }
    }

    @Test
    void signUpStatusSaysWhenTheFirstAccountIsDueAndWhenSignUpIsOpen() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                JsonNode first = api.get("/api/v1/auth/signup", null).json();
                assertTrue(first.get("firstAccount").asBoolean() && first.get("open").asBoolean(), first.toString());
                api.userToken("admin@example.com");
                JsonNode after = api.get("/api/v1/auth/signup", null).json();
                assertFalse(after.get("firstAccount").asBoolean() || after.get("open").asBoolean(), "closed: " + after);
            });
        }
        ApiFixture.Settings open = new ApiFixture.Settings();
        open.signupOpen = true;
        try (ApiFixture api = new ApiFixture(dir.resolve("open"), open)) {
            api.test(() -> {
                api.userToken("admin@example.com");
                JsonNode after = api.get("/api/v1/auth/signup", null).json();
                assertTrue(!after.get("firstAccount").asBoolean() && after.get("open").asBoolean(), "open: " + after);
            });
        }
    }

    @Test
    void openSignUpLetsAnyoneRegisterAsUser() throws Exception {
        ApiFixture.Settings open = new ApiFixture.Settings();
        open.signupOpen = true;
        try (ApiFixture api = new ApiFixture(dir, open)) {
            api.test(() -> {
                api.userToken("first@example.com");
                ApiFixture.Response second = api.post("/api/v1/auth/register",
                        "{\"email\":\"second@example.com\",\"password\":\"" + PASSWORD + "\"}", null);
                assertEquals(201, second.status(), second.body());
                assertEquals("user", second.json().get("role").asText());
            });
        }
    }

    @Test
    void routesNeedAValidBearerToken() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String token = api.userToken("a@example.com");
                for (String path : new String[] {"/api/v1/streams", "/api/v1/stream-destinations", "/api/v1/auth/me"}) {
                    ApiFixture.Response none = api.get(path, null);
                    assertEquals(401, none.status(), path);
                    assertTrue(none.json().has("error"), none.body());
                    assertEquals(401, api.get(path, "not-a-token").status(), path);
                    assertEquals(401, api.get(path, token + "x").status(), path);
                    assertEquals(200, api.get(path, token).status(), path);
                }
                assertEquals(200, api.get("/api/v1/server/healthcheck", null).status(), "the health check needs no token");
            });
        }
    }

    @Test
    void wrongPasswordsAreRefusedAlikeAndThenThrottled() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                api.userToken("a@example.com");
                ApiFixture.Response unknown = api.post("/api/v1/auth/login",
                        "{\"email\":\"nobody@example.com\",\"password\":\"whatever12\"}", null);
                ApiFixture.Response wrong = api.post("/api/v1/auth/login",
                        "{\"email\":\"a@example.com\",\"password\":\"whatever12\"}", null);
                assertEquals(401, unknown.status());
                assertEquals(401, wrong.status());
                assertEquals(unknown.json().get("error"), wrong.json().get("error"),
                        "an unknown account and a wrong password look the same");

                ApiFixture.Response last = wrong;
                for (int i = 0; i < 10 && last.status() != 429; i++) {
                    last = api.post("/api/v1/auth/login", "{\"email\":\"a@example.com\",\"password\":\"guess" + i + "xx\"}", null);
                }
                assertEquals(429, last.status(), "repeated failures are throttled: " + last.body());
                long retryAfter = Long.parseLong(last.raw().headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
                ApiFixture.Response evenRight = api.post("/api/v1/auth/login",
                        "{\"email\":\"a@example.com\",\"password\":\"" + PASSWORD + "\"}", null);
                assertEquals(429, evenRight.status(), "while locked, even the right password waits");
            });
        }
    }

    @Test
    void logoutEndsOnlyThatSession() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String laptop = api.userToken("a@example.com");
                String phone = api.login("a@example.com", PASSWORD);
                assertEquals(204, api.post("/api/v1/auth/logout", null, laptop).status());
                assertEquals(401, api.get("/api/v1/auth/me", laptop).status(), "the token is dead");
                assertEquals(200, api.get("/api/v1/auth/me", phone).status(), "the other session goes on");
            });
        }
    }

    @Test
    void changingThePasswordNeedsTheCurrentOneAndEndsEverySession() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                String laptop = api.userToken("a@example.com");
                String phone = api.login("a@example.com", PASSWORD);
                assertField(api.post("/api/v1/auth/password",
                        "{\"currentPassword\":\"not it at all\",\"newPassword\":\"a brand new passphrase\"}", laptop), "currentPassword");
                assertField(api.post("/api/v1/auth/password",
                        "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"short\"}", laptop), "newPassword");
                assertEquals(204, api.post("/api/v1/auth/password",
                        "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"a brand new passphrase\"}", laptop).status());
                assertEquals(401, api.get("/api/v1/auth/me", laptop).status(), "every session ends");
                assertEquals(401, api.get("/api/v1/auth/me", phone).status(), "every session ends");
                assertEquals(401, api.post("/api/v1/auth/login",
                        "{\"email\":\"a@example.com\",\"password\":\"" + PASSWORD + "\"}", null).status(), "the old password is gone");
                api.login("a@example.com", "a brand new passphrase");
            });
        }
    }

    @Test
    void badSignUpsAre400sNamingTheField() throws Exception {
        try (ApiFixture api = new ApiFixture(dir)) {
            api.test(() -> {
                assertField(api.post("/api/v1/auth/register", "{\"email\":\"no-at-sign\",\"password\":\"" + PASSWORD + "\"}", null), "email");
                assertField(api.post("/api/v1/auth/register", "{\"email\":\"a@example.com\",\"password\":\"short\"}", null), "password");
                assertField(api.post("/api/v1/auth/register", "{\"email\":\"a@example.com\"}", null), "password");
                assertField(api.post("/api/v1/auth/register", "{\"email\":42,\"password\":\"" + PASSWORD + "\"}", null), "email");
                assertField(api.post("/api/v1/auth/register", "{\"email\":\"a@example.com\",\"password\":\"" + PASSWORD
                        + "\",\"role\":\"admin\"}", null), "role");
                assertField(api.post("/api/v1/auth/register", "{not json", null), "body");
                assertField(api.post("/api/v1/auth/register", "[1,2]", null), "body");
                assertField(api.post("/api/v1/auth/register", "", null), "body");
                assertField(api.post("/api/v1/auth/login", "{\"email\":\"a@example.com\",\"password\":\"" + PASSWORD
                        + "\",\"extra\":1}", null), "extra");
            });
        }
    }

    static void assertField(ApiFixture.Response response, String field) {
        assertEquals(400, response.status(), response.body());
        assertEquals(field, response.json().path("field").asText(), response.body());
        assertTrue(response.json().path("error").asText().length() > 0, response.body());
    }
}
