package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.core.signatures.Keys;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.TestServer;
import tools.jackson.databind.node.ObjectNode;

/**
 * The inboxes' gate: what is refused before anything is stored (no or bad signature, a signer who is
 * not the actor, bad JSON, deep nesting, huge bodies, objects claiming another server's ids), and what
 * is answered 202 without being applied.
 */
class InboxTest {
    static TestServer server;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        peer = new FakeFediverse();
        server.createAccount("alice");
        peer.actor("remy");
        peer.actor("eve");
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static ObjectNode create(String user, String noteId, String content) {
        ObjectNode activity = Json.object();
        activity.put("@context", "https://www.w3.org/ns/activitystreams");
        activity.put("id", noteId + "/activity");
        activity.put("type", "Create");
        activity.put("actor", peer.actorUri(user));
        activity.putArray("to").add("https://www.w3.org/ns/activitystreams#Public");
        ObjectNode note = activity.putObject("object");
        note.put("id", noteId);
        note.put("type", "Note");
        note.put("attributedTo", peer.actorUri(user));
        note.put("content", content);
        note.putArray("to").add("https://www.w3.org/ns/activitystreams#Public");
        return activity;
    }

    static Http.Response post(String path, String user, String body) {
        return server.http.send(peer.signedPost(server.baseUrl + path, user, body));
    }

    static long statusCount() {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM statuses").mapTo(Long.class).one());
    }

    @Test
    void unsignedPostsAre401() {
        String body = Json.write(create("remy", peer.base + "/notes/unsigned", "<p>hi</p>"));
        HttpRequest request = server.http.request("/inbox").header("Content-Type", "application/activity+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        Http.Response r = server.http.send(request);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("Request not signed");
        assertThat(server.http.send(server.http.request("/users/alice/inbox").header("Content-Type", "application/activity+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).status()).isEqualTo(401);
    }

    @Test
    void badlySignedPostsAre401() {
        String body = Json.write(create("remy", peer.base + "/notes/forged", "<p>hi</p>"));
        Http.Response r = server.http.send(peer.signedPost(server.baseUrl + "/inbox", "remy", body,
                Keys.privateKey(Keys.generateRsa().privateKey())));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).startsWith("Verification failed");
    }

    @Test
    void anActivityWhoseActorIsNotTheSignerIs401UnlessItIsOfATypeForwardedFromItsOrigin() {
        ObjectNode follow = Json.object();
        follow.put("id", peer.base + "/follows/spoofed").put("type", "Follow").put("actor", peer.actorUri("eve"))
                .put("object", server.baseUrl + "/users/alice");
        Http.Response r = post("/inbox", "remy", Json.write(follow));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).contains("not by the activity's actor");

        // A Create is taken as forwarded, but its embedded content is never stored: the note is fetched
        // from its server, which does not serve it.
        String noteId = peer.base + "/notes/not-mine";
        Http.Response created = post("/inbox", "remy", Json.write(create("eve", noteId, "<p>spoofed</p>")));
        assertThat(created.status()).isEqualTo(202);
        Await.until("the note asked of its server", () -> peer.requests.contains("/notes/not-mine"));
        Await.until("the ingress queue idle", () -> server.app.queue().stats().stream()
                .filter(q -> q.queue().equals("ingress")).allMatch(q -> q.ready() + q.running() == 0));
        assertThat(server.app.statuses().findByUri(noteId)).isEmpty();
    }

    @Test
    void malformedOrDeeplyNestedJsonIs400() {
        assertThat(post("/inbox", "remy", "{\"type\": \"Create\",").status()).isEqualTo(400);
        assertThat(post("/inbox", "remy", "[1, 2, 3]").status()).isEqualTo(400);
        String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        Http.Response r = post("/inbox", "remy", deep);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asString()).contains("nested");
        ObjectNode nested = create("remy", peer.base + "/notes/nested", "<p>deep</p>");
        ObjectNode inner = (ObjectNode) nested.path("object");
        for (int i = 0; i < 40; i++) {
            inner = inner.putObject("x");
        }
        assertThat(post("/inbox", "remy", Json.write(nested)).status()).isEqualTo(400);
    }

    @Test
    void objectsClaimingAnotherServersIdsAre422AndNotStored() {
        long before = statusCount();
        ObjectNode activity = create("remy", "https://victim.example/notes/1", "<p>spoofed</p>");
        activity.put("id", peer.base + "/activities/spoof");
        Http.Response r = post("/inbox", "remy", Json.write(activity));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("error").asString()).startsWith("Validation failed");
        ObjectNode foreignActivityId = create("remy", peer.base + "/notes/2", "<p>x</p>");
        foreignActivityId.put("id", "https://victim.example/activities/2");
        assertThat(post("/inbox", "remy", Json.write(foreignActivityId)).status()).isEqualTo(422);
        ObjectNode attributed = create("remy", peer.base + "/notes/3", "<p>x</p>");
        ((ObjectNode) attributed.path("object")).put("attributedTo", peer.actorUri("eve"));
        assertThat(post("/inbox", "remy", Json.write(attributed)).status()).isEqualTo(422);
        ObjectNode undo = Json.object();
        undo.put("id", peer.base + "/undo/1").put("type", "Undo").put("actor", peer.actorUri("remy"));
        undo.putObject("object").put("type", "Follow").put("actor", peer.actorUri("eve"))
                .put("object", server.baseUrl + "/users/alice");
        assertThat(post("/inbox", "remy", Json.write(undo)).status()).isEqualTo(422);
        assertThat(statusCount()).isEqualTo(before);
    }

    @Test
    void bodiesOverOneMebibyteAre413() {
        ObjectNode activity = create("remy", peer.base + "/notes/huge", "<p>" + "x".repeat(1024 * 1024) + "</p>");
        assertThat(post("/inbox", "remy", Json.write(activity)).status()).isEqualTo(413);
    }

    @Test
    void unknownInboxesAre404AndValidActivitiesAre202ThenApplied() {
        String noteId = peer.base + "/notes/valid";
        assertThat(post("/users/nobody/inbox", "remy", Json.write(create("remy", noteId, "<p>hi</p>"))).status())
                .isEqualTo(404);
        Http.Response r = post("/users/alice/inbox", "remy", Json.write(create("remy", noteId, "<p>hello</p>")));
        assertThat(r.status()).isEqualTo(202);
        Await.until("the Create applied", () -> server.app.statuses().findByUri(noteId).isPresent());
        assertThat(server.app.statuses().findByUri(noteId).orElseThrow().content()).isEqualTo("<p>hello</p>");
    }

    @Test
    void typesThisServerDoesNotApplyAre202AndDropped() {
        ObjectNode view = Json.object();
        view.put("id", peer.base + "/views/1").put("type", "View").put("actor", peer.actorUri("remy"))
                .put("object", server.baseUrl + "/users/alice");
        assertThat(post("/inbox", "remy", Json.write(view)).status()).isEqualTo(202);
    }

    @Test
    void aDeletedActorThatCannotBeVerifiedIsAnswered202() {
        FakeFediverse gone = new FakeFediverse();
        try {
            gone.actor("ghost");
            ObjectNode delete = Json.object();
            delete.put("id", gone.actorUri("ghost") + "#delete").put("type", "Delete")
                    .put("actor", gone.actorUri("ghost")).put("object", gone.actorUri("ghost"));
            HttpRequest request = gone.signedPost(server.baseUrl + "/inbox", "ghost", Json.write(delete));
            gone.close();
            assertThat(server.http.send(request).status()).isEqualTo(202);
            assertThat(server.app.accounts().findByUri(gone.actorUri("ghost"))).isEmpty();
        } finally {
            gone.close();
        }
    }
}
