package social.caravan.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * OAuth 2 as a Mastodon app and a browser drive it: app registration, the sign-in and consent
 * pages, PKCE, the token and revocation endpoints, and what a token then may and may not do.
 * Every step goes over HTTP; only accounts are made directly, as an operator would.
 */
class OAuthFlowTest {
    static final String CALLBACK = "https://app.example/callback";
    static final String OOB = "urn:ietf:wg:oauth:2.0:oob";
    static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.createAccount("alice");
        server.createAccount("bob");
        server.createAccount("carol");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------- 1. the full flow

    @Test
    void fullAuthorizationCodeFlowWithPkceS256() {
        // The app registers itself.
        Http.Response created = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Flow Test", "redirect_uris", CALLBACK, "scopes", "read write follow")));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialApplication", created.body());
        JsonNode app = created.json();
        assertThat(strings(app.path("scopes"))).containsExactly("read", "write", "follow");
        String clientId = app.path("client_id").asString();
        String clientSecret = app.path("client_secret").asString();

        Pkce pkce = Pkce.create();
        Browser browser = new Browser();

        // No session yet: the authorize URL shows the sign-in form.
        String authorizePath = "/oauth/authorize?response_type=code&client_id=" + enc(clientId)
                + "&redirect_uri=" + enc(CALLBACK) + "&scope=read+write&state=xyz&code_challenge="
                + enc(pkce.challenge()) + "&code_challenge_method=S256";
        Http.Response signInPage = browser.get(authorizePath);
        assertThat(signInPage.status()).isEqualTo(200);
        assertThat(signInPage.header("Content-Type")).startsWith("text/html");
        assertThat(signInPage.body()).contains("action=\"/auth/sign_in\"").contains("Flow Test");
        Map<String, String> signInFields = hiddenFields(signInPage.body());
        assertThat(signInFields).containsKeys("authenticity_token", "return_to");
        assertThat(signInFields.get("return_to")).startsWith("/oauth/authorize?").contains("code_challenge=");

        // Signing in goes back to the authorize URL.
        Http.Response signedIn = browser.post("/auth/sign_in", with(signInFields,
                "login", "alice", "password", TestServer.password("alice")));
        assertThat(signedIn.status()).as(signedIn.toString()).isEqualTo(303);
        String back = absolute(signedIn.header("Location"));
        assertThat(back).startsWith(server.baseUrl + "/oauth/authorize?");
        Map<String, String> backQuery = query(back);
        assertThat(backQuery).containsEntry("client_id", clientId).containsEntry("redirect_uri", CALLBACK)
                .containsEntry("scope", "read write").containsEntry("state", "xyz")
                .containsEntry("code_challenge", pkce.challenge()).containsEntry("code_challenge_method", "S256");

        // The consent page names the person and lists exactly the scopes asked for.
        Http.Response consent = browser.get(back);
        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.body()).contains("@alice").contains("Flow Test")
                .contains("<code>read</code>").contains("<code>write</code>").doesNotContain("<code>follow</code>");
        Map<String, String> consentFields = hiddenFields(consent.body());
        assertThat(consentFields).containsKeys("authenticity_token", "client_id", "redirect_uri", "scope",
                "state", "code_challenge", "code_challenge_method");

        // Approving sends the browser to the app with a code and the state.
        Http.Response approved = browser.post("/oauth/authorize", with(consentFields, "decision", "approve"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(302);
        String callback = approved.header("Location");
        assertThat(callback).startsWith(CALLBACK + "?");
        Map<String, String> result = query(callback);
        assertThat(result).containsEntry("state", "xyz").containsKey("code").doesNotContainKey("error");

        // The app trades the code for a token.
        Http.Response token = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "authorization_code", "code", result.get("code"), "redirect_uri", CALLBACK,
                "client_id", clientId, "client_secret", clientSecret, "code_verifier", pkce.verifier()));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", token.body());
        assertThat(token.json().path("scope").asString()).isEqualTo("read write");
        assertThat(token.json().path("token_type").asString()).isEqualTo("Bearer");
        assertThat(token.header("Cache-Control")).contains("no-store");

        // And the token speaks for alice.
        Http.Response me = server.http.get("/api/v1/accounts/verify_credentials",
                token.json().path("access_token").asString());
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialAccount", me.body());
        assertThat(me.json().path("username").asString()).isEqualTo("alice");
    }

    // ---------------------------------------------------------------- 2. out of band

    @Test
    void outOfBandShowsTheCodeOnAPageAndItExchanges() {
        Client app = Client.register("OOB Test", OOB, "read write");
        Browser browser = new Browser();
        browser.signIn("bob");
        Http.Response consent = browser.get(app.authorizePath("read", null, null));
        assertThat(consent.status()).isEqualTo(200);
        Http.Response approved = browser.post("/oauth/authorize", with(hiddenFields(consent.body()),
                "decision", "approve"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(302);
        String location = absolute(approved.header("Location"));
        assertThat(location).startsWith(server.baseUrl + "/oauth/authorize/native?code=");
        String code = query(location).get("code");

        Http.Response page = browser.get(location);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(code);

        Http.Response token = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "authorization_code", "code", code, "redirect_uri", OOB,
                "client_id", app.clientId, "client_secret", app.clientSecret));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", token.body());
        assertThat(token.json().path("scope").asString()).isEqualTo("read");
        assertThat(verifyCredentials(token.json().path("access_token").asString()).json()
                .path("username").asString()).isEqualTo("bob");
    }

    // ---------------------------------------------------------------- 3. token endpoint failures

    @Test
    void wrongPkceVerifierIsInvalidGrant() {
        Client app = Client.register("PKCE wrong", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        Http.Response r = exchange(app, code, CALLBACK, Pkce.create().verifier());
        assertOAuthError(r, 400, "invalid_grant");
    }

    @Test
    void missingVerifierWhenAChallengeWasGivenIsInvalidGrant() {
        Client app = Client.register("PKCE missing", CALLBACK, "read");
        String code = approvedCode(app, "alice", "read", Pkce.create().challenge());
        Http.Response r = exchange(app, code, CALLBACK, null);
        assertOAuthError(r, 400, "invalid_grant");
    }

    @Test
    void reusedCodeIsInvalidGrantAndRevokesTheFirstToken() {
        Client app = Client.register("Replay", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        Http.Response first = exchange(app, code, CALLBACK, pkce.verifier());
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        String token = first.json().path("access_token").asString();
        assertThat(verifyCredentials(token).status()).isEqualTo(200);

        Http.Response second = exchange(app, code, CALLBACK, pkce.verifier());
        assertOAuthError(second, 400, "invalid_grant");

        Http.Response afterReplay = verifyCredentials(token);
        assertThat(afterReplay.status()).as(afterReplay.toString()).isEqualTo(401);
        assertThat(afterReplay.json().path("error").asString()).isEqualTo("The access token is invalid");
    }

    @Test
    void wrongRedirectUriAtTheTokenEndpointIsInvalidGrant() {
        Client app = Client.register("Redirect mismatch", CALLBACK + " https://app.example/other", "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        Http.Response r = exchange(app, code, "https://app.example/other", pkce.verifier());
        assertOAuthError(r, 400, "invalid_grant");
    }

    @Test
    void wrongClientSecretIsInvalidClient() {
        Client app = Client.register("Bad secret", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        Http.Response r = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                "client_id", app.clientId, "client_secret", "not-the-secret", "code_verifier", pkce.verifier()));
        assertOAuthError(r, 401, "invalid_client");
        Http.Response unknown = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "client_credentials", "client_id", "no-such-client", "client_secret", "x"));
        assertOAuthError(unknown, 401, "invalid_client");
        // The code was not spent by the failed attempts.
        assertThat(exchange(app, code, CALLBACK, pkce.verifier()).status()).isEqualTo(200);
    }

    @Test
    void clientCredentialsInHttpBasicWork() {
        Client app = Client.register("Basic auth", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "carol", "read", pkce.challenge());
        Http.Response r = server.http.send(server.http.request("/oauth/token")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", app.basic())
                .POST(HttpRequest.BodyPublishers.ofString(Http.form(Http.fields(
                        "grant_type", "authorization_code", "code", code, "redirect_uri", CALLBACK,
                        "code_verifier", pkce.verifier()))))
                .build());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", r.body());
        assertThat(verifyCredentials(r.json().path("access_token").asString()).json().path("username").asString())
                .isEqualTo("carol");

        Http.Response wrong = server.http.send(server.http.request("/oauth/token")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (app.clientId + ":wrong").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read"))
                .build());
        assertOAuthError(wrong, 401, "invalid_client");
    }

    @Test
    void revokedTokenIsRejectedWithMastodonsMessage() {
        Client app = Client.register("Revoker", CALLBACK, "read");
        String token = app.userToken("alice", "read");
        assertThat(verifyCredentials(token).status()).isEqualTo(200);

        Http.Response revoked = server.http.postForm("/oauth/revoke", null, Http.fields(
                "client_id", app.clientId, "client_secret", app.clientSecret, "token", token));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.json().isObject()).isTrue();

        Http.Response after = verifyCredentials(token);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().path("error").asString()).isEqualTo("The access token is invalid");
    }

    @Test
    void revokeWithAWrongSecretIsForbiddenAndLeavesTheTokenAlive() {
        Client app = Client.register("Bad revoker", CALLBACK, "read");
        String token = app.userToken("alice", "read");
        Http.Response r = server.http.postForm("/oauth/revoke", null, Http.fields(
                "client_id", app.clientId, "client_secret", "wrong", "token", token));
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.json().path("error").asString()).isEqualTo("unauthorized_client");
        assertThat(r.json().path("error_description").asString()).isNotBlank();
        assertThat(verifyCredentials(token).status()).isEqualTo(200);

        // Another app, with its own good credentials, cannot revoke this app's token either.
        Client other = Client.register("Other revoker", CALLBACK, "read");
        Http.Response foreign = server.http.postForm("/oauth/revoke", null, Http.fields(
                "client_id", other.clientId, "client_secret", other.clientSecret, "token", token));
        assertThat(foreign.status()).isEqualTo(200);
        assertThat(verifyCredentials(token).status()).isEqualTo(200);
    }

    @Test
    void tokenLackingTheScopeIsForbidden() {
        Client app = Client.register("Read only", CALLBACK, "read write");
        String token = app.userToken("alice", "read");
        Http.Response r = server.http.patchJson("/api/v1/accounts/update_credentials", token,
                "{\"display_name\":\"Not allowed\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");
        assertThat(verifyCredentials(token).json().path("display_name").asString()).isNotEqualTo("Not allowed");
    }

    @Test
    void noTokenIsUnauthorized() {
        Http.Response r = server.http.get("/api/v1/accounts/verify_credentials");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("The access token is invalid");
        Http.Response bogus = verifyCredentials("not-a-token");
        assertThat(bogus.status()).isEqualTo(401);
        assertThat(bogus.json().path("error").asString()).isEqualTo("The access token is invalid");
    }

    @Test
    void clientCredentialsTokenIsAnAppNotAUser() {
        Client app = Client.register("App token", CALLBACK, "read write");
        Http.Response issued = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "client_credentials", "client_id", app.clientId, "client_secret", app.clientSecret,
                "scope", "read"));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", issued.body());
        assertThat(issued.json().path("scope").asString()).isEqualTo("read");
        String token = issued.json().path("access_token").asString();

        Http.Response me = verifyCredentials(token);
        assertThat(me.status()).as(me.toString()).isEqualTo(422);
        assertThat(me.json().path("error").asString()).isEqualTo("This method requires an authenticated user");

        Http.Response self = server.http.get("/api/v1/apps/verify_credentials", token);
        assertThat(self.status()).as(self.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Application", self.body());
        assertThat(self.json().path("name").asString()).isEqualTo("App token");
        assertThat(self.json().path("client_secret").isMissingNode()).isTrue();

        // A scope beyond the app's registration is refused at the token endpoint too.
        Http.Response tooMuch = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "client_credentials", "client_id", app.clientId, "client_secret", app.clientSecret,
                "scope", "admin:read"));
        assertOAuthError(tooMuch, 400, "invalid_scope");
    }

    @Test
    void unsupportedGrantTypeIsRefused() {
        Client app = Client.register("Grant types", CALLBACK, "read");
        Http.Response r = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "password", "client_id", app.clientId, "client_secret", app.clientSecret,
                "username", "alice", "password", TestServer.password("alice")));
        assertOAuthError(r, 400, "unsupported_grant_type");
        Http.Response missing = server.http.postForm("/oauth/token", null, Http.fields(
                "client_id", app.clientId, "client_secret", app.clientSecret));
        assertOAuthError(missing, 400, "invalid_request");
    }

    @Test
    void unknownCodeIsInvalidGrant() {
        Client app = Client.register("Unknown code", CALLBACK, "read");
        Http.Response r = exchange(app, "no-such-code-" + Pkce.create().verifier(), CALLBACK, null);
        assertOAuthError(r, 400, "invalid_grant");
    }

    @Test
    void expiredCodeIsInvalidGrant() {
        Client app = Client.register("Expired code", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        // Ten minutes pass: the only thing not done over HTTP, since the server's clock is not ours to move.
        int moved = server.app.database().jdbi().withHandle(h -> h.createUpdate(
                "UPDATE oauth_authorization_codes SET expires_at = now() - interval '1 second' "
                        + "WHERE application_id = :app").bind("app", Long.parseLong(app.id)).execute());
        assertThat(moved).isEqualTo(1);
        Http.Response r = exchange(app, code, CALLBACK, pkce.verifier());
        assertOAuthError(r, 400, "invalid_grant");
    }

    @Test
    void codeOfAnotherClientIsInvalidGrant() {
        Client app = Client.register("Code owner", CALLBACK, "read");
        Client thief = Client.register("Code thief", CALLBACK, "read");
        Pkce pkce = Pkce.create();
        String code = approvedCode(app, "alice", "read", pkce.challenge());
        assertOAuthError(exchange(thief, code, CALLBACK, pkce.verifier()), 400, "invalid_grant");
    }

    // ---------------------------------------------------------------- 4. /oauth/authorize edge cases

    @Test
    void unknownClientIdIsAnErrorPageNotARedirect() {
        Browser browser = new Browser();
        Http.Response r = browser.get("/oauth/authorize?response_type=code&client_id=nope&redirect_uri="
                + enc(CALLBACK) + "&scope=read&state=xyz");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Location")).isNull();
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("client_id");
    }

    @Test
    void unregisteredRedirectUriIsAnErrorPageNotARedirect() {
        Client app = Client.register("Redirect check", CALLBACK, "read");
        Browser browser = new Browser();
        Http.Response r = browser.get("/oauth/authorize?response_type=code&client_id=" + enc(app.clientId)
                + "&redirect_uri=" + enc("https://evil.example/steal") + "&scope=read&state=xyz");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Location")).isNull();
        assertThat(r.body()).doesNotContain("action=\"/auth/sign_in\"");

        // Signed in makes no difference, and neither does posting the consent form directly.
        browser.signIn("alice");
        Http.Response signedIn = browser.get("/oauth/authorize?response_type=code&client_id=" + enc(app.clientId)
                + "&redirect_uri=" + enc("https://evil.example/steal") + "&scope=read&state=xyz");
        assertThat(signedIn.status()).isEqualTo(400);
        assertThat(signedIn.header("Location")).isNull();
        Http.Response posted = browser.post("/oauth/authorize", Http.fields(
                "authenticity_token", browser.csrfToken(), "client_id", app.clientId,
                "redirect_uri", "https://evil.example/steal", "response_type", "code", "scope", "read",
                "decision", "approve"));
        assertThat(posted.status()).isEqualTo(400);
        assertThat(posted.header("Location")).isNull();
        assertThat(codesOf(app)).isZero();
    }

    @Test
    void scopeBeyondTheRegistrationRedirectsWithInvalidScope() {
        Client app = Client.register("Narrow app", CALLBACK, "read");
        Browser browser = new Browser();
        Http.Response r = browser.get(app.authorizePath("read write", "abc", null));
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).startsWith(CALLBACK + "?");
        assertThat(query(r.header("Location"))).containsEntry("error", "invalid_scope").containsEntry("state", "abc")
                .doesNotContainKey("code");

        Http.Response unknown = browser.get(app.authorizePath("read bogus", "abc", null));
        assertThat(unknown.status()).isEqualTo(302);
        assertThat(query(unknown.header("Location"))).containsEntry("error", "invalid_scope");
    }

    @Test
    void denyingRedirectsWithAccessDenied() {
        Client app = Client.register("Denied app", CALLBACK, "read");
        Browser browser = new Browser();
        browser.signIn("alice");
        Http.Response consent = browser.get(app.authorizePath("read", "st4te", null));
        Http.Response denied = browser.post("/oauth/authorize", with(hiddenFields(consent.body()),
                "decision", "deny"));
        assertThat(denied.status()).isEqualTo(302);
        assertThat(denied.header("Location")).startsWith(CALLBACK + "?");
        assertThat(query(denied.header("Location"))).containsEntry("error", "access_denied")
                .containsEntry("state", "st4te").doesNotContainKey("code");
        assertThat(codesOf(app)).isZero();
    }

    @Test
    void forceLoginShowsTheSignInFormAgainAndTheCodeBelongsToWhoeverSignsIn() {
        Client app = Client.register("Switch account", CALLBACK, "read");
        Browser browser = new Browser();
        browser.signIn("alice");
        // Signed in: the consent page comes straight away.
        assertThat(browser.get(app.authorizePath("read", "s", null)).body()).contains("@alice");

        Http.Response form = browser.get(app.authorizePath("read", "s", null) + "&force_login=true");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("action=\"/auth/sign_in\"").doesNotContain("decision");
        Map<String, String> fields = hiddenFields(form.body());
        assertThat(fields.get("return_to")).doesNotContain("force_login");

        Http.Response signedIn = browser.post("/auth/sign_in", with(fields,
                "login", "bob", "password", TestServer.password("bob")));
        assertThat(signedIn.status()).isEqualTo(303);
        Http.Response consent = browser.get(absolute(signedIn.header("Location")));
        assertThat(consent.body()).contains("@bob").doesNotContain("@alice");
        Http.Response approved = browser.post("/oauth/authorize", with(hiddenFields(consent.body()),
                "decision", "approve"));
        assertThat(approved.status()).isEqualTo(302);
        String code = query(approved.header("Location")).get("code");
        Http.Response token = exchange(app, code, CALLBACK, null);
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        assertThat(verifyCredentials(token.json().path("access_token").asString()).json()
                .path("username").asString()).isEqualTo("bob");
    }

    @Test
    void consentWithoutOrWithAWrongAuthenticityTokenIsForbidden() {
        Client app = Client.register("CSRF consent", CALLBACK, "read");
        Browser browser = new Browser();
        browser.signIn("alice");
        Map<String, String> fields = hiddenFields(browser.get(app.authorizePath("read", "s", null)).body());

        Map<String, String> without = new LinkedHashMap<>(fields);
        without.remove("authenticity_token");
        Http.Response missing = browser.post("/oauth/authorize", with(without, "decision", "approve"));
        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.header("Location")).isNull();

        Http.Response wrong = browser.post("/oauth/authorize", with(fields,
                "authenticity_token", Pkce.create().verifier(), "decision", "approve"));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.header("Location")).isNull();

        // A page on another site posting the form: its browser has the session but not our token.
        Browser attacker = new Browser();
        Http.Response forged = attacker.post("/oauth/authorize", with(fields, "decision", "approve"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(codesOf(app)).isZero();
    }

    @Test
    void signInWithoutOrWithAWrongAuthenticityTokenIsForbidden() {
        Browser browser = new Browser();
        Map<String, String> fields = hiddenFields(browser.get("/auth/sign_in").body());
        assertThat(fields).containsKey("authenticity_token");

        Http.Response missing = browser.post("/auth/sign_in", Http.fields("return_to", "/",
                "login", "alice", "password", TestServer.password("alice")));
        assertThat(missing.status()).isEqualTo(403);
        assertThat(setCookies(missing)).noneMatch(c -> c.startsWith("caravan_session="));

        Http.Response wrong = browser.post("/auth/sign_in", Http.fields("authenticity_token",
                Pkce.create().verifier(), "return_to", "/", "login", "alice", "password", TestServer.password("alice")));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(setCookies(wrong)).noneMatch(c -> c.startsWith("caravan_session="));

        // Still signed out: the authorize URL asks for a sign-in.
        Client app = Client.register("CSRF sign-in", CALLBACK, "read");
        assertThat(browser.get(app.authorizePath("read", null, null)).body()).contains("action=\"/auth/sign_in\"");
    }

    @Test
    void wrongPasswordShowsTheFormAgainWithAnErrorAndNoSession() {
        Client app = Client.register("Wrong password", CALLBACK, "read");
        Browser browser = new Browser();
        Map<String, String> fields = hiddenFields(browser.get(app.authorizePath("read", "s", null)).body());
        Http.Response r = browser.post("/auth/sign_in", with(fields,
                "login", "alice", "password", "not-her-password"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Location")).isNull();
        assertThat(r.body()).contains("action=\"/auth/sign_in\"").contains("class=\"error\"");
        assertThat(setCookies(r)).noneMatch(c -> c.startsWith("caravan_session="));
        // The form keeps where to go after signing in.
        assertThat(hiddenFields(r.body()).get("return_to")).isEqualTo(fields.get("return_to"));
        assertThat(browser.get(app.authorizePath("read", "s", null)).body()).contains("action=\"/auth/sign_in\"");

        Http.Response unknownUser = browser.post("/auth/sign_in", with(fields,
                "login", "nobody", "password", "whatever"));
        assertThat(unknownUser.status()).isEqualTo(401);
    }

    @Test
    void cookiesAreHttpOnlyAndSameSiteLax() {
        Browser browser = new Browser();
        Http.Response form = browser.get("/auth/sign_in");
        List<String> csrf = setCookies(form);
        assertThat(csrf).anyMatch(c -> c.startsWith("caravan_csrf="));
        assertThat(csrf).allSatisfy(OAuthFlowTest::assertHardened);

        Http.Response signedIn = browser.post("/auth/sign_in", with(hiddenFields(form.body()),
                "login", "alice", "password", TestServer.password("alice")));
        assertThat(signedIn.status()).isEqualTo(303);
        List<String> session = setCookies(signedIn);
        assertThat(session).anyMatch(c -> c.startsWith("caravan_session="));
        assertThat(session).allSatisfy(OAuthFlowTest::assertHardened);
    }

    @Test
    void signInReturnsOnlyToThisSite() {
        for (String target : List.of("https://evil.example", "//evil.example", "https://evil.example/oauth/authorize",
                "/\\evil.example", "evil.example")) {
            Browser browser = new Browser();
            Map<String, String> fields = hiddenFields(browser.get("/auth/sign_in").body());
            Http.Response r = browser.post("/auth/sign_in", with(fields, "return_to", target,
                    "login", "alice", "password", TestServer.password("alice")));
            assertThat(r.status()).as(target).isEqualTo(303);
            assertThat(absolute(r.header("Location"))).as(target).isEqualTo(server.baseUrl + "/");
        }
    }

    // ---------------------------------------------------------------- 5. server metadata

    @Test
    void authorizationServerMetadata() {
        Http.Response r = server.http.get("/.well-known/oauth-authorization-server");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.path("issuer").asString()).startsWith(server.baseUrl);
        assertThat(doc.path("authorization_endpoint").asString()).isEqualTo(server.baseUrl + "/oauth/authorize");
        assertThat(doc.path("token_endpoint").asString()).isEqualTo(server.baseUrl + "/oauth/token");
        assertThat(doc.path("revocation_endpoint").asString()).isEqualTo(server.baseUrl + "/oauth/revoke");
        assertThat(doc.path("app_registration_endpoint").asString()).isEqualTo(server.baseUrl + "/api/v1/apps");
        assertThat(strings(doc.path("code_challenge_methods_supported"))).contains("S256");
        assertThat(strings(doc.path("scopes_supported"))).contains("read", "write:statuses", "admin:read:accounts");
        assertThat(strings(doc.path("response_types_supported"))).contains("code");
        assertThat(strings(doc.path("grant_types_supported"))).contains("authorization_code", "client_credentials");
    }

    // ---------------------------------------------------------------- helpers

    /** A registered app, as the app itself keeps it. */
    record Client(String id, String clientId, String clientSecret, String redirectUri) {
        static Client register(String name, String redirectUris, String scopes) {
            Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                    "client_name", name, "redirect_uris", redirectUris, "scopes", scopes)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode app = r.json();
            return new Client(app.path("id").asString(), app.path("client_id").asString(),
                    app.path("client_secret").asString(), redirectUris.split(" ")[0]);
        }

        String authorizePath(String scope, String state, String codeChallenge) {
            StringBuilder path = new StringBuilder("/oauth/authorize?response_type=code&client_id=")
                    .append(enc(clientId)).append("&redirect_uri=").append(enc(redirectUri))
                    .append("&scope=").append(enc(scope));
            if (state != null) {
                path.append("&state=").append(enc(state));
            }
            if (codeChallenge != null) {
                path.append("&code_challenge=").append(enc(codeChallenge)).append("&code_challenge_method=S256");
            }
            return path.toString();
        }

        String basic() {
            return "Basic " + Base64.getEncoder().encodeToString(
                    (enc(clientId) + ":" + enc(clientSecret)).getBytes(StandardCharsets.UTF_8));
        }

        /** A user token got the whole way through the browser flow. */
        String userToken(String username, String scope) {
            Pkce pkce = Pkce.create();
            Http.Response r = exchange(this, approvedCode(this, username, scope, pkce.challenge()), redirectUri,
                    pkce.verifier());
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return r.json().path("access_token").asString();
        }
    }

    /** A browser: its own cookie jar, and the Accept header browsers send. */
    static final class Browser {
        final Http http = server.http.newBrowser();
        private String csrf;

        Http.Response get(String path) {
            Http.Response r = http.send(http.request(path).header("Accept", BROWSER_ACCEPT).GET().build());
            Map<String, String> fields = hiddenFields(r.body());
            if (fields.containsKey("authenticity_token")) {
                csrf = fields.get("authenticity_token");
            }
            return r;
        }

        Http.Response post(String path, Map<String, String> form) {
            return http.send(http.request(path).header("Accept", BROWSER_ACCEPT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(Http.form(form))).build());
        }

        String csrfToken() {
            return csrf;
        }

        /** Signs in through the sign-in page. */
        void signIn(String username) {
            Http.Response form = get("/auth/sign_in");
            Http.Response r = post("/auth/sign_in", with(hiddenFields(form.body()),
                    "login", username, "password", TestServer.password(username)));
            assertThat(r.status()).as(r.toString()).isEqualTo(303);
        }
    }

    record Pkce(String verifier, String challenge) {
        private static final SecureRandom RANDOM = new SecureRandom();

        static Pkce create() {
            byte[] bytes = new byte[48];
            RANDOM.nextBytes(bytes);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Signs {@code username} in with a fresh browser, approves, and returns the code from the redirect. */
    static String approvedCode(Client app, String username, String scope, String challenge) {
        Browser browser = new Browser();
        Http.Response signInPage = browser.get(app.authorizePath(scope, "state-1", challenge));
        assertThat(signInPage.status()).as(signInPage.toString()).isEqualTo(200);
        Http.Response signedIn = browser.post("/auth/sign_in", with(hiddenFields(signInPage.body()),
                "login", username, "password", TestServer.password(username)));
        assertThat(signedIn.status()).as(signedIn.toString()).isEqualTo(303);
        Http.Response consent = browser.get(absolute(signedIn.header("Location")));
        assertThat(consent.status()).as(consent.toString()).isEqualTo(200);
        Http.Response approved = browser.post("/oauth/authorize", with(hiddenFields(consent.body()),
                "decision", "approve"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(302);
        Map<String, String> result = query(approved.header("Location"));
        assertThat(result).containsEntry("state", "state-1").containsKey("code");
        return result.get("code");
    }

    static Http.Response exchange(Client app, String code, String redirectUri, String verifier) {
        Map<String, String> form = Http.fields("grant_type", "authorization_code", "code", code,
                "redirect_uri", redirectUri, "client_id", app.clientId, "client_secret", app.clientSecret);
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        return server.http.postForm("/oauth/token", null, form);
    }

    static Http.Response verifyCredentials(String token) {
        return server.http.get("/api/v1/accounts/verify_credentials", token);
    }

    static void assertOAuthError(Http.Response r, int status, String error) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("error").asString()).as(r.toString()).isEqualTo(error);
        assertThat(r.json().path("error_description").asString()).as(r.toString()).isNotBlank();
    }

    static long codesOf(Client app) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM oauth_authorization_codes WHERE application_id = :app")
                .bind("app", Long.parseLong(app.id)).mapTo(Long.class).one());
    }

    private static final Pattern HIDDEN = Pattern.compile(
            "<input\\s+type=\"hidden\"\\s+name=\"([^\"]+)\"\\s+value=\"([^\"]*)\"\\s*/?>");

    /** The hidden fields of a page's forms, unescaped. */
    static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) {
            fields.put(m.group(1), unescape(m.group(2)));
        }
        return fields;
    }

    static String unescape(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    /** The form's fields plus (or overriding) these pairs. */
    static Map<String, String> with(Map<String, String> fields, String... pairs) {
        Map<String, String> form = new LinkedHashMap<>(fields);
        form.putAll(Http.fields(pairs));
        return form;
    }

    static Map<String, String> query(String uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = URI.create(uri).getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    static String absolute(String location) {
        assertThat(location).isNotNull();
        return location.startsWith("/") && !location.startsWith("//") ? server.baseUrl + location : location;
    }

    static List<String> setCookies(Http.Response r) {
        return r.headers().allValues("Set-Cookie");
    }

    static void assertHardened(String setCookie) {
        String lower = setCookie.toLowerCase(java.util.Locale.ROOT);
        assertThat(lower).as(setCookie).contains("; httponly").contains("; samesite=lax");
    }

    static List<String> strings(JsonNode array) {
        assertThat(array.isArray()).as(array.toString()).isTrue();
        List<String> values = new java.util.ArrayList<>();
        for (JsonNode item : array) {
            values.add(item.asString());
        }
        return values;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
