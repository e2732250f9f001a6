package social.caravan.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.App;
import social.caravan.core.json.Json;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.StreamSocket;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Posts that arrive from other servers reach the public streams, and their edits and deletes follow them. */
class RemoteStatusStreamsTest {
    static TestServer server;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"),
                EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER, App.ProcessRole.STREAMING));
        peer = new FakeFediverse();
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static void deliver(String user, String type, JsonNode object) {
        ObjectNode activity = Json.object();
        activity.put("@context", "https://www.w3.org/ns/activitystreams");
        activity.put("id", peer.base + "/activities/" + type + "-" + System.nanoTime());
        activity.put("type", type);
        activity.put("actor", peer.actorUri(user));
        activity.set("object", object);
        Http.Response r = server.http.send(peer.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    @Test
    void aRemotePublicPostItsEditAndItsDeleteReachTheRemoteAndFederatedStreams() {
        server.createAccount("watcher");
        peer.actor("far");
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, server.token("watcher", "read"))) {
            socket.subscribe("public:remote");
            socket.subscribe("public:local");
            StreamingApiTest.awaitListening(server, "timeline:public:remote");
            ObjectNode note = Json.object();
            note.put("id", peer.base + "/notes/far-1");
            note.put("type", "Note");
            note.put("attributedTo", peer.actorUri("far"));
            note.put("content", "<p>hello from afar</p>");
            note.put("published", "2026-11-27T03:04:05Z");
            note.withArray("to").add("https://www.w3.org/ns/activitystreams#Public");
            deliver("far", "Create", note);

            JsonNode update = socket.awaitEvent("public:remote", "update");
            JsonNode status = Json.read(update.path("payload").asString());
            assertThat(status.path("content").asString()).isEqualTo("<p>hello from afar</p>");
            assertThat(status.path("account").path("acct").asString()).isEqualTo("far@" + peer.domain);
            String id = status.path("id").asString();

            ObjectNode edited = note.deepCopy();
            edited.put("content", "<p>hello again</p>").put("updated", "2026-11-27T03:05:00Z");
            deliver("far", "Update", edited);
            JsonNode change = socket.awaitEvent("public:remote", "status.update");
            assertThat(Json.read(change.path("payload").asString()).path("content").asString()).isEqualTo("<p>hello again</p>");

            deliver("far", "Delete", Json.object().put("id", note.path("id").asString()).put("type", "Tombstone"));
            assertThat(socket.awaitEvent("public:remote", "delete").path("payload").asString()).isEqualTo(id);
            assertThat(socket.drain(java.time.Duration.ofMillis(300)))
                    .noneMatch(m -> m.path("stream").get(0).asString().equals("public:local"));
        }
    }
}
