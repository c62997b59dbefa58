package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.streamhelper.relay.catalog.account.AccountService;
import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import io.streamhelper.relay.catalog.store.Role;
import java.util.Map;
import java.util.Set;

/** Sign-up, login, and the admin's user management. */
final class AccountController {
    private final AccountService accounts;

    AccountController(AccountService accounts) {
        this.accounts = accounts;
    }

    void register(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("email", "password"));
        ctx.status(201).json(Views.user(accounts.register(body.requiredString("email"), body.requiredString("password"))));
    }

    void signup(Context ctx) {
        AccountService.Signup signup = accounts.signup();
        ctx.json(Map.of("firstAccount", signup.firstAccount(), "open", signup.open()));
    }

    void login(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("email", "password"));
        AccountService.Session session = accounts.login(body.requiredString("email"), body.requiredString("password"),
                ClientAddressResolver.of(ctx));
        ctx.json(Map.of("token", session.token(), "expiresAt", session.expiresAt().toString()));
    }

    void logout(Context ctx) {
        accounts.logout(ApiServer.bearerToken(ctx));
        ctx.status(204);
    }

    void changePassword(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("currentPassword", "newPassword"));
        accounts.changePassword(Caller.of(ctx).orElseThrow().userId(), body.requiredString("currentPassword"),
                body.requiredString("newPassword"), ClientAddressResolver.of(ctx));
        ctx.status(204);
    }

    void me(Context ctx) {
        Caller caller = Caller.of(ctx).orElseThrow();
        ctx.json(Map.of("id", caller.userId(), "role", caller.role().wireName()));
    }

    void createUser(Context ctx) {
        JsonBody body = JsonBody.of(ctx, Set.of("email", "password", "role"));
        String roleName = body.optionalString("role").orElse("user");
        Role role;
        try {
            role = Role.fromWireName(roleName);
        } catch (IllegalArgumentException e) {
            throw new InvalidField("role", "role must be admin or user");
        }
        long admin = Caller.of(ctx).orElseThrow().userId();
        ctx.status(201).json(Views.user(accounts.createUser(admin, body.requiredString("email"),
                body.requiredString("password"), role)));
    }

    void listUsers(Context ctx) {
        long admin = Caller.of(ctx).orElseThrow().userId();
        ctx.json(accounts.listUsers(admin).stream().map(Views::user).toList());
    }
}
