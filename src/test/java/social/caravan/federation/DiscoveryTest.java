package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * How other servers and tools find this one: WebFinger, host-meta, NodeInfo, the health check,
 * the Prometheus endpoint (guarded on the main port, open on its own port), and the default
 * avatar every account points to.
 */
class DiscoveryTest {
    static final String METRICS_TOKEN = "scrape-secret-42";
    static TestServer server;
    static String domain;
    static int metricsPort;
    static final List<String> USERS = List.of("alice", "bob", "carol");

    @BeforeAll
    static void start() {
        metricsPort = freePort();
        server = TestServer.start(Map.of(
                "CARAVAN_METRICS_TOKEN", METRICS_TOKEN,
                "CARAVAN_METRICS_PORT", Integer.toString(metricsPort)));
        domain = server.baseUrl.substring("http://".length());
        USERS.forEach(server::createAccount);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Http.Response webfinger(String resource) {
        return server.http.get("/.well-known/webfinger?resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------
    // WebFinger and host-meta

    @Test
    void webfingerFindsLocalAccountsByEveryName() {
        String profile = server.baseUrl + "/@alice";
        String actor = server.baseUrl + "/users/alice";
        for (String resource : List.of("acct:alice@" + domain, "alice@" + domain, "acct:ALICE@" + domain.toUpperCase(),
                profile, actor)) {
            Http.Response r = webfinger(resource);
            assertThat(r.status()).as("%s: %s", resource, r).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("application/jrd+json");
            JsonNode jrd = r.json();
            assertThat(jrd.path("subject").asString()).isEqualTo("acct:alice@" + domain);
            List<String> aliases = jrd.path("aliases").valueStream().map(JsonNode::asString).toList();
            assertThat(aliases).containsExactlyInAnyOrder(profile, actor);
            JsonNode self = jrd.path("links").valueStream()
                    .filter(link -> link.path("rel").asString().equals("self")).findFirst().orElseThrow();
            assertThat(self.path("type").asString()).isEqualTo("application/activity+json");
            assertThat(self.path("href").asString()).isEqualTo(actor);
            JsonNode page = jrd.path("links").valueStream()
                    .filter(link -> link.path("rel").asString().equals("http://webfinger.net/rel/profile-page"))
                    .findFirst().orElseThrow();
            assertThat(page.path("href").asString()).isEqualTo(profile);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        }
    }

    @Test
    void webfingerMisses() {
        for (String resource : List.of("acct:nobody@" + domain, "acct:alice@other.example",
                "https://other.example/users/alice", server.baseUrl + "/users/nobody", "acct:alice")) {
            Http.Response r = webfinger(resource);
            assertThat(r.status()).as("%s: %s", resource, r).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(r.json().path("error").asString()).isNotBlank();
        }
        Http.Response missing = server.http.get("/.well-known/webfinger");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("error").asString()).isNotBlank();
        assertThat(server.http.get("/.well-known/webfinger?resource=").status()).isEqualTo(400);
    }

    @Test
    void hostMetaPointsToWebfinger() {
        Http.Response r = server.http.get("/.well-known/host-meta");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/xrd+xml");
        assertThat(r.body()).startsWith("<?xml");
        assertThat(r.body()).contains("<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">");
        assertThat(r.body()).contains("rel=\"lrdd\"");
        assertThat(r.body()).contains("template=\"" + server.baseUrl + "/.well-known/webfinger?resource={uri}\"");
    }

    // ---------------------------------------------------------------------------------------------
    // NodeInfo

    @Test
    void nodeinfoLinksToBothVersions() {
        Http.Response r = server.http.get("/.well-known/nodeinfo");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        Map<String, String> links = new java.util.HashMap<>();
        r.json().path("links").forEach(link -> links.put(link.path("rel").asString(), link.path("href").asString()));
        assertThat(links).containsEntry("http://nodeinfo.diaspora.software/ns/schema/2.0", server.baseUrl + "/nodeinfo/2.0")
                .containsEntry("http://nodeinfo.diaspora.software/ns/schema/2.1", server.baseUrl + "/nodeinfo/2.1");
        for (String href : links.values()) {
            Http.Response doc = server.http.get(href);
            assertThat(doc.status()).as(href).isEqualTo(200);
            assertThat(doc.header("Content-Type")).startsWith("application/json");
        }
    }

    @Test
    void nodeinfoDocumentsDescribeTheServer() {
        long accounts = server.app.accounts().countLocalUsers();
        assertThat(accounts).isEqualTo(USERS.size());
        for (String version : List.of("2.0", "2.1")) {
            Http.Response r = server.http.get("/nodeinfo/" + version);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).contains("profile=\"http://nodeinfo.diaspora.software/ns/schema/" + version + "#\"");
            JsonNode doc = r.json();
            assertThat(doc.path("version").asString()).isEqualTo(version);
            assertThat(doc.path("software").path("name").asString()).isEqualTo("caravan");
            assertThat(doc.path("software").path("name").asString()).matches("[a-z0-9-]+");
            assertThat(doc.path("software").path("version").asString()).isNotBlank();
            assertThat(doc.path("protocols").valueStream().map(JsonNode::asString).toList()).containsExactly("activitypub");
            assertThat(doc.path("services").path("inbound").isArray()).isTrue();
            assertThat(doc.path("services").path("outbound").isArray()).isTrue();
            assertThat(doc.path("usage").path("users").path("total").asLong()).isEqualTo(USERS.size());
            assertThat(doc.path("usage").path("localPosts").isNumber()).isTrue();
            assertThat(doc.path("openRegistrations").isBoolean()).isTrue();
            assertThat(doc.path("openRegistrations").asBoolean()).isTrue();
            assertThat(doc.path("metadata").isObject()).isTrue();
            assertThat(doc.path("metadata").path("upstream").path("name").asString()).isEqualTo("mastodon");
            if (version.equals("2.1")) {
                assertThat(doc.path("software").path("repository").asString()).startsWith("https://");
            } else {
                assertThat(doc.path("software").has("repository")).as("2.0 has no software.repository").isFalse();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Health and metrics

    @Test
    void healthIsOk() {
        Http.Response r = server.http.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("OK");
        assertThat(r.header("Content-Type")).startsWith("text/plain");
    }

    @Test
    void metricsOnTheMainPortNeedTheToken() {
        Http.Response none = server.http.get("/metrics");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body()).doesNotContain("http_server_requests");
        Http.Response wrong = server.http.get("/metrics", "not-the-token");
        assertThat(wrong.status()).isEqualTo(404);
        assertThat(wrong.body()).doesNotContain("http_server_requests");
        Http.Response prefix = server.http.get("/metrics", METRICS_TOKEN + "x");
        assertThat(prefix.status()).isEqualTo(404);

        server.http.get("/api/v1/instance"); // at least one recorded request
        Http.Response right = server.http.get("/metrics", METRICS_TOKEN);
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.header("Content-Type")).startsWith("text/plain");
        assertThat(right.body()).contains("http_server_requests");
        assertThat(right.body()).contains("jvm_memory");
    }

    @Test
    void metricsOnTheirOwnPortNeedNoToken() {
        Http metrics = new Http("http://127.0.0.1:" + metricsPort);
        server.http.get("/health");
        Http.Response r = metrics.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).contains("http_server_requests");
        // ... while the main port still refuses a request without the token.
        assertThat(server.http.get("/metrics").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------
    // Default images

    @Test
    void defaultAvatarAndHeaderArePngs() throws Exception {
        JsonNode account = server.http.get("/api/v1/accounts/lookup?acct=alice").json();
        HttpClient client = HttpClient.newHttpClient();
        for (String field : List.of("avatar", "avatar_static", "header", "header_static")) {
            String url = account.path(field).asString();
            assertThat(url).as(field).startsWith(server.baseUrl + "/");
            HttpResponse<byte[]> image = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(image.statusCode()).as(url).isEqualTo(200);
            assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
            byte[] body = image.body();
            assertThat(body.length).isGreaterThan(8);
            assertThat(java.util.Arrays.copyOf(body, 8))
                    .as("PNG signature of %s", url)
                    .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(body))).as(url).isNotNull();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Without a metrics token, /metrics does not exist on the main port.

    @Nested
    class WithoutMetricsToken {
        static TestServer plain;

        @BeforeAll
        static void start() {
            plain = TestServer.start(Map.of("CARAVAN_REGISTRATIONS", "closed"));
        }

        @AfterAll
        static void stop() {
            plain.close();
        }

        @Test
        void metricsAreNotFound() {
            assertThat(plain.http.get("/metrics").status()).isEqualTo(404);
            assertThat(plain.http.get("/metrics", "anything").status()).isEqualTo(404);
            assertThat(plain.http.get("/metrics", "").status()).isEqualTo(404);
        }

        @Test
        void nodeinfoSaysRegistrationsAreClosed() {
            for (String version : List.of("2.0", "2.1")) {
                JsonNode doc = plain.http.get("/nodeinfo/" + version).json();
                assertThat(doc.path("openRegistrations").asBoolean()).isFalse();
                assertThat(doc.path("usage").path("users").path("total").asLong()).isZero();
            }
        }
    }
}
