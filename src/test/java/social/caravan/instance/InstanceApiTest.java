package social.caravan.instance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

class InstanceApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.createAccount("alice");
        server.app.instance().addRule("Be kind", "No harassment of any kind");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void v2InstanceMatchesMastodonSchemaAndCountsUsers() {
        Http.Response r = server.http.get("/api/v2/instance");
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Instance", r.body());
        JsonNode doc = r.json();
        assertThat(doc.path("domain").asString()).isEqualTo(server.baseUrl.substring("http://".length()));
        assertThat(doc.path("configuration").path("urls").path("streaming").asString()).startsWith("ws://127.0.0.1:");
        assertThat(doc.path("api_versions").path("mastodon").asInt()).isPositive();
        assertThat(doc.path("usage").path("users").path("active_month").asLong()).isEqualTo(1);
        assertThat(doc.path("rules").get(0).path("text").asString()).isEqualTo("Be kind");
        assertThat(doc.path("configuration").path("statuses").path("max_characters").asInt()).isEqualTo(500);
    }

    @Test
    void v1InstanceMatchesMastodonSchema() {
        Http.Response r = server.http.get("/api/v1/instance");
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValid("V1Instance", r.body());
        assertThat(r.json().path("stats").path("user_count").asLong()).isEqualTo(1);
    }

    @Test
    void rulesAndCustomEmojis() {
        Http.Response rules = server.http.get("/api/v1/instance/rules");
        MastodonSchemas.assertValidArray("Rule", rules.body());
        assertThat(rules.json().get(0).path("hint").asString()).isEqualTo("No harassment of any kind");
        Http.Response emojis = server.http.get("/api/v1/custom_emojis");
        assertThat(emojis.status()).isEqualTo(200);
        assertThat(emojis.json().isArray()).isTrue();
    }
}
