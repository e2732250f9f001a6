package social.caravan.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** POST /api/v1/apps as Mastodon apps call it, with JSON or a form, and what it refuses. */
class AppsApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void jsonRegistrationReturnsACredentialApplication() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Json App", "redirect_uris", "https://app.example/callback",
                "scopes", "read write follow", "website", "https://app.example")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialApplication", r.body());
        JsonNode app = r.json();
        assertThat(app.path("name").asString()).isEqualTo("Json App");
        assertThat(app.path("website").asString()).isEqualTo("https://app.example");
        assertThat(strings(app.path("scopes"))).containsExactly("read", "write", "follow");
        assertThat(app.path("redirect_uri").asString()).isEqualTo("https://app.example/callback");
        assertThat(strings(app.path("redirect_uris"))).containsExactly("https://app.example/callback");
        assertThat(app.path("client_id").asString()).isNotBlank();
        assertThat(app.path("client_secret").asString()).isNotBlank();
        assertThat(app.path("client_secret").asString()).isNotEqualTo(app.path("client_id").asString());
    }

    @Test
    void scopesDefaultToRead() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Default scopes", "redirect_uris", "urn:ietf:wg:oauth:2.0:oob")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialApplication", r.body());
        assertThat(strings(r.json().path("scopes"))).containsExactly("read");
        assertThat(r.json().path("website").isNull()).isTrue();
    }

    @Test
    void missingClientNameIsUnprocessable() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "redirect_uris", "https://app.example/callback", "scopes", "read")));
        assertError(r, 422);
    }

    @Test
    void redirectUriThatIsNotAUriIsUnprocessable() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Bad URI", "redirect_uris", "not a uri", "scopes", "read")));
        assertError(r, 422);
        Http.Response relative = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Relative URI", "redirect_uris", "/callback", "scopes", "read")));
        assertError(relative, 422);
        Http.Response none = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "No URI", "scopes", "read")));
        assertError(none, 422);
    }

    @Test
    void unknownScopeIsUnprocessable() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, Json.write(Map.of(
                "client_name", "Bogus scope", "redirect_uris", "https://app.example/callback",
                "scopes", "read bogus")));
        assertError(r, 422);
    }

    @Test
    void malformedJsonIsBadRequest() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, "{\"client_name\": \"Broken\",");
        assertError(r, 400);
    }

    @Test
    void formEncodedRegistrationWorks() {
        // Tusky and other Android apps send a form.
        Http.Response r = server.http.postForm("/api/v1/apps", null, Http.fields(
                "client_name", "Tusky", "redirect_uris", "oauth2redirect://com.keylesspalace.tusky/",
                "scopes", "read write follow push", "website", "https://tusky.app"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialApplication", r.body());
        assertThat(r.json().path("name").asString()).isEqualTo("Tusky");
        assertThat(strings(r.json().path("scopes"))).containsExactly("read", "write", "follow", "push");
        assertThat(strings(r.json().path("redirect_uris")))
                .containsExactly("oauth2redirect://com.keylesspalace.tusky/");
    }

    @Test
    void redirectUrisAsAJsonArrayEchoBoth() {
        Http.Response r = server.http.postJson("/api/v1/apps", null, """
                {"client_name": "Two callbacks",
                 "redirect_uris": ["https://app.example/callback", "urn:ietf:wg:oauth:2.0:oob"],
                 "scopes": "read"}""");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("CredentialApplication", r.body());
        assertThat(strings(r.json().path("redirect_uris")))
                .containsExactly("https://app.example/callback", "urn:ietf:wg:oauth:2.0:oob");
        assertThat(r.json().path("redirect_uri").asString())
                .isEqualTo("https://app.example/callback\nurn:ietf:wg:oauth:2.0:oob");
    }

    static void assertError(Http.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode error = r.json().path("error");
        assertThat(error.isString()).as(r.toString()).isTrue();
        assertThat(error.asString()).isNotBlank();
    }

    static List<String> strings(JsonNode array) {
        assertThat(array.isArray()).as(array.toString()).isTrue();
        List<String> values = new ArrayList<>();
        for (JsonNode item : array) {
            values.add(item.asString());
        }
        return values;
    }
}
