package social.caravan.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import social.caravan.App;
import social.caravan.core.json.Json;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.NodeScripts;
import social.caravan.support.StreamSocket;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * One web node (with the worker) and two streaming nodes on one database, as the hosting runs
 * them; subclasses choose the bus between processes (PostgreSQL NOTIFY or Redis pub/sub).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StreamingClusterTest {
    TestServer web;
    TestServer first;
    TestServer second;

    /** The bus settings every node gets. */
    abstract Map<String, String> busEnv();

    @BeforeAll
    void start() {
        // megalodon finds the streaming node through urls.streaming_api: the second node's address.
        int secondPort = TestServer.freePort();
        Map<String, String> webEnv = new HashMap<>(busEnv());
        webEnv.put("STREAMING_API_BASE_URL", "ws://127.0.0.1:" + secondPort);
        web = TestServer.start(webEnv, EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER));
        first = TestServer.join(web, busEnv(), EnumSet.of(App.ProcessRole.STREAMING));
        Map<String, String> secondEnv = new HashMap<>(busEnv());
        secondEnv.put("PORT", Integer.toString(secondPort));
        second = TestServer.join(web, secondEnv, EnumSet.of(App.ProcessRole.STREAMING));
        for (String name : new String[] {"ann", "ben", "cat", "dan"}) {
            web.createAccount(name);
        }
        follow("ann", "ben");
        follow("dan", "ben");
    }

    @AfterAll
    void stop() {
        second.close();
        first.close();
        web.close();
    }

    String token(String name) {
        return web.token(name, "read write follow");
    }

    void follow(String follower, String target) {
        String id = web.http.get("/api/v1/accounts/lookup?acct=" + target).json().path("id").asString();
        assertThat(web.http.postJson("/api/v1/accounts/" + id + "/follow", token(follower), "{}").status()).isEqualTo(200);
    }

    String post(String author, String text) {
        var r = web.http.postJson("/api/v1/statuses", token(author), Json.write(Map.of("status", text)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    /** Waits until {@code nodes} streaming nodes registered {@code channel}, so a publisher will see them. */
    void awaitListening(String channel, int nodes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (registered(channel) < nodes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(channel + " not registered by " + nodes + " node(s)");
            }
            Thread.onSpinWait();
        }
    }

    long accountId(String name) {
        return web.app.accounts().findLocal(name).orElseThrow().id();
    }

    @Test
    void aPostReachesSubscribersOnBothStreamingNodes() {
        try (StreamSocket annHome = StreamSocket.open(first.baseUrl, token("ann"));
             StreamSocket danHome = StreamSocket.open(second.baseUrl, token("dan"));
             StreamSocket catPublic = StreamSocket.open(second.baseUrl, token("cat"));
             StreamSocket catTag = StreamSocket.open(first.baseUrl, token("cat"))) {
            annHome.subscribe("user");
            danHome.subscribe("user");
            catPublic.subscribe("public:local");
            catTag.send("{\"type\":\"subscribe\",\"stream\":\"hashtag\",\"tag\":\"Caravan\"}");
            awaitListening("timeline:" + accountId("ann"), 1);
            awaitListening("timeline:" + accountId("dan"), 1);
            awaitListening("timeline:public:local", 1);
            awaitListening("timeline:hashtag:caravan", 1);

            String id = post("ben", "on the road again #caravan");

            for (StreamSocket home : new StreamSocket[] {annHome, danHome}) {
                JsonNode update = home.awaitEvent("user", "update");
                JsonNode status = Json.read(update.path("payload").asString());
                assertThat(status.path("id").asString()).isEqualTo(id);
                MastodonSchemas.assertValid("Status", status);
            }
            JsonNode local = catPublic.awaitEvent("public:local", "update");
            assertThat(Json.read(local.path("payload").asString()).path("id").asString()).isEqualTo(id);
            JsonNode tagged = catTag.awaitEvent("hashtag", "update");
            assertThat(tagged.path("stream").get(1).asString()).isEqualTo("Caravan");
            assertThat(Json.read(tagged.path("payload").asString()).path("content").asString()).contains("on the road again");
        }
    }

    @Test
    void notificationsAndDeletesReachTheUserStream() {
        try (StreamSocket annHome = StreamSocket.open(second.baseUrl, token("ann"))) {
            annHome.subscribe("user");
            awaitListening("timeline:" + accountId("ann") + ":notifications", 1);
            String id = post("ben", "@ann did you see the map?");
            JsonNode notification = Json.read(annHome.awaitEvent("user", "notification").path("payload").asString());
            MastodonSchemas.assertValid("Notification", notification);
            assertThat(notification.path("type").asString()).isEqualTo("mention");
            assertThat(notification.path("status").path("id").asString()).isEqualTo(id);

            assertThat(web.http.send(web.http.request("/api/v1/statuses/" + id)
                    .header("Authorization", "Bearer " + token("ben")).DELETE().build()).status()).isEqualTo(200);
            assertThat(annHome.awaitEvent("user", "delete").path("payload").asString()).isEqualTo(id);
        }
    }

    @Test
    void aNodeThatStopsLeavesTheRegistryAndClosesItsSockets() {
        TestServer third = TestServer.join(web, busEnv(), EnumSet.of(App.ProcessRole.STREAMING));
        try (StreamSocket socket = StreamSocket.open(third.baseUrl, token("cat"))) {
            socket.subscribe("public:remote");
            awaitListening("timeline:public:remote", 1);
            third.close();
            assertThat(registered("timeline:public:remote")).isZero();
            assertThat(socket.awaitClosed()).isPositive();
        }
    }

    int registered(String channel) {
        return web.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM streaming_channels WHERE channel = :c").bind("c", channel).mapTo(Integer.class).one());
    }

    @Test
    void mastoJsStreamingClientReceivesUpdateNotificationAndDelete() {
        String out = NodeScripts.run("masto-streaming.mjs", Map.of(
                "CARAVAN_URL", web.baseUrl,
                "CARAVAN_STREAMING_URL", first.baseUrl.replaceFirst("^http", "ws"),
                "CARAVAN_TOKEN_A", token("ann"),
                "CARAVAN_TOKEN_B", token("ben")), Duration.ofMinutes(2));
        JsonNode seen = Json.read(out.strip());
        assertThat(seen.path("seen").path("updates").toString()).contains(seen.path("post").asString());
        assertThat(seen.path("seen").path("notifications").toString())
                .contains("\"type\":\"mention\"").contains(seen.path("mention").asString());
        assertThat(seen.path("seen").path("deletes").toString()).contains(seen.path("post").asString());
    }

    @Test
    void megalodonUserStreamReceivesUpdateNotificationAndDelete() {
        String out = NodeScripts.run("megalodon-streaming.mjs", Map.of(
                "CARAVAN_URL", web.baseUrl,
                "CARAVAN_TOKEN_A", token("ann"),
                "CARAVAN_TOKEN_B", token("ben")), Duration.ofMinutes(2));
        JsonNode seen = Json.read(out.strip());
        assertThat(seen.path("seen").path("url").asString()).isEqualTo(second.baseUrl.replaceFirst("^http", "ws"));
        assertThat(seen.path("seen").path("updates").toString()).contains(seen.path("post").asString());
        assertThat(seen.path("seen").path("notifications").toString())
                .contains("\"type\":\"mention\"").contains(seen.path("mention").asString());
        assertThat(seen.path("seen").path("deletes").toString()).contains(seen.path("post").asString());
    }
}
