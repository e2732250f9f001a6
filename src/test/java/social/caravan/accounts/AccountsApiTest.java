package social.caravan.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * The accounts API over HTTP: registration with an app token, credentials, profile updates and
 * their limits, lookups, relationships, preferences and markers, checked against Mastodon's
 * entity schemas and error shapes.
 */
class AccountsApiTest {
    static TestServer server;
    static String appToken;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.createAccount("alice");
        appToken = appToken(server.http, "read write");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** A client_credentials token, as an app gets one before it signs someone up. */
    static String appToken(Http http, String scope) {
        Http.Response app = http.postJson("/api/v1/apps", null, """
                {"client_name":"Sign-up test","redirect_uris":"urn:ietf:wg:oauth:2.0:oob","scopes":"%s"}"""
                .formatted(scope));
        assertThat(app.status()).as(app.toString()).isEqualTo(200);
        Http.Response token = http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "client_credentials",
                "client_id", app.json().path("client_id").asString(),
                "client_secret", app.json().path("client_secret").asString(),
                "scope", scope));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().path("access_token").asString();
    }

    static String unique(String prefix) {
        return prefix + SEQUENCE.incrementAndGet();
    }

    static Map<String, String> registration(String username) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", username);
        form.put("email", username + "@example.com");
        form.put("password", "correct horse battery");
        form.put("agreement", "true");
        form.put("locale", "en");
        return form;
    }

    static Http.Response register(Map<String, String> form) {
        return server.http.postForm("/api/v1/accounts", appToken, form);
    }

    static void assertNoAccount(String username) {
        Http.Response lookup = server.http.get("/api/v1/accounts/lookup?acct=" + username);
        assertThat(lookup.status()).as("lookup of %s after a failed sign-up: %s", username, lookup).isEqualTo(404);
    }

    /** Asserts Mastodon's 422 shape and returns the first error code given for {@code field}. */
    static String validationError(Http.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        MastodonSchemas.assertValid("Error", r.body());
        JsonNode body = r.json();
        assertThat(body.path("error").asString()).startsWith("Validation failed: ");
        JsonNode entry = body.path("details").path(field).path(0);
        assertThat(entry.isObject()).as("details.%s[0] in %s", field, r.body()).isTrue();
        assertThat(entry.path("description").asString()).isNotBlank();
        return entry.path("error").asString();
    }

    static JsonNode verify(String token) {
        Http.Response r = server.http.get("/api/v1/accounts/verify_credentials", token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialAccount", r.body());
        return r.json();
    }

    static String longText(int codePoints) {
        return "x".repeat(codePoints);
    }

    // ---------------------------------------------------------------------------------------------
    // Registration

    @Test
    void registrationWithAppTokenReturnsAWorkingToken() {
        String username = unique("newcomer");
        Http.Response r = register(registration(username));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", r.body());
        assertThat(r.json().path("token_type").asString()).isEqualTo("Bearer");
        assertThat(r.json().path("scope").asString()).isEqualTo("read write");

        JsonNode me = verify(r.json().path("access_token").asString());
        assertThat(me.path("username").asString()).isEqualTo(username);
        assertThat(me.path("acct").asString()).isEqualTo(username);
        assertThat(me.path("source").path("privacy").asString()).isEqualTo("public");
        assertThat(me.path("role").isObject()).isTrue();
        assertThat(me.path("role").path("id").asString()).isEqualTo("-99");
    }

    @Test
    void registrationAcceptsAJsonBody() {
        String username = unique("jsonner");
        Http.Response r = server.http.postJson("/api/v1/accounts", appToken, """
                {"username":"%s","email":"%s@example.com","password":"correct horse battery",
                 "agreement":true,"locale":"de"}""".formatted(username, username));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Token", r.body());
        assertThat(verify(r.json().path("access_token").asString()).path("username").asString()).isEqualTo(username);
    }

    @Test
    void registrationNeedsAnAppToken() {
        Http.Response r = server.http.postForm("/api/v1/accounts", null, registration(unique("anon")));
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        MastodonSchemas.assertValid("Error", r.body());
    }

    @Test
    void duplicateUsernameIsTakenAndCreatesNothing() {
        String email = unique("dupe") + "@example.com";
        Map<String, String> form = registration("alice");
        form.put("email", email);
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_TAKEN");
        // Usernames are unique whatever their case, as on Mastodon.
        form.put("username", "ALICE");
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_TAKEN");
        // The e-mail address of the failed attempt was not kept: a fresh sign-up may use it.
        Map<String, String> fresh = registration(unique("fresh"));
        fresh.put("email", email);
        assertThat(register(fresh).status()).isEqualTo(200);
    }

    @Test
    void duplicateEmailIsTaken() {
        String first = unique("first");
        assertThat(register(registration(first)).status()).isEqualTo(200);
        String second = unique("second");
        Map<String, String> form = registration(second);
        form.put("email", first.toUpperCase() + "@EXAMPLE.COM");
        assertThat(validationError(register(form), "email")).isEqualTo("ERR_TAKEN");
        assertNoAccount(second);
    }

    @Test
    void blankOrInvalidEmail() {
        String username = unique("mailless");
        Map<String, String> form = registration(username);
        form.put("email", "");
        assertThat(validationError(register(form), "email")).isEqualTo("ERR_BLANK");
        form.put("email", "not-an-address");
        assertThat(validationError(register(form), "email")).isEqualTo("ERR_INVALID");
        assertNoAccount(username);
    }

    @Test
    void passwordTooShort() {
        String username = unique("shorty");
        Map<String, String> form = registration(username);
        form.put("password", "short");
        assertThat(validationError(register(form), "password")).isEqualTo("ERR_TOO_SHORT");
        assertNoAccount(username);
    }

    @Test
    void agreementMustBeAccepted() {
        String username = unique("disagreeing");
        Map<String, String> form = registration(username);
        form.remove("agreement");
        assertThat(validationError(register(form), "agreement")).isEqualTo("ERR_ACCEPTED");
        form.put("agreement", "false");
        assertThat(validationError(register(form), "agreement")).isEqualTo("ERR_ACCEPTED");
        assertNoAccount(username);
    }

    @Test
    void reservedAndInvalidUsernames() {
        assertThat(validationError(register(registration("admin")), "username")).isEqualTo("ERR_RESERVED");
        assertNoAccount("admin");
        Map<String, String> form = registration("bad-name");
        form.put("email", unique("badname") + "@example.com");
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_INVALID");
        form.put("username", "");
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_BLANK");
        form.put("username", "Admin");
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_RESERVED");
        form.put("username", "a".repeat(31));
        assertThat(validationError(register(form), "username")).isEqualTo("ERR_TOO_LONG");
        String longest = "b".repeat(27) + SEQUENCE.incrementAndGet() % 10 + "zz";
        Map<String, String> ok = registration(longest);
        assertThat(register(ok).status()).as("30 characters is allowed").isEqualTo(200);
    }

    @Test
    void everyFieldErrorIsReportedAtOnce() {
        Map<String, String> form = registration("");
        form.put("email", "nope");
        form.put("password", "123");
        Http.Response r = register(form);
        assertThat(validationError(r, "username")).isEqualTo("ERR_BLANK");
        assertThat(validationError(r, "email")).isEqualTo("ERR_INVALID");
        assertThat(validationError(r, "password")).isEqualTo("ERR_TOO_SHORT");
    }

    // ---------------------------------------------------------------------------------------------
    // verify_credentials

    @Test
    void verifyCredentialsOfAnOwner() {
        server.createAccount("theowner", Role.OWNER);
        JsonNode me = verify(server.token("theowner", "read"));
        assertThat(me.path("username").asString()).isEqualTo("theowner");
        assertThat(me.path("role").path("name").asString()).isEqualTo("Owner");
        assertThat(me.path("role").path("highlighted").asBoolean()).isTrue();
        // The administrator flag implies every permission, as Mastodon computes it.
        assertThat(me.path("role").path("permissions").asString()).isEqualTo("1048575");
        MastodonSchemas.assertValid("Role", me.path("role"));
        // Highlighted roles show on the public profile too.
        JsonNode profile = server.http.get("/api/v1/accounts/" + me.path("id").asString()).json();
        assertThat(profile.path("roles").size()).isEqualTo(1);
        assertThat(profile.path("roles").get(0).path("name").asString()).isEqualTo("Owner");
        MastodonSchemas.assertValid("Account", profile);
    }

    @Test
    void verifyCredentialsOfAPlainUser() {
        JsonNode me = verify(server.token("alice", "read:accounts"));
        assertThat(me.path("role").path("id").asString()).isEqualTo("-99");
        assertThat(me.path("role").path("highlighted").asBoolean()).isFalse();
        assertThat(me.path("role").path("permissions").asString()).isEqualTo("65536");
        assertThat(me.path("roles").size()).isZero();
        MastodonSchemas.assertValid("Role", me.path("role"));
        assertThat(me.path("source").path("note").asString()).isEmpty();
    }

    @Test
    void profileScopeIsEnoughForVerifyCredentialsOnly() {
        String token = server.token("alice", "profile");
        assertThat(verify(token).path("username").asString()).isEqualTo("alice");
        assertThat(server.http.get("/api/v1/preferences", token).status()).isEqualTo(403);
        assertThat(server.http.patchJson("/api/v1/accounts/update_credentials", token, "{\"bot\":true}").status())
                .isEqualTo(403);
    }

    @Test
    void verifyCredentialsNeedsAUserToken() {
        assertThat(server.http.get("/api/v1/accounts/verify_credentials").status()).isEqualTo(401);
        assertThat(server.http.get("/api/v1/accounts/verify_credentials", "not-a-token").status()).isEqualTo(401);
        // An app token speaks for no user.
        Http.Response r = server.http.get("/api/v1/accounts/verify_credentials", appToken);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        MastodonSchemas.assertValid("Error", r.body());
    }

    // ---------------------------------------------------------------------------------------------
    // update_credentials

    @Test
    void updateCredentialsAsJson() {
        String username = unique("jsonprofile");
        long id = server.createAccount(username);
        String token = server.token(username, "read write");
        Http.Response r = server.http.patchJson("/api/v1/accounts/update_credentials", token, """
                {"display_name":"Json Person","note":"Hello <there>\\n\\nSee https://example.com/about",
                 "locked":true,"bot":true,"discoverable":true,
                 "fields_attributes":[{"name":"Site","value":"https://json.example/home"},{"name":"Pronouns","value":"they/them"}],
                 "source":{"privacy":"unlisted","sensitive":true,"language":"de"}}""");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialAccount", r.body());
        JsonNode me = r.json();
        assertThat(me.path("display_name").asString()).isEqualTo("Json Person");
        assertThat(me.path("note").asString()).startsWith("<p>Hello &lt;there&gt;</p><p>See <a href=\"https://example.com/about\"");
        assertThat(me.path("source").path("note").asString()).isEqualTo("Hello <there>\n\nSee https://example.com/about");
        assertThat(me.path("locked").asBoolean()).isTrue();
        assertThat(me.path("bot").asBoolean()).isTrue();
        assertThat(me.path("discoverable").asBoolean()).isTrue();
        assertThat(me.path("fields").size()).isEqualTo(2);
        assertThat(me.path("fields").path(0).path("name").asString()).isEqualTo("Site");
        assertThat(me.path("fields").path(0).path("value").asString()).contains("<a href=\"https://json.example/home\"");
        assertThat(me.path("source").path("fields").path(0).path("value").asString()).isEqualTo("https://json.example/home");
        assertThat(me.path("fields").path(1).path("value").asString()).isEqualTo("they/them");
        assertThat(me.path("source").path("privacy").asString()).isEqualTo("unlisted");
        assertThat(me.path("source").path("sensitive").asBoolean()).isTrue();
        assertThat(me.path("source").path("language").asString()).isEqualTo("de");

        Http.Response shown = server.http.get("/api/v1/accounts/" + id);
        assertThat(shown.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Account", shown.body());
        JsonNode account = shown.json();
        assertThat(account.path("display_name").asString()).isEqualTo("Json Person");
        assertThat(account.path("note").asString()).isEqualTo(me.path("note").asString());
        assertThat(account.path("locked").asBoolean()).isTrue();
        assertThat(account.path("bot").asBoolean()).isTrue();
        assertThat(account.path("fields").path(0).path("value").asString()).contains("<a href=\"https://json.example/home\"");
        assertThat(account.has("source")).as("a public Account has no source").isFalse();

        // Sending empty rows clears the fields, as Mastodon's settings page does; other values stay.
        Http.Response cleared = server.http.patchJson("/api/v1/accounts/update_credentials", token, """
                {"fields_attributes":[{"name":"","value":""},{"name":"","value":""},{"name":"","value":""},{"name":"","value":""}]}""");
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().path("fields").size()).isZero();
        assertThat(cleared.json().path("source").path("fields").size()).isZero();
        assertThat(cleared.json().path("display_name").asString()).isEqualTo("Json Person");
        assertThat(cleared.json().path("locked").asBoolean()).isTrue();
    }

    @Test
    void updateCredentialsAsFormWithRailsBrackets() {
        String username = unique("formprofile");
        long id = server.createAccount(username);
        String token = server.token(username, "read write");
        Map<String, String> form = Http.fields(
                "display_name", "Form Person",
                "note", "Plain note",
                "locked", "true",
                "bot", "false",
                "discoverable", "1",
                "source[privacy]", "private",
                "source[sensitive]", "true",
                "source[language]", "fr",
                "fields_attributes[0][name]", "Web",
                "fields_attributes[0][value]", "https://form.example",
                "fields_attributes[1][name]", "Mood",
                "fields_attributes[1][value]", "fine & dandy");
        Http.Response r = server.http.send(server.http.request("/api/v1/accounts/update_credentials")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(Http.form(form)))
                .build());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialAccount", r.body());
        JsonNode me = r.json();
        assertThat(me.path("display_name").asString()).isEqualTo("Form Person");
        assertThat(me.path("note").asString()).isEqualTo("<p>Plain note</p>");
        assertThat(me.path("source").path("note").asString()).isEqualTo("Plain note");
        assertThat(me.path("locked").asBoolean()).isTrue();
        assertThat(me.path("bot").asBoolean()).isFalse();
        assertThat(me.path("discoverable").asBoolean()).isTrue();
        assertThat(me.path("source").path("privacy").asString()).isEqualTo("private");
        assertThat(me.path("source").path("sensitive").asBoolean()).isTrue();
        assertThat(me.path("source").path("language").asString()).isEqualTo("fr");
        assertThat(me.path("fields").path(0).path("name").asString()).isEqualTo("Web");
        assertThat(me.path("fields").path(0).path("value").asString()).contains("<a href=\"https://form.example\"");
        assertThat(me.path("fields").path(1).path("value").asString()).isEqualTo("fine &amp; dandy");
        assertThat(me.path("source").path("fields").path(1).path("value").asString()).isEqualTo("fine & dandy");

        JsonNode account = server.http.get("/api/v1/accounts/" + id).json();
        MastodonSchemas.assertValid("Account", account);
        assertThat(account.path("display_name").asString()).isEqualTo("Form Person");
        assertThat(account.path("locked").asBoolean()).isTrue();
        assertThat(account.path("fields").size()).isEqualTo(2);
    }

    @Test
    void updateCredentialsWithUnindexedFieldBrackets() {
        String username = unique("unindexed");
        server.createAccount(username);
        String token = server.token(username, "read write");
        String form = "fields_attributes[][name]=Site&fields_attributes[][value]=https%3A%2F%2Fu.example"
                + "&fields_attributes[][name]=Pronouns&fields_attributes[][value]=she%2Fher";
        Http.Response r = server.http.send(server.http.request("/api/v1/accounts/update_credentials")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(form))
                .build());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode source = r.json().path("source").path("fields");
        assertThat(source.size()).as(r.body()).isEqualTo(2);
        assertThat(source.path(0).path("name").asString()).isEqualTo("Site");
        assertThat(source.path(0).path("value").asString()).isEqualTo("https://u.example");
        assertThat(source.path(1).path("name").asString()).isEqualTo("Pronouns");
        assertThat(source.path(1).path("value").asString()).isEqualTo("she/her");
    }

    @Test
    void updateCredentialsAsMultipartForm() {
        String username = unique("multipart");
        server.createAccount(username);
        String token = server.token(username, "read write");
        String boundary = "----caravan-test-boundary";
        StringBuilder body = new StringBuilder();
        for (String[] part : List.of(new String[] {"display_name", "Multi Part"},
                new String[] {"source[privacy]", "unlisted"},
                new String[] {"fields_attributes[0][name]", "Key"},
                new String[] {"fields_attributes[0][value]", "Value"})) {
            body.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(part[0]).append("\"\r\n\r\n")
                    .append(part[1]).append("\r\n");
        }
        body.append("--").append(boundary).append("--\r\n");
        Http.Response r = server.http.send(server.http.request("/api/v1/accounts/update_credentials")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialAccount", r.body());
        assertThat(r.json().path("display_name").asString()).isEqualTo("Multi Part");
        assertThat(r.json().path("source").path("privacy").asString()).isEqualTo("unlisted");
        assertThat(r.json().path("fields").path(0).path("name").asString()).isEqualTo("Key");
    }

    @Test
    void updateCredentialsLimitsLeaveTheProfileUnchanged() {
        String username = unique("limited");
        server.createAccount(username);
        String token = server.token(username, "read write");
        Http.Response setUp = server.http.patchJson("/api/v1/accounts/update_credentials", token, """
                {"display_name":"Before","note":"Original note",
                 "fields_attributes":[{"name":"a","value":"1"}],"source":{"privacy":"private"}}""");
        assertThat(setUp.status()).as(setUp.toString()).isEqualTo(200);
        String before = server.http.get("/api/v1/accounts/verify_credentials", token).body();

        String fiveFields = """
                [{"name":"1","value":"1"},{"name":"2","value":"2"},{"name":"3","value":"3"},
                 {"name":"4","value":"4"},{"name":"5","value":"5"}]""";
        List<String> invalid = List.of(
                "{\"display_name\":\"" + longText(31) + "\",\"note\":\"changed\"}",
                "{\"display_name\":\"Changed\",\"note\":\"" + longText(501) + "\"}",
                "{\"display_name\":\"Changed\",\"fields_attributes\":" + fiveFields + "}",
                "{\"display_name\":\"Changed\",\"source\":{\"privacy\":\"bogus\"}}",
                "{\"display_name\":\"Changed\",\"fields_attributes\":[{\"name\":\"n\",\"value\":\"" + longText(256) + "\"}]}",
                "{\"display_name\":\"Changed\",\"fields_attributes\":[{\"name\":\"" + longText(256) + "\",\"value\":\"v\"}]}");
        for (String body : invalid) {
            Http.Response r = server.http.patchJson("/api/v1/accounts/update_credentials", token, body);
            assertThat(r.status()).as("%s -> %s", body, r).isEqualTo(422);
            MastodonSchemas.assertValid("Error", r.body());
            assertThat(r.json().path("error").asString()).startsWith("Validation failed: ");
            assertThat(server.http.get("/api/v1/accounts/verify_credentials", token).body())
                    .as("profile after %s", body).isEqualTo(before);
        }
        // The same limit as a form: source[privacy]=bogus.
        Http.Response form = server.http.send(server.http.request("/api/v1/accounts/update_credentials")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(
                        Http.form(Http.fields("display_name", "Changed", "source[privacy]", "bogus"))))
                .build());
        assertThat(form.status()).as(form.toString()).isEqualTo(422);
        assertThat(server.http.get("/api/v1/accounts/verify_credentials", token).body()).isEqualTo(before);

        // Exactly at the limits is accepted.
        String fourFields = """
                [{"name":"1","value":"1"},{"name":"2","value":"2"},{"name":"3","value":"3"},{"name":"4","value":"4"}]""";
        Http.Response atLimit = server.http.patchJson("/api/v1/accounts/update_credentials", token,
                "{\"display_name\":\"" + longText(30) + "\",\"note\":\"" + longText(500) + "\",\"fields_attributes\":"
                        + fourFields + "}");
        assertThat(atLimit.status()).as(atLimit.toString()).isEqualTo(200);
        assertThat(atLimit.json().path("fields").size()).isEqualTo(4);
    }

    @Test
    void updateCredentialsNeedsWriteScope() {
        String username = unique("readonly");
        server.createAccount(username);
        Http.Response r = server.http.patchJson("/api/v1/accounts/update_credentials",
                server.token(username, "read"), "{\"display_name\":\"Nope\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        MastodonSchemas.assertValid("Error", r.body());
    }

    // ---------------------------------------------------------------------------------------------
    // Showing and looking up accounts

    @Test
    void showAccount() {
        long id = server.app.accounts().findLocal("alice").orElseThrow().id();
        Http.Response r = server.http.get("/api/v1/accounts/" + id);
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Account", r.body());
        assertThat(r.json().path("id").asString()).isEqualTo(Long.toString(id));
        assertThat(r.json().path("username").asString()).isEqualTo("alice");
    }

    @Test
    void unknownAccountIdIsRecordNotFound() {
        Http.Response unknown = server.http.get("/api/v1/accounts/1234567890123");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asString()).isEqualTo("Record not found");
        assertThat(unknown.header("Content-Type")).startsWith("application/json");
        Http.Response nonNumeric = server.http.get("/api/v1/accounts/abc");
        assertThat(nonNumeric.status()).isEqualTo(404);
        assertThat(nonNumeric.json().path("error").asString()).isEqualTo("Record not found");
        for (String id : List.of("0", "-1", "99999999999999999999", "9223372036854775808", "1e5")) {
            Http.Response r = server.http.get("/api/v1/accounts/" + id);
            assertThat(r.status()).as("%s: %s", id, r).isEqualTo(404);
            assertThat(r.json().path("error").asString()).isEqualTo("Record not found");
        }
    }

    @Test
    void lookupByAcct() {
        String domain = server.baseUrl.substring("http://".length());
        for (String acct : List.of("alice", "alice@" + domain, "@alice", "ALICE")) {
            Http.Response r = server.http.get("/api/v1/accounts/lookup?acct=" + acct);
            assertThat(r.status()).as("%s: %s", acct, r).isEqualTo(200);
            MastodonSchemas.assertValid("Account", r.body());
            assertThat(r.json().path("username").asString()).isEqualTo("alice");
        }
        Http.Response nobody = server.http.get("/api/v1/accounts/lookup?acct=nobody");
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.json().path("error").asString()).isEqualTo("Record not found");
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=alice@elsewhere.example").status()).isEqualTo(404);
        Http.Response missing = server.http.get("/api/v1/accounts/lookup");
        assertThat(missing.status()).isEqualTo(400);
        MastodonSchemas.assertValid("Error", missing.body());
        // A token, when given, must be able to read accounts.
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=alice", server.token("alice", "read:accounts")).status())
                .isEqualTo(200);
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=alice", server.token("alice", "write")).status())
                .isEqualTo(403);
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=alice", "not-a-token").status()).isEqualTo(401);
    }

    // ---------------------------------------------------------------------------------------------
    // Relationships

    @Test
    void relationshipsInTheOrderAsked() {
        String viewer = unique("viewer");
        server.createAccount(viewer);
        long first = server.createAccount(unique("older"));
        long second = server.createAccount(unique("newer"));
        String token = server.token(viewer, "read");
        Http.Response r = server.http.get("/api/v1/accounts/relationships?id[]=" + second + "&id[]=" + first, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Relationship", r.body());
        assertThat(r.json().size()).isEqualTo(2);
        assertThat(r.json().path(0).path("id").asString()).isEqualTo(Long.toString(second));
        assertThat(r.json().path(1).path("id").asString()).isEqualTo(Long.toString(first));
        assertThat(r.json().path(0).path("following").asBoolean()).isFalse();

        Http.Response other = server.http.get(
                "/api/v1/accounts/relationships?id[]=" + first + "&id[]=999999999&id[]=" + second, token);
        assertThat(other.json().size()).as("unknown ids are left out: %s", other).isEqualTo(2);
        assertThat(other.json().path(0).path("id").asString()).isEqualTo(Long.toString(first));
        assertThat(other.json().path(1).path("id").asString()).isEqualTo(Long.toString(second));

        Http.Response single = server.http.get("/api/v1/accounts/relationships?id=" + first, token);
        assertThat(single.json().size()).isEqualTo(1);
        Http.Response repeated = server.http.get(
                "/api/v1/accounts/relationships?id[]=" + first + "&id[]=" + first, token);
        assertThat(repeated.json().size()).as("one entry per account: %s", repeated).isEqualTo(1);
    }

    @Test
    void relationshipsNeedReadFollows() {
        String viewer = unique("writer");
        long target = server.createAccount(viewer);
        Http.Response writeOnly = server.http.get("/api/v1/accounts/relationships?id[]=" + target,
                server.token(viewer, "write"));
        assertThat(writeOnly.status()).as(writeOnly.toString()).isEqualTo(403);
        MastodonSchemas.assertValid("Error", writeOnly.body());
        assertThat(server.http.get("/api/v1/accounts/relationships?id[]=" + target,
                server.token(viewer, "read:follows")).status()).isEqualTo(200);
        assertThat(server.http.get("/api/v1/accounts/relationships?id[]=" + target,
                server.token(viewer, "follow")).status()).isEqualTo(200);
        assertThat(server.http.get("/api/v1/accounts/relationships?id[]=" + target).status()).isEqualTo(401);
    }

    // ---------------------------------------------------------------------------------------------
    // Preferences

    @Test
    void preferencesFollowSource() {
        String username = unique("prefs");
        server.createAccount(username);
        String token = server.token(username, "read write");
        Http.Response before = server.http.get("/api/v1/preferences", token);
        assertThat(before.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Preferences", before.body());
        assertThat(before.json().path("posting:default:visibility").asString()).isEqualTo("public");
        assertThat(before.json().path("posting:default:sensitive").asBoolean()).isFalse();

        Http.Response update = server.http.patchJson("/api/v1/accounts/update_credentials", token,
                "{\"source\":{\"privacy\":\"private\",\"sensitive\":true,\"language\":\"ja\"}}");
        assertThat(update.status()).as(update.toString()).isEqualTo(200);

        Http.Response after = server.http.get("/api/v1/preferences", token);
        MastodonSchemas.assertValid("Preferences", after.body());
        assertThat(after.json().path("posting:default:visibility").asString()).isEqualTo("private");
        assertThat(after.json().path("posting:default:sensitive").asBoolean()).isTrue();
        assertThat(after.json().path("posting:default:language").asString()).isEqualTo("ja");
        assertThat(server.http.get("/api/v1/preferences").status()).isEqualTo(401);
    }

    // ---------------------------------------------------------------------------------------------
    // Markers

    @Test
    void markersCountVersionsAndStayPrivate() {
        String username = unique("reader");
        server.createAccount(username);
        String token = server.token(username, "read write");

        Http.Response first = server.http.postJson("/api/v1/markers", token, "{\"home\":{\"last_read_id\":\"123\"}}");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Marker", first.json().path("home"));
        assertThat(first.json().has("notifications")).isFalse();
        assertThat(first.json().path("home").path("last_read_id").asString()).isEqualTo("123");
        assertThat(first.json().path("home").path("version").asInt()).isEqualTo(1);

        Http.Response second = server.http.postJson("/api/v1/markers", token, "{\"home\":{\"last_read_id\":\"456\"}}");
        assertThat(second.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Marker", second.json().path("home"));
        assertThat(second.json().path("home").path("last_read_id").asString()).isEqualTo("456");
        assertThat(second.json().path("home").path("version").asInt()).isEqualTo(2);

        Http.Response shown = server.http.get("/api/v1/markers?timeline[]=home&timeline[]=notifications", token);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().size()).as(shown.toString()).isEqualTo(1);
        MastodonSchemas.assertValid("Marker", shown.json().path("home"));
        assertThat(shown.json().path("home").path("last_read_id").asString()).isEqualTo("456");
        assertThat(shown.json().path("home").path("version").asInt()).isEqualTo(2);
        assertThat(server.http.get("/api/v1/markers?timeline=home", token).json().path("home").path("last_read_id")
                .asString()).isEqualTo("456");
        assertThat(server.http.get("/api/v1/markers", token).json().size()).as("no timeline asked, none given").isZero();

        // As a form with Rails brackets, as some apps send it.
        Http.Response form = server.http.postForm("/api/v1/markers", token,
                Http.fields("notifications[last_read_id]", "789"));
        assertThat(form.status()).as(form.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Marker", form.json().path("notifications"));
        assertThat(form.json().path("notifications").path("version").asInt()).isEqualTo(1);

        String other = unique("otherreader");
        server.createAccount(other);
        Http.Response theirs = server.http.get("/api/v1/markers?timeline[]=home&timeline[]=notifications",
                server.token(other, "read"));
        assertThat(theirs.status()).isEqualTo(200);
        assertThat(theirs.json().isObject()).isTrue();
        assertThat(theirs.json().size()).as(theirs.toString()).isZero();
    }

    @Test
    void markersRejectBadInput() {
        String username = unique("badreader");
        server.createAccount(username);
        String token = server.token(username, "read write");
        Http.Response nonNumeric = server.http.postJson("/api/v1/markers", token,
                "{\"home\":{\"last_read_id\":\"abc\"}}");
        assertThat(nonNumeric.status()).as(nonNumeric.toString()).isEqualTo(422);
        MastodonSchemas.assertValid("Error", nonNumeric.body());
        Http.Response empty = server.http.postJson("/api/v1/markers", token, "");
        assertThat(empty.status()).as(empty.toString()).isEqualTo(400);
        MastodonSchemas.assertValid("Error", empty.body());
        Http.Response emptyObject = server.http.postJson("/api/v1/markers", token, "{}");
        assertThat(emptyObject.status()).isEqualTo(400);
        // Nothing was saved by the failed requests.
        Http.Response shown = server.http.get("/api/v1/markers?timeline[]=home", token);
        assertThat(shown.json().size()).isZero();
        Http.Response readOnly = server.http.postJson("/api/v1/markers", server.token(username, "read"),
                "{\"home\":{\"last_read_id\":\"1\"}}");
        assertThat(readOnly.status()).isEqualTo(403);
    }

    // ---------------------------------------------------------------------------------------------
    // Other registration modes

    @Nested
    class WhenRegistrationsAreClosed {
        static TestServer closed;
        static String closedAppToken;

        @BeforeAll
        static void start() {
            closed = TestServer.start(Map.of("CARAVAN_REGISTRATIONS", "closed"));
            closedAppToken = appToken(closed.http, "read write");
        }

        @AfterAll
        static void stop() {
            closed.close();
        }

        @Test
        void signUpIsForbidden() {
            Http.Response r = closed.http.postForm("/api/v1/accounts", closedAppToken, registration("hopeful"));
            assertThat(r.status()).as(r.toString()).isEqualTo(403);
            MastodonSchemas.assertValid("Error", r.body());
            assertThat(closed.http.get("/api/v1/accounts/lookup?acct=hopeful").status()).isEqualTo(404);
        }
    }

    @Nested
    class WhenRegistrationsNeedApproval {
        static TestServer approval;
        static String approvalAppToken;

        @BeforeAll
        static void start() {
            approval = TestServer.start(Map.of("CARAVAN_REGISTRATIONS", "approval"));
            approvalAppToken = appToken(approval.http, "read write");
        }

        @AfterAll
        static void stop() {
            approval.close();
        }

        @Test
        void signUpGivesATokenThatWaitsForApproval() {
            Map<String, String> form = registration("patient");
            form.put("reason", "I would like to join");
            Http.Response r = approval.http.postForm("/api/v1/accounts", approvalAppToken, form);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            MastodonSchemas.assertValid("Token", r.body());
            String token = r.json().path("access_token").asString();

            Http.Response me = approval.http.get("/api/v1/accounts/verify_credentials", token);
            assertThat(me.status()).as(me.toString()).isEqualTo(403);
            assertThat(me.json().path("error").asString()).isEqualTo("Your login is currently pending approval");
            assertThat(approval.http.get("/api/v1/preferences", token).status()).isEqualTo(403);
        }
    }
}
