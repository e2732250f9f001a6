package social.caravan.web;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.OptionalLong;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.Role;
import social.caravan.auth.Csrf;
import social.caravan.auth.OAuthApi;
import social.caravan.core.config.Config;
import social.caravan.core.html.Html;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.ClientAddresses;
import social.caravan.core.http.RateLimits;
import social.caravan.core.http.Routes;
import social.caravan.instance.InstanceService;
import social.caravan.instance.Rule;

/** The server-rendered pages: the front page, about, sign-up, and the default images apps load. */
public final class WebPages implements Routes {
    private static final Map<String, String> IMAGES = Map.of(
            "/avatars/original/missing.png", "public/avatar-missing.png",
            "/headers/original/missing.png", "public/header-missing.png",
            "/images/thumbnail.png", "public/thumbnail.png");

    private final Config config;
    private final AccountService accounts;
    private final OAuthApi oauth;
    private final InstanceService instance;
    private final Csrf csrf;
    private final RateLimits rateLimits;
    private final ClientAddresses addresses;

    public WebPages(Config config, AccountService accounts, OAuthApi oauth,
                    InstanceService instance, Csrf csrf, RateLimits rateLimits, ClientAddresses addresses) {
        this.config = config;
        this.accounts = accounts;
        this.oauth = oauth;
        this.instance = instance;
        this.csrf = csrf;
        this.rateLimits = rateLimits;
        this.addresses = addresses;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/", this::home);
        routes.get("/about", this::about);
        routes.get("/auth/sign_up", ctx -> signUpForm(ctx, null, 200));
        routes.post("/auth/sign_up", this::signUp);
        IMAGES.forEach((path, resource) -> {
            byte[] bytes = resource(resource);
            routes.get(path, ctx -> ctx.contentType("image/png").header("Cache-Control", "public, max-age=86400")
                    .result(bytes));
        });
    }

    private void home(Context ctx) {
        OptionalLong session = oauth.sessionAccount(ctx);
        String body;
        if (session.isPresent()) {
            String username = accounts.find(session.getAsLong()).map(Account::username).orElse("");
            body = """
                    <h1>%s</h1>
                    <p>Signed in as <strong>@%s@%s</strong>. Use any Mastodon app with this server: %s</p>
                    <form method="post" action="/auth/sign_out">%s<button type="submit">Sign out</button></form>"""
                    .formatted(Html.escape(config.siteTitle()), Html.escape(username),
                            Html.escape(config.localDomain()), Html.escape(config.baseUrl()), csrf.hiddenField(ctx));
        } else {
            body = """
                    <h1>%s</h1>
                    <p>%s</p>
                    <p><a href="/auth/sign_in">Sign in</a> · <a href="/auth/sign_up">Sign up</a> · <a href="/about">About</a></p>"""
                    .formatted(Html.escape(config.siteTitle()), Html.escape(config.siteDescription()));
        }
        ctx.html(Html.page(config.siteTitle(), body));
    }

    private void about(Context ctx) {
        ctx.html(Html.page("About " + config.siteTitle(), "<h1>" + Html.escape(config.siteTitle()) + "</h1><p>"
                + Html.escape(config.siteDescription()) + "</p><h2>Rules</h2>" + rulesList()
                + "<p class=\"muted\">Runs Caravan, a Mastodon-compatible server.</p>"));
    }

    private String rulesList() {
        StringBuilder list = new StringBuilder("<ol>");
        for (Rule rule : instance.rules()) {
            list.append("<li>").append(Html.escape(rule.text())).append("</li>");
        }
        return list.append("</ol>").toString();
    }

    private void signUpForm(Context ctx, String error, int status) {
        if (config.registrations() == Config.Registrations.CLOSED) {
            ctx.status(403).html(Html.page("Sign up", "<h1>Sign up</h1><p>Registrations are closed on this server.</p>"));
            return;
        }
        String message = error == null ? "" : "<p class=\"error\" role=\"alert\">" + Html.escape(error) + "</p>";
        String reason = config.registrations() == Config.Registrations.APPROVAL
                ? "<label for=\"reason\">Why do you want to join?</label><textarea id=\"reason\" name=\"reason\" rows=\"3\"></textarea>"
                : "";
        ctx.status(status).html(Html.page("Sign up", """
                <h1>Sign up on %s</h1>%s
                <form method="post" action="/auth/sign_up">%s
                <label for="username">Username</label>
                <input type="text" id="username" name="username" autocomplete="username" required maxlength="30">
                <label for="email">E-mail address</label>
                <input type="email" id="email" name="email" autocomplete="email" required>
                <label for="password">Password (8 to 72 characters)</label>
                <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
                <label for="password_confirmation">Password again</label>
                <input type="password" id="password_confirmation" name="password_confirmation" autocomplete="new-password" required>
                %s
                <h2>Rules</h2>%s
                <label><input type="checkbox" name="agreement" value="1" required> I agree to the rules</label>
                <button type="submit">Sign up</button>
                </form>""".formatted(Html.escape(config.localDomain()), message, csrf.hiddenField(ctx), reason,
                rulesList())));
    }

    private void signUp(Context ctx) {
        csrf.verify(ctx);
        rateLimits.signUp(ctx);
        if (ctx.formParam("agreement") == null) {
            signUpForm(ctx, "Please agree to the rules.", 422);
            return;
        }
        String password = ctx.formParam("password");
        if (password == null || !password.equals(ctx.formParam("password_confirmation"))) {
            signUpForm(ctx, "The two passwords differ.", 422);
            return;
        }
        long accountId;
        try {
            accountId = accounts.register(new AccountService.Registration(ctx.formParam("username"),
                    ctx.formParam("email"), password, Role.USER, "en", ctx.formParam("reason"),
                    addresses.of(ctx).getHostAddress(), false));
        } catch (ApiException e) {
            signUpForm(ctx, e.getMessage(), e.status());
            return;
        }
        if (config.registrations() == Config.Registrations.APPROVAL) {
            ctx.html(Html.page("Almost there", "<h1>Thank you</h1><p>Your account waits for a moderator's approval.</p>"));
            return;
        }
        oauth.startSession(ctx, accountId);
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebPages.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
