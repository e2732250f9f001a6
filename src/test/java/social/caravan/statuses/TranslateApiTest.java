package social.caravan.statuses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.TestServer;

/** POST /api/v1/statuses/:id/translate without a translation service: Mastodon's refusals. */
class TranslateApiTest {
    static TestServer server;
    static Http http;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        server.createAccount("alice");
        server.createAccount("bob");
        alice = server.token("alice", "read write");
        bob = server.token("bob", "read write");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String post(String token, String text, String visibility) {
        Http.Response r = http.postJson("/api/v1/statuses", token,
                Json.write(Map.of("status", text, "visibility", visibility, "language", "de")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static Http.Response translate(String id, String token) {
        return http.postJson("/api/v1/statuses/" + id + "/translate", token, Json.write(Map.of("lang", "en")));
    }

    @Test
    void aVisibleStatusIsNotAllowedToBeTranslated() {
        String id = post(alice, "Guten Morgen", "public");
        Http.Response r = translate(id, bob);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asString()).isEqualTo("This action is not allowed");
        assertThat(translate(id, server.token("bob", "read:statuses")).status()).isEqualTo(403);
    }

    @Test
    void anInvisibleOrUnknownStatusIsNotFound() {
        String secret = post(alice, "Nur für Freunde", "private");
        assertThat(translate(secret, bob).status()).isEqualTo(404);
        assertThat(translate("12345", bob).status()).isEqualTo(404);
        assertThat(translate("nonsense", bob).status()).isEqualTo(404);
        assertThat(http.postJson("/api/v1/accounts/" + server.app.accounts().findLocal("bob").orElseThrow().id()
                + "/block", alice, "").status()).isEqualTo(200);
        String open = post(alice, "Hallo", "public");
        assertThat(translate(open, bob).status()).as("the author blocks the viewer").isEqualTo(404);
    }

    @Test
    void needsATokenThatReadsStatuses() {
        String id = post(alice, "Tschüss", "public");
        assertThat(translate(id, null).status()).isEqualTo(401);
        Http.Response scope = translate(id, server.token("bob", "read:accounts"));
        assertThat(scope.status()).isEqualTo(403);
        assertThat(scope.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");
    }
}
