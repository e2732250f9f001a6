package social.caravan.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;

/**
 * Rate limits behind a trusted proxy: API requests per forwarded address or per token, sign-ups
 * per address, Mastodon's X-RateLimit-* headers, loopback exempt, and X-Forwarded-For honoured
 * only from TRUSTED_PROXY_IP. Each test uses its own client addresses, so the budgets it spends
 * are its own.
 */
class RateLimitTest {
    /** A year: the fixed windows are aligned to the epoch, so none can end in the middle of a test. */
    static final String LONG_PERIOD = Integer.toString(365 * 24 * 3600);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "TRUSTED_PROXY_IP", "127.0.0.1",
                "CARAVAN_RATE_LIMIT_API", "5",
                "CARAVAN_RATE_LIMIT_API_PERIOD", LONG_PERIOD,
                "CARAVAN_RATE_LIMIT_SIGNUPS", "2",
                "CARAVAN_RATE_LIMIT_SIGNUPS_PERIOD", LONG_PERIOD));
        server.createAccount("alice");
        server.createAccount("bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Response get(TestServer s, String path, String forwardedFor, String token) {
        HttpRequest.Builder b = s.http.request(path).GET();
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return s.http.send(b.build());
    }

    static Http.Response get(String path, String forwardedFor, String token) {
        return get(server, path, forwardedFor, token);
    }

    static int remaining(Http.Response r) {
        assertThat(r.header("X-RateLimit-Remaining")).as("X-RateLimit-Remaining of %s", r).isNotNull();
        return Integer.parseInt(r.header("X-RateLimit-Remaining"));
    }

    static void assertTooMany(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(429);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        MastodonSchemas.assertValid("Error", r.body());
        assertThat(r.json().path("error").asString()).isEqualTo("Too many requests");
        assertThat(r.header("Access-Control-Allow-Origin")).as("browsers must be able to read a 429").isEqualTo("*");
    }

    static void assertNoRateLimitHeaders(Http.Response r) {
        assertThat(r.header("X-RateLimit-Limit")).as(r.toString()).isNull();
        assertThat(r.header("X-RateLimit-Remaining")).isNull();
        assertThat(r.header("X-RateLimit-Reset")).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // API requests by address

    @Test
    void forwardedAddressIsCountedAndLimited() {
        List<String> resets = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Http.Response r = get("/api/v1/instance", "203.0.113.7", null);
            assertThat(r.status()).as("request %d: %s", i, r).isEqualTo(200);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("5");
            assertThat(remaining(r)).isEqualTo(5 - i);
            String reset = r.header("X-RateLimit-Reset");
            assertThat(reset).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
            assertThat(Instant.parse(reset)).isAfter(Instant.now());
            resets.add(reset);
        }
        assertThat(resets).as("one window").containsOnly(resets.get(0));
        Http.Response sixth = get("/api/v1/instance", "203.0.113.7", null);
        assertTooMany(sixth);
        assertThat(sixth.header("X-RateLimit-Limit")).isEqualTo("5");
        assertThat(remaining(sixth)).isZero();
        assertThat(sixth.header("X-RateLimit-Reset")).isEqualTo(resets.get(0));
        // Still refused, on any API path, from that address.
        assertTooMany(get("/api/v1/accounts/lookup?acct=alice", "203.0.113.7", null));
        // A CORS preflight is not an API request: a browser app must still be able to read the 429.
        Http.Response preflight = server.http.send(server.http.request("/api/v1/instance")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("X-Forwarded-For", "203.0.113.7")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .build());
        assertThat(preflight.status()).as(preflight.toString()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("*");
        // Another address has its own budget.
        Http.Response other = get("/api/v1/instance", "203.0.113.8", null);
        assertThat(other.status()).isEqualTo(200);
        assertThat(remaining(other)).isEqualTo(4);
        // Pages outside the API are not counted.
        Http.Response health = get("/health", "203.0.113.7", null);
        assertThat(health.status()).isEqualTo(200);
        assertNoRateLimitHeaders(health);
    }

    @Test
    void loopbackWithoutForwardingIsExempt() {
        for (int i = 0; i < 12; i++) {
            Http.Response r = get("/api/v1/instance", null, null);
            assertThat(r.status()).isEqualTo(200);
            assertNoRateLimitHeaders(r);
        }
        String token = server.token("alice", "read");
        for (int i = 0; i < 8; i++) {
            Http.Response r = get("/api/v1/accounts/verify_credentials", null, token);
            assertThat(r.status()).isEqualTo(200);
            assertNoRateLimitHeaders(r);
        }
    }

    @Test
    void trustedProxyHopsAreSkipped() {
        // The proxy appended itself: the client is the address before it.
        Http.Response first = get("/api/v1/instance", "198.51.100.9, 127.0.0.1", null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(remaining(first)).isEqualTo(4);
        Http.Response second = get("/api/v1/instance", "198.51.100.9", null);
        assertThat(remaining(second)).as("the same client").isEqualTo(3);
        // A client cannot choose its address by sending its own X-Forwarded-For: the address the
        // trusted proxy saw (the last one) is the one counted.
        Http.Response spoofed = get("/api/v1/instance", "192.0.2.200, 198.51.100.10", null);
        assertThat(remaining(spoofed)).isEqualTo(4);
        Http.Response again = get("/api/v1/instance", "192.0.2.201, 198.51.100.10", null);
        assertThat(remaining(again)).as("counted as 198.51.100.10 both times").isEqualTo(3);
        // IPv6 clients are counted too.
        assertThat(remaining(get("/api/v1/instance", "2001:db8::7", null))).isEqualTo(4);
        assertThat(remaining(get("/api/v1/instance", "2001:db8:0:0::7", null))).as("the same address").isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------
    // API requests by token

    @Test
    void tokensHaveTheirOwnBudgets() {
        String alice = server.token("alice", "read");
        String bob = server.token("bob", "read");
        String ip = "203.0.113.20";
        for (int i = 1; i <= 3; i++) {
            assertThat(remaining(get("/api/v1/accounts/verify_credentials", ip, alice))).isEqualTo(5 - i);
        }
        // The token's budget follows it to another address.
        assertThat(remaining(get("/api/v1/accounts/verify_credentials", "203.0.113.21", alice))).isEqualTo(1);
        assertThat(remaining(get("/api/v1/accounts/verify_credentials", ip, alice))).isEqualTo(0);
        assertTooMany(get("/api/v1/accounts/verify_credentials", ip, alice));

        // Another token from the same address is counted apart ...
        Http.Response other = get("/api/v1/accounts/verify_credentials", ip, bob);
        assertThat(other.status()).isEqualTo(200);
        assertThat(remaining(other)).isEqualTo(4);
        // ... and so is the address itself, for requests without a token.
        Http.Response anonymous = get("/api/v1/instance", ip, null);
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(remaining(anonymous)).isEqualTo(4);
        // An unknown token is no token: it is counted by address.
        assertThat(remaining(get("/api/v1/instance", ip, "not-a-real-token"))).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------
    // Sign-ups

    @Test
    void signUpsPerAddressAreLimited() {
        String appToken = appToken();
        String ip = "192.0.2.50";
        for (int i = 1; i <= 2; i++) {
            Http.Response r = signUp(appToken, ip, "signup" + i);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
        Http.Response third = signUp(appToken, ip, "signup3");
        assertTooMany(third);
        assertThat(third.header("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=signup3").status()).isEqualTo(404);
        // Another address may still sign up.
        assertThat(signUp(appToken, "192.0.2.51", "signup4").status()).isEqualTo(200);
    }

    static Http.Response signUp(String appToken, String forwardedFor, String username) {
        return server.http.send(server.http.request("/api/v1/accounts")
                .header("X-Forwarded-For", forwardedFor)
                .header("Authorization", "Bearer " + appToken)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Http.form(Http.fields(
                        "username", username, "email", username + "@example.com",
                        "password", "correct horse battery", "agreement", "true", "locale", "en"))))
                .build());
    }

    /** A client_credentials token, fetched from loopback (exempt) so that no address budget is spent. */
    static String appToken() {
        Http.Response app = server.http.postJson("/api/v1/apps", null,
                "{\"client_name\":\"limits\",\"redirect_uris\":\"urn:ietf:wg:oauth:2.0:oob\",\"scopes\":\"read write\"}");
        Http.Response token = server.http.postForm("/oauth/token", null, Http.fields(
                "grant_type", "client_credentials",
                "client_id", app.json().path("client_id").asString(),
                "client_secret", app.json().path("client_secret").asString(),
                "scope", "read write"));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().path("access_token").asString();
    }

    // ---------------------------------------------------------------------------------------------
    // Without TRUSTED_PROXY_IP, X-Forwarded-For means nothing.

    @Nested
    class WithoutTrustedProxy {
        static TestServer direct;

        @BeforeAll
        static void start() {
            direct = TestServer.start(Map.of(
                    "CARAVAN_RATE_LIMIT_API", "5",
                    "CARAVAN_RATE_LIMIT_API_PERIOD", LONG_PERIOD));
        }

        @AfterAll
        static void stop() {
            direct.close();
        }

        @Test
        void forwardedForIsIgnoredAndLoopbackIsExempt() {
            for (int i = 0; i < 8; i++) {
                Http.Response r = get(direct, "/api/v1/instance", "203.0.113.7", null);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertNoRateLimitHeaders(r);
            }
        }
    }
}
