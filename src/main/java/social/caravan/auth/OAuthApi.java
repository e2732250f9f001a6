package social.caravan.auth;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.User;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.ClientAddresses;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.http.Scopes;
import social.caravan.core.html.Html;

/**
 * The OAuth 2 endpoints apps use to sign a person in: the sign-in and consent pages at
 * /oauth/authorize, the token and revocation endpoints, and the server metadata document.
 */
public final class OAuthApi implements Routes {
    static final String SESSION_COOKIE = "caravan_session";

    private final AuthService auth;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final Authn authn;
    private final Csrf csrf;
    private final Cookies cookies;
    private final ClientAddresses addresses;
    private final String baseUrl;

    public OAuthApi(AuthService auth, AccountService accounts, AccountJson accountJson, Authn authn, Csrf csrf,
                    Cookies cookies, ClientAddresses addresses, String baseUrl) {
        this.auth = auth;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.authn = authn;
        this.csrf = csrf;
        this.cookies = cookies;
        this.addresses = addresses;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's Token entity. */
    public record TokenView(String accessToken, String tokenType, String scope, long createdAt) {
        public static TokenView of(AuthService.IssuedToken t) {
            return new TokenView(t.accessToken(), "Bearer", Scopes.join(t.scopes()), t.createdAt().getEpochSecond());
        }
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/oauth/authorize", this::authorizePage);
        routes.post("/oauth/authorize", this::authorizeDecision);
        routes.get("/oauth/authorize/native", this::showCode);
        routes.post("/oauth/token", this::token);
        routes.post("/oauth/revoke", this::revoke);
        // OpenID Connect lets clients use either method.
        routes.get("/oauth/userinfo", this::userinfo);
        routes.post("/oauth/userinfo", this::userinfo);
        routes.get("/.well-known/oauth-authorization-server", this::metadata);
        routes.get("/auth/sign_in", ctx -> signInForm(ctx, "/", null, 200));
        routes.post("/auth/sign_in", this::signIn);
        routes.post("/auth/sign_out", this::signOut);
    }

    /** The session's account, for our own pages. */
    public OptionalLong sessionAccount(Context ctx) {
        return auth.sessionAccount(ctx.cookie(SESSION_COOKIE));
    }

    /** Signs the browser in as this account (after sign-in or sign-up). */
    public void startSession(Context ctx, long accountId) {
        String session = auth.startSession(accountId, ctx.userAgent(), addresses.of(ctx).getHostAddress());
        cookies.set(ctx, SESSION_COOKIE, session);
    }

    /** What an app asks for at /oauth/authorize, read from the query (GET) or the consent form (POST). */
    private record AuthorizeRequest(Application app, String redirectUri, String responseType, String scope,
                                    String state, String codeChallenge, String codeChallengeMethod) {

        Map<String, String> asFields() {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("client_id", app.clientId());
            fields.put("redirect_uri", redirectUri);
            fields.put("response_type", responseType);
            fields.put("scope", scope);
            fields.put("state", state);
            fields.put("code_challenge", codeChallenge);
            fields.put("code_challenge_method", codeChallengeMethod);
            return fields;
        }
    }

    /** Checks the client and redirect URI first: until both are known good, errors show as a page, never a redirect. */
    private AuthorizeRequest readAuthorize(Params p) {
        Application app = auth.application(p.string("client_id").orElse(null))
                .orElseThrow(() -> new ApiException(400, "This application is unknown: check client_id."));
        String redirectUri = p.string("redirect_uri").filter(s -> !s.isBlank())
                .orElse(app.redirectUris().size() == 1 ? app.redirectUris().get(0) : "");
        if (!app.redirectUris().contains(redirectUri)) {
            throw new ApiException(400, "The redirect_uri is not one this application registered.");
        }
        return new AuthorizeRequest(app, redirectUri, p.string("response_type").orElse(""),
                p.string("scope").orElse(p.string("scopes").orElse("")), p.string("state").orElse(null),
                p.string("code_challenge").filter(s -> !s.isBlank()).orElse(null),
                p.string("code_challenge_method").filter(s -> !s.isBlank()).orElse(null));
    }

    /** The request's scopes, or the OAuth error to send back to the app. */
    private Optional<String> problem(AuthorizeRequest r) {
        if (!"code".equals(r.responseType())) {
            return Optional.of("unsupported_response_type");
        }
        if (r.codeChallenge() != null && !"S256".equals(r.codeChallengeMethod())) {
            return Optional.of("invalid_request");
        }
        try {
            auth.requestedScopes(r.app(), r.scope());
        } catch (ApiException e) {
            return Optional.of("invalid_scope");
        }
        return Optional.empty();
    }

    private void authorizePage(Context ctx) {
        Params p = Params.of(ctx);
        AuthorizeRequest r = readAuthorize(p);
        Optional<String> problem = problem(r);
        if (problem.isPresent()) {
            redirectWithError(ctx, r, problem.get());
            return;
        }
        OptionalLong account = sessionAccount(ctx);
        boolean forceLogin = p.bool("force_login").orElse(false);
        if (account.isEmpty() || forceLogin) {
            // Signing in returns here without force_login, or the form would come back forever.
            signInForm(ctx, "/oauth/authorize?" + query(r.asFields()), r.app().name(), 200);
            return;
        }
        Set<String> scopes = auth.requestedScopes(r.app(), r.scope());
        StringBuilder list = new StringBuilder("<ul class=\"scopes\">");
        for (String scope : scopes) {
            list.append("<li><code>").append(Html.escape(scope)).append("</code></li>");
        }
        list.append("</ul>");
        String username = accounts.find(account.getAsLong()).map(a -> a.username()).orElse("");
        StringBuilder hidden = new StringBuilder(csrf.hiddenField(ctx));
        r.asFields().forEach((name, value) -> {
            if (value != null) {
                hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                        .append(Html.escape(value)).append("\">");
            }
        });
        ctx.html(Html.page("Authorize " + r.app().name(), """
                <h1>Authorize %s?</h1>
                <p>Signed in as <strong>@%s</strong>. This application asks for:</p>
                %s
                <form method="post" action="/oauth/authorize">%s
                <button type="submit" name="decision" value="approve">Authorize</button>
                <button type="submit" name="decision" value="deny">Deny</button>
                </form>""".formatted(Html.escape(r.app().name()), Html.escape(username), list, hidden)));
    }

    private void authorizeDecision(Context ctx) {
        csrf.verify(ctx);
        Params p = Params.of(ctx);
        AuthorizeRequest r = readAuthorize(p);
        OptionalLong account = sessionAccount(ctx);
        if (account.isEmpty()) {
            ctx.redirect("/oauth/authorize?" + query(r.asFields()));
            return;
        }
        Optional<String> problem = problem(r);
        if (problem.isPresent()) {
            redirectWithError(ctx, r, problem.get());
            return;
        }
        if (!"approve".equals(p.string("decision").orElse(""))) {
            redirectWithError(ctx, r, "access_denied");
            return;
        }
        Set<String> scopes = auth.requestedScopes(r.app(), r.scope());
        String code = auth.createCode(r.app(), account.getAsLong(), r.redirectUri(), scopes,
                r.codeChallenge(), r.codeChallengeMethod());
        if (r.redirectUri().equals(Application.OUT_OF_BAND)) {
            ctx.redirect("/oauth/authorize/native?code=" + encode(code));
            return;
        }
        Map<String, String> result = new LinkedHashMap<>();
        result.put("code", code);
        result.put("state", r.state());
        ctx.redirect(withQuery(r.redirectUri(), result));
    }

    private void showCode(Context ctx) {
        String code = Optional.ofNullable(ctx.queryParam("code")).orElse("");
        ctx.html(Html.page("Authorization code", """
                <h1>Authorization code</h1>
                <p>Copy this code and paste it into the application.</p>
                <p><code id="authorization-code">%s</code></p>""".formatted(Html.escape(code))));
    }

    private void redirectWithError(Context ctx, AuthorizeRequest r, String error) {
        if (r.redirectUri().equals(Application.OUT_OF_BAND)) {
            throw new ApiException(400, "The authorization request failed: " + error);
        }
        Map<String, String> result = new LinkedHashMap<>();
        result.put("error", error);
        result.put("error_description", switch (error) {
            case "access_denied" -> "The person denied the request.";
            case "invalid_scope" -> "The requested scope is unknown or more than the application registered.";
            case "unsupported_response_type" -> "Only response_type=code is supported.";
            default -> "PKCE needs code_challenge_method=S256.";
        });
        result.put("state", r.state());
        ctx.redirect(withQuery(r.redirectUri(), result));
    }

    private void signInForm(Context ctx, String returnTo, String appName, int status) {
        signInForm(ctx, returnTo, appName, status, null);
    }

    private void signInForm(Context ctx, String returnTo, String appName, int status, String error) {
        String intro = appName == null ? "" : "<p>to continue to <strong>" + Html.escape(appName) + "</strong></p>";
        String message = error == null ? "" : "<p class=\"error\" role=\"alert\">" + Html.escape(error) + "</p>";
        ctx.status(status).html(Html.page("Sign in", """
                <h1>Sign in</h1>%s%s
                <form method="post" action="/auth/sign_in">%s
                <input type="hidden" name="return_to" value="%s">
                <label for="login">E-mail address or username</label>
                <input type="text" id="login" name="login" autocomplete="username" required>
                <label for="password">Password</label>
                <input type="password" id="password" name="password" autocomplete="current-password" required>
                <button type="submit">Sign in</button>
                </form>
                <p class="muted">No account yet? <a href="/auth/sign_up">Sign up</a></p>"""
                .formatted(intro, message, csrf.hiddenField(ctx), Html.escape(returnTo))));
    }

    private void signIn(Context ctx) {
        csrf.verify(ctx);
        String returnTo = safeReturn(ctx.formParam("return_to"));
        Optional<User> user = accounts.authenticate(ctx.formParam("login"), ctx.formParam("password"));
        if (user.isEmpty()) {
            signInForm(ctx, returnTo, null, 401, "Invalid e-mail address, username or password.");
            return;
        }
        String blocked = user.get().loginBlocked();
        if (blocked != null) {
            signInForm(ctx, returnTo, null, 403, blocked + ".");
            return;
        }
        startSession(ctx, user.get().accountId());
        ctx.redirect(returnTo, io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void signOut(Context ctx) {
        csrf.verify(ctx);
        auth.endSession(ctx.cookie(SESSION_COOKIE));
        cookies.clear(ctx, SESSION_COOKIE);
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /** Only paths on this site, so the sign-in form cannot be used to send people elsewhere. */
    private static String safeReturn(String returnTo) {
        if (returnTo == null || !returnTo.startsWith("/") || returnTo.startsWith("//") || returnTo.contains("\\")) {
            return "/";
        }
        return returnTo;
    }

    private void token(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Pragma", "no-cache");
        Params p = Params.of(ctx);
        String grantType = p.string("grant_type").orElse("");
        String[] basic = basicCredentials(ctx);
        String clientId = basic != null ? basic[0] : p.string("client_id").orElse(null);
        String clientSecret = basic != null ? basic[1] : p.string("client_secret").orElse(null);
        switch (grantType) {
            case "authorization_code" -> {
                Application app = auth.authenticateClient(clientId, clientSecret);
                ctx.json(TokenView.of(auth.exchangeCode(app, p.string("code").orElse(null),
                        p.string("redirect_uri").orElse(""), p.string("code_verifier").orElse(null))));
            }
            case "client_credentials" -> {
                Application app = auth.authenticateClient(clientId, clientSecret);
                Set<String> scopes = auth.requestedScopes(app, p.string("scope").orElse(null));
                ctx.json(TokenView.of(auth.issueToken(app.id(), OptionalLong.empty(), scopes)));
            }
            case "" -> throw OAuthError.invalidRequest("The grant_type parameter is missing.");
            default -> throw OAuthError.unsupportedGrantType();
        }
    }

    private void revoke(Context ctx) {
        Params p = Params.of(ctx);
        String[] basic = basicCredentials(ctx);
        String clientId = basic != null ? basic[0] : p.string("client_id").orElse(null);
        String clientSecret = basic != null ? basic[1] : p.string("client_secret").orElse(null);
        Application app;
        try {
            app = auth.authenticateClient(clientId, clientSecret);
        } catch (ApiException e) {
            throw new ApiException(403, "unauthorized_client", "You are not authorized to revoke this token.", null);
        }
        auth.revoke(app, p.string("token").orElse(null));
        ctx.json(Map.of());
    }

    /** OpenID Connect's standard claims for the token's account, as Mastodon answers them. */
    record UserinfoView(String iss, String sub, String name, String preferredUsername, String profile, String picture) {}

    /** The token's account, for the {@code profile} scope alone (read does not grant it). */
    private void userinfo(Context ctx) {
        long id = authn.requireUser(ctx, "profile").accountId().getAsLong();
        AccountJson.AccountView account = accountJson.render(accounts.find(id).orElseThrow(ApiException::notFound));
        ctx.json(new UserinfoView(baseUrl + "/", account.uri(), account.displayName(), account.username(), account.url(),
                account.avatar()));
    }

    private void metadata(Context ctx) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", baseUrl + "/");
        doc.put("service_documentation", "https://docs.joinmastodon.org/");
        doc.put("authorization_endpoint", baseUrl + "/oauth/authorize");
        doc.put("token_endpoint", baseUrl + "/oauth/token");
        doc.put("app_registration_endpoint", baseUrl + "/api/v1/apps");
        doc.put("revocation_endpoint", baseUrl + "/oauth/revoke");
        doc.put("userinfo_endpoint", baseUrl + "/oauth/userinfo");
        doc.put("scopes_supported", Scopes.ALL);
        doc.put("response_types_supported", List.of("code"));
        doc.put("response_modes_supported", List.of("query"));
        doc.put("code_challenge_methods_supported", List.of("S256"));
        doc.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        ctx.json(doc);
    }

    /** HTTP Basic client credentials, as RFC 6749 prefers them; null when absent or malformed. */
    private static String[] basicCredentials(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            return new String[] {
                java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String query(Map<String, String> fields) {
        StringJoiner joiner = new StringJoiner("&");
        fields.forEach((name, value) -> {
            if (value != null) {
                joiner.add(encode(name) + "=" + encode(value));
            }
        });
        return joiner.toString();
    }

    private static String withQuery(String uri, Map<String, String> fields) {
        return uri + (uri.contains("?") ? "&" : "?") + query(fields);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
