package social.caravan.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.App;
import social.caravan.auth.AuthService;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.StreamSocket;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * The streaming API in one process running every role (events stay in-process): authentication,
 * bad input, each stream and event, what each viewer may receive, slow readers, revoked tokens,
 * EventSource and metrics.
 */
class StreamingApiTest {
    static TestServer server;
    static final String METRICS_TOKEN = "metrics-secret";

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("CARAVAN_METRICS_TOKEN", METRICS_TOKEN),
                EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER, App.ProcessRole.STREAMING));
        for (String name : new String[] {"ann", "ben", "cat", "dan", "eve"}) {
            server.createAccount(name);
        }
        follow("ann", "ben");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String token(String name) {
        return server.token(name, "read write follow");
    }

    static long id(String name) {
        return server.app.accounts().findLocal(name).orElseThrow().id();
    }

    static void follow(String follower, String target) {
        assertThat(server.http.postJson("/api/v1/accounts/" + id(target) + "/follow", token(follower), "{}").status()).isEqualTo(200);
    }

    static String post(String author, Map<String, Object> body) {
        Http.Response r = server.http.postJson("/api/v1/statuses", token(author), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static String post(String author, String text) {
        return post(author, Map.of("status", text));
    }

    static void awaitListening(String channel) {
        awaitListening(server, channel);
    }

    /** Until a streaming node of {@code on}'s database registered {@code channel} on the bus. */
    static void awaitListening(TestServer on, String channel) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (on.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM streaming_channels WHERE channel = :c").bind("c", channel).mapTo(Integer.class).one()) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(channel + " not registered");
            }
            Thread.onSpinWait();
        }
    }

    static String payloadId(JsonNode message) {
        return Json.read(message.path("payload").asString()).path("id").asString();
    }

    static List<String> updateIds(List<JsonNode> messages) {
        List<String> ids = new ArrayList<>();
        messages.stream().filter(m -> m.path("event").asString().equals("update")).forEach(m -> ids.add(payloadId(m)));
        return ids;
    }

    // Authentication and bad input

    @Test
    void theTokenAsSubprotocolIsEchoedAndHealthAnswers() {
        String token = token("ann");
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, token)) {
            assertThat(socket.subprotocol).isEqualTo(token);
        }
        Http.Response health = server.http.get("/api/v1/streaming/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
    }

    @Test
    void socketsNeedALiveTokenOfAnAccount() {
        assertThat(handshakeStatus("")).isEqualTo(401);
        assertThat(handshakeStatus("?access_token=not-a-token")).isEqualTo(401);
        AuthService.IssuedToken appOnly = server.app.auth().issueToken(
                server.app.auth().registerApp("tool", List.of("urn:ietf:wg:oauth:2.0:oob"), Set.of("read"), null).app().id(),
                OptionalLong.empty(), Set.of("read"));
        assertThat(handshakeStatus("?access_token=" + appOnly.accessToken())).isEqualTo(401);
        try (StreamSocket socket = StreamSocket.withHeader(server.baseUrl, token("ann"))) {
            socket.subscribe("user");
            awaitListening("timeline:" + id("ann"));
        }
    }

    private static int handshakeStatus(String query) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> StreamSocket.withQuery(server.baseUrl, query));
        assertThat(failure).isInstanceOf(CompletionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode();
    }

    @Test
    void eventSourceAnswersMastodonsStatusesAndMessages() {
        Http.Response missing = server.http.get("/api/v1/streaming/user");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().path("error").asString()).isEqualTo("Missing access token");
        Http.Response invalid = server.http.get("/api/v1/streaming/user?access_token=nope");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.json().path("error").asString()).isEqualTo("Invalid access token");
        Http.Response scopes = server.http.get("/api/v1/streaming/user", server.token("ann", "write"));
        assertThat(scopes.status()).isEqualTo(401);
        assertThat(scopes.json().path("error").asString()).isEqualTo("Access token does not have the required scopes");
        Http.Response unknown = server.http.get("/api/v1/streaming/everything", token("ann"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").asString()).isEqualTo("Unknown channel requested");
        Http.Response noTag = server.http.get("/api/v1/streaming/hashtag", token("ann"));
        assertThat(noTag.status()).isEqualTo(400);
        assertThat(noTag.json().path("error").asString()).isEqualTo("Missing tag name parameter");
    }

    @Test
    void badSubscribeMessagesGetAnErrorOnTheSocket() {
        long othersList = server.http.postJson("/api/v1/lists", token("ben"), "{\"title\":\"mine\"}").json().path("id").asLong();
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, server.token("ann", "read:statuses"))) {
            socket.subscribe("everything");
            assertError(socket.await(m -> m.has("error")), "Unknown stream type", 400);
            socket.send("{\"type\":\"subscribe\"}");
            assertError(socket.await(m -> m.has("error")), "Unknown stream type", 400);
            socket.subscribe("hashtag");
            assertError(socket.await(m -> m.has("error")), "Missing tag name parameter", 400);
            socket.subscribe("list");
            assertError(socket.await(m -> m.has("error")), "Missing list name parameter", 400);
            socket.send("{\"type\":\"subscribe\",\"stream\":\"list\",\"list\":\"" + othersList + "\"}");
            assertError(socket.await(m -> m.has("error")), "Not authorized to stream this list", 401);
            socket.subscribe("user:notification");
            assertError(socket.await(m -> m.has("error")), "Access token does not have the required scopes", 401);
            socket.send("{not json");
            assertError(socket.await(m -> m.has("error")), "Malformed message: expected JSON", 400);
            socket.send("{\"type\":\"listen\",\"stream\":\"user\"}");
            assertError(socket.await(m -> m.has("error")), "Unknown message type: expected subscribe or unsubscribe", 400);
            // Still open and working after all of that.
            socket.subscribe("public");
            awaitListening("timeline:public");
            String id = post("eve", "still listening");
            assertThat(payloadId(socket.awaitEvent("public", "update"))).isEqualTo(id);
        }
    }

    private static void assertError(JsonNode message, String error, int status) {
        assertThat(message.path("error").asString()).isEqualTo(error);
        assertThat(message.path("status").asInt()).isEqualTo(status);
    }

    // What each viewer receives

    @Test
    void privatePostsReachFollowersOnlyAndNeverPublicStreams() {
        try (StreamSocket follower = StreamSocket.open(server.baseUrl, token("ann"));
             StreamSocket stranger = StreamSocket.open(server.baseUrl, token("cat"))) {
            follower.subscribe("user");
            stranger.subscribe("public");
            stranger.subscribe("user");
            awaitListening("timeline:" + id("ann"));
            awaitListening("timeline:" + id("cat"));
            awaitListening("timeline:public");
            String secret = post("ben", Map.of("status", "followers only", "visibility", "private"));
            String open = post("ben", "everyone");
            JsonNode update = follower.await(m -> m.path("event").asString().equals("update") && payloadId(m).equals(secret));
            MastodonSchemas.assertValid("Status", Json.read(update.path("payload").asString()));
            assertThat(payloadId(stranger.awaitEvent("public", "update"))).isEqualTo(open);
            assertThat(updateIds(stranger.drain(Duration.ofMillis(800)))).doesNotContain(secret);
        }
    }

    @Test
    void blocksMutesAndFiltersApplyToEachViewer() {
        server.http.postJson("/api/v1/accounts/" + id("dan") + "/block", token("cat"), "{}");
        server.http.postJson("/api/v1/accounts/" + id("dan") + "/mute", token("eve"), "{}");
        Http.Response filter = server.http.postJson("/api/v2/filters", token("ben"), Json.write(Map.of(
                "title", "spoilers", "context", List.of("public"), "filter_action", "warn",
                "keywords_attributes", List.of(Map.of("keyword", "finale")))));
        assertThat(filter.status()).as(filter.body()).isEqualTo(200);
        server.http.postJson("/api/v2/filters", token("ann"), Json.write(Map.of(
                "title", "no finales", "context", List.of("public"), "filter_action", "hide",
                "keywords_attributes", List.of(Map.of("keyword", "finale")))));
        try (StreamSocket cat = StreamSocket.open(server.baseUrl, token("cat"));
             StreamSocket eve = StreamSocket.open(server.baseUrl, token("eve"));
             StreamSocket ben = StreamSocket.open(server.baseUrl, token("ben"));
             StreamSocket ann = StreamSocket.open(server.baseUrl, token("ann"))) {
            for (StreamSocket s : List.of(cat, eve, ben, ann)) {
                s.subscribe("public:local");
            }
            awaitListening("timeline:public:local");
            String blocked = post("dan", "the finale was great");
            String marker = post("ann", "after that");
            for (StreamSocket s : List.of(cat, eve)) {
                List<String> got = new ArrayList<>();
                while (!got.contains(marker)) {
                    got.add(payloadId(s.awaitEvent("public:local", "update")));
                }
                assertThat(got).as("blocked or muted author").doesNotContain(blocked);
            }
            JsonNode warned = Json.read(ben.awaitEvent("public:local", "update").path("payload").asString());
            assertThat(warned.path("id").asString()).isEqualTo(blocked);
            assertThat(warned.path("filtered").get(0).path("filter").path("title").asString()).isEqualTo("spoilers");
            assertThat(warned.path("filtered").get(0).path("keyword_matches").get(0).asString()).isEqualTo("finale");
            MastodonSchemas.assertValid("Status", warned);
            assertThat(payloadId(ann.awaitEvent("public:local", "update"))).as("hidden by ann's filter").isEqualTo(marker);
        }
    }

    @Test
    void filtersChangedStatusUpdatesAndListsReachTheirStreams() {
        long list = server.http.postJson("/api/v1/lists", token("ann"), "{\"title\":\"friends\"}").json().path("id").asLong();
        server.http.postJson("/api/v1/lists/" + list + "/accounts", token("ann"), "{\"account_ids\":[\"" + id("ben") + "\"]}");
        try (StreamSocket ann = StreamSocket.open(server.baseUrl, token("ann"))) {
            ann.subscribe("user");
            ann.send("{\"type\":\"subscribe\",\"stream\":\"list\",\"list\":\"" + list + "\"}");
            awaitListening("timeline:list:" + list);
            awaitListening("timeline:" + id("ann"));
            server.http.postJson("/api/v2/filters", token("ann"), Json.write(Map.of("title", "t", "context", List.of("home"))));
            JsonNode changed = ann.awaitEvent("user", "filters_changed");
            assertThat(changed.has("payload")).isFalse();

            String id = post("ben", "for my list");
            JsonNode onList = ann.awaitEvent("list", "update");
            assertThat(onList.path("stream").get(1).asString()).isEqualTo(Long.toString(list));
            assertThat(payloadId(onList)).isEqualTo(id);
            Http.Response edit = server.http.send(server.http.request("/api/v1/statuses/" + id)
                    .header("Authorization", "Bearer " + token("ben")).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"status\":\"for my list, edited\"}")).build());
            assertThat(edit.status()).isEqualTo(200);
            JsonNode updated = Json.read(ann.awaitEvent("user", "status.update").path("payload").asString());
            assertThat(updated.path("content").asString()).contains("edited");
            MastodonSchemas.assertValid("Status", updated);
        }
    }

    @Test
    void conversationsAndAnnouncementsReachTheirStreams() {
        try (StreamSocket dan = StreamSocket.open(server.baseUrl, token("dan"))) {
            dan.subscribe("direct");
            dan.subscribe("user");
            awaitListening("timeline:direct:" + id("dan"));
            awaitListening("timeline:announcements");
            post("eve", Map.of("status", "@dan just between us", "visibility", "direct"));
            JsonNode conversation = Json.read(dan.awaitEvent("direct", "conversation").path("payload").asString());
            MastodonSchemas.assertValid("Conversation", conversation);
            assertThat(conversation.path("last_status").path("content").asString()).contains("just between us");

            long announcement = server.app.announcements().add("Maintenance tonight", null, null, false);
            JsonNode shown = Json.read(dan.awaitEvent("user", "announcement").path("payload").asString());
            MastodonSchemas.assertValid("Announcement", shown);
            assertThat(shown.path("id").asString()).isEqualTo(Long.toString(announcement));
            Http.Response react = server.http.send(server.http.request("/api/v1/announcements/" + announcement + "/reactions/"
                            + java.net.URLEncoder.encode("👍", StandardCharsets.UTF_8))
                    .header("Authorization", "Bearer " + token("eve")).PUT(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(react.status()).as(react.body()).isEqualTo(200);
            JsonNode reaction = Json.read(dan.awaitEvent("user", "announcement.reaction").path("payload").asString());
            assertThat(reaction.path("name").asString()).isEqualTo("👍");
            assertThat(reaction.path("count").asInt()).isEqualTo(1);
            assertThat(reaction.path("announcement_id").asString()).isEqualTo(Long.toString(announcement));
            server.app.announcements().remove(announcement);
            assertThat(dan.awaitEvent("user", "announcement.delete").path("payload").asString())
                    .isEqualTo(Long.toString(announcement));
        }
    }

    @Test
    void userNotificationStreamCarriesOnlyNotifications() {
        try (StreamSocket ann = StreamSocket.open(server.baseUrl, token("ann"))) {
            ann.subscribe("user:notification");
            awaitListening("timeline:" + id("ann") + ":notifications");
            String id = post("ben", "@ann ping");
            JsonNode n = ann.awaitEvent("user:notification", "notification");
            assertThat(Json.read(n.path("payload").asString()).path("status").path("id").asString()).isEqualTo(id);
            assertThat(ann.drain(Duration.ofMillis(500))).noneMatch(m -> m.path("event").asString().equals("update"));
        }
    }

    @Test
    void filteredNotificationsStayOffTheStreamAndAcceptingTheirRequestSaysMerged() {
        String dan = token("dan");
        assertThat(server.http.patchJson("/api/v2/notifications/policy", dan, "{\"for_not_following\":\"filter\"}")
                .status()).isEqualTo(200);
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, dan)) {
            socket.subscribe("user:notification");
            awaitListening("timeline:" + id("dan") + ":notifications");
            post("eve", "@dan a stranger says hello");
            assertThat(socket.drain(Duration.ofMillis(500))).noneMatch(m -> m.path("event").asString().equals("notification"));
            String request = server.http.get("/api/v1/notifications/requests", dan).json().get(0).path("id").asString();
            assertThat(server.http.postJson("/api/v1/notifications/requests/" + request + "/accept", dan, "{}").status())
                    .isEqualTo(200);
            JsonNode merged = socket.awaitEvent("user:notification", "notifications_merged");
            assertThat(merged.path("payload").asString()).isEqualTo("1");
        }
    }

    // Connections

    @Test
    void aReaderThatNeverReadsDoesNotDelayTheOthers() throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", URI.create(server.baseUrl).getPort()));
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /api/v1/streaming?stream=public&access_token=" + token("cat") + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read the handshake answer only; after it, never read again.
            InputStream in = stalled.getInputStream();
            String status = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
            assertThat(status).contains("101");
            awaitListening("timeline:public");
            try (StreamSocket reader = StreamSocket.open(server.baseUrl, token("eve"))) {
                reader.subscribe("public");
                awaitListening("timeline:public");
                Thread.sleep(200);
                List<String> posted = new ArrayList<>();
                String filler = "a long post to fill buffers ".repeat(17);
                for (int i = 0; i < 40; i++) {
                    posted.add(post("ben", filler + i));
                }
                List<String> got = new ArrayList<>();
                while (got.size() < posted.size()) {
                    got.add(payloadId(reader.awaitEvent("public", "update")));
                }
                assertThat(got).containsExactlyElementsOf(posted);
            }
        }
    }

    @Test
    void revokingATokenClosesItsSocketsAndEventStreams() throws Exception {
        AuthService.RegisteredApp client = server.app.auth().registerApp("revoker", List.of("urn:ietf:wg:oauth:2.0:oob"),
                Set.of("read"), null);
        String token = server.app.auth().issueToken(client.app().id(), OptionalLong.of(id("dan")), Set.of("read")).accessToken();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(
                URI.create(server.baseUrl + "/api/v1/streaming/public?access_token=" + token)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        BufferedReader lines = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isEqualTo(":)");
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, token)) {
            socket.subscribe("public");
            awaitListening("timeline:public");
            String id = post("eve", "over event source");
            assertThat(lines.readLine()).isEqualTo("event: update");
            String data = lines.readLine();
            assertThat(data).startsWith("data: ");
            assertThat(Json.read(data.substring(6)).path("id").asString()).isEqualTo(id);
            assertThat(payloadId(socket.awaitEvent("public", "update"))).isEqualTo(id);

            Http.Response revoked = server.http.postForm("/oauth/revoke", null, Http.fields(
                    "client_id", client.app().clientId(), "client_secret", client.clientSecret(), "token", token));
            assertThat(revoked.status()).isEqualTo(200);
            assertThat(socket.awaitClosed()).isEqualTo(1000);
            String rest;
            do {
                rest = lines.readLine();
            } while (rest != null);
        }
        assertThat(handshakeStatus("?access_token=" + token)).isEqualTo(401);
    }

    @Test
    void metricsCountClientsChannelsAndMessages() {
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, token("eve"))) {
            socket.subscribe("public:remote");
            socket.subscribe("public:local");
            awaitListening("timeline:public:remote");
            awaitListening("timeline:public:local");
            post("eve", "counted");
            socket.awaitEvent("public:local", "update");
            Http.Response metrics = server.http.get("/metrics", METRICS_TOKEN);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(value(metrics.body(), "caravan_streaming_connected_clients{type=\"websocket\"}")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics.body(), "caravan_streaming_connected_channels{channel=\"public:remote\",type=\"websocket\"}"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(value(metrics.body(), "caravan_streaming_messages_sent_total{type=\"websocket\"}")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics.body(), "caravan_streaming_bus_channels")).isGreaterThanOrEqualTo(2);
        }
    }

    private static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in /metrics"));
    }
}
