package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.core.queue.Queues;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Activities forwarded by a third server (signed by the relay, not by their actor): Caravan takes a
 * Create, Update, Delete or Announce, fetches what it names from its own server and applies that copy;
 * the forwarded body is never stored. {@code origin} hosts the author, {@code relay} forwards.
 */
class ForwardedTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static final AtomicInteger SEQ = new AtomicInteger();
    static TestServer server;
    static FakeFediverse origin;
    static FakeFediverse relay;
    static String token;
    static String localStatusUri;
    static long localStatusId;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        origin = new FakeFediverse();
        relay = new FakeFediverse();
        origin.actor("ann");
        relay.actor("bob");
        server.createAccount("lena");
        token = server.token("lena", "read write");
        Http.Response posted = server.http.postJson("/api/v1/statuses", token, "{\"status\":\"what do you think?\"}");
        assertThat(posted.status()).as(posted.body()).isEqualTo(200);
        localStatusUri = posted.json().path("uri").asString();
        localStatusId = Long.parseLong(posted.json().path("id").asString());
    }

    @AfterAll
    static void stop() {
        server.close();
        origin.close();
        relay.close();
    }

    /** A public Note by ann; served at its id by the origin when {@code served}. */
    static ObjectNode note(String content, boolean served) {
        String path = "/notes/" + SEQ.incrementAndGet();
        ObjectNode n = Json.object();
        n.put("@context", "https://www.w3.org/ns/activitystreams");
        n.put("id", origin.base + path);
        n.put("type", "Note");
        n.put("attributedTo", origin.actorUri("ann"));
        n.put("content", content);
        n.put("inReplyTo", localStatusUri);
        n.put("published", "2026-01-02T03:04:05Z");
        n.putArray("to").add(PUBLIC);
        n.putArray("cc").add(origin.actorUri("ann") + "/followers");
        n.putArray("tag");
        if (served) {
            origin.objects.put(path, Json.write(n));
        }
        return n;
    }

    static ObjectNode activity(String type, JsonNode object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", origin.base + "/activities/" + SEQ.incrementAndGet());
        a.put("type", type);
        a.put("actor", origin.actorUri("ann"));
        a.set("object", object);
        return a;
    }

    /** POSTs the activity to the shared inbox signed by {@code user} of {@code server}. */
    static Http.Response post(FakeFediverse from, String user, ObjectNode activity) {
        return server.http.send(from.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
    }

    static Http.Response forward(ObjectNode activity) {
        return post(relay, "bob", activity);
    }

    static String path(String uri) {
        return java.net.URI.create(uri).getPath();
    }

    /** Waits until the origin was asked for {@code uri} at least {@code times} times and the ingress queue is idle. */
    static void awaitProcessed(String uri, long times) {
        Await.until("the origin asked for " + uri, () -> origin.requests.stream().filter(path(uri)::equals).count() >= times);
        Await.until("the ingress queue idle", () -> server.app.queue().stats().stream()
                .filter(q -> q.queue().equals(Queues.INGRESS)).allMatch(q -> q.ready() + q.running() == 0));
    }

    @Test
    void aForwardedReplyIsStoredAsItsOriginServesItNotAsForwarded() {
        ObjectNode served = note("<p>the real reply</p>", true);
        ObjectNode forged = served.deepCopy().put("content", "<p>words put in ann's mouth</p>");
        Http.Response r = forward(activity("Create", forged));
        assertThat(r.status()).as(r.body()).isEqualTo(202);

        String uri = served.path("id").asString();
        Await.until("the reply stored", () -> server.app.statuses().findByUri(uri).isPresent());
        JsonNode context = server.http.get("/api/v1/statuses/" + localStatusId + "/context", token).json();
        MastodonSchemas.assertValid("Context", context);
        JsonNode reply = null;
        for (JsonNode d : context.path("descendants")) {
            if (d.path("uri").asString().equals(uri)) {
                reply = d;
            }
        }
        assertThat(reply).as("the reply among the local post's descendants").isNotNull();
        MastodonSchemas.assertValid("Status", reply);
        assertThat(reply.path("content").asString()).isEqualTo("<p>the real reply</p>");
        assertThat(reply.path("account").path("acct").asString()).isEqualTo("ann@" + origin.domain);
        assertThat(reply.path("in_reply_to_id").asString()).isEqualTo(String.valueOf(localStatusId));
    }

    @Test
    void aForwardedCreateWhoseOriginAnswers404IsDropped() {
        ObjectNode unserved = note("<p>never posted by ann</p>", false);
        assertThat(forward(activity("Create", unserved)).status()).isEqualTo(202);
        String uri = unserved.path("id").asString();
        awaitProcessed(uri, 1);
        assertThat(server.app.statuses().findByUri(uri)).isEmpty();
    }

    @Test
    void aForwardedCreateWhoseOriginIsDownIsTriedAgainLater() {
        ObjectNode served = note("<p>posted while the origin was down</p>", true);
        String uri = served.path("id").asString();
        origin.failing.put(path(uri), new java.util.concurrent.atomic.AtomicInteger(1));
        assertThat(forward(activity("Create", served)).status()).isEqualTo(202);

        // The origin's 503 fails the job, which waits its backoff (15 s or more) with the reason.
        org.jdbi.v3.core.Jdbi jdbi = server.app.database().jdbi();
        Await.until("the job waiting to be tried again", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT count(*) FROM jobs WHERE type = :type AND attempts = 1 AND run_at > now() AND dead_at IS NULL
                   AND last_error LIKE '%answered 503%'""").bind("type", Forwarded.JOB).mapTo(Integer.class).one()) == 1);
        assertThat(server.app.statuses().findByUri(uri)).isEmpty();

        // Its time brought forward, and the workers told, as an enqueue tells them.
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE jobs SET run_at = now() WHERE type = :type").bind("type", Forwarded.JOB).execute();
            h.execute("SELECT pg_notify('caravan_jobs', ?)", Queues.INGRESS);
        });
        Await.until("the reply stored once the origin answers", () -> server.app.statuses().findByUri(uri).isPresent());
    }

    @Test
    void aForwardedDeleteAppliesOnlyOnceTheOriginNoLongerServesTheObject() {
        ObjectNode served = note("<p>still here</p>", true);
        String uri = served.path("id").asString();
        assertThat(post(origin, "ann", activity("Create", served)).status()).isEqualTo(202);
        Await.until("the post stored", () -> server.app.statuses().findByUri(uri).isPresent());
        long before = origin.requests.stream().filter(path(uri)::equals).count();

        assertThat(forward(activity("Delete", Json.read("\"" + uri + "\""))).status()).isEqualTo(202);
        awaitProcessed(uri, before + 1);
        assertThat(server.app.statuses().findByUri(uri)).as("its server still serves it").isPresent();

        ObjectNode tombstone = Json.object().put("id", uri).put("type", "Tombstone");
        origin.objects.put(path(uri), Json.write(tombstone));
        assertThat(forward(activity("Delete", tombstone)).status()).isEqualTo(202);
        Await.until("the post deleted", () -> server.app.statuses().findByUri(uri).isEmpty());

        ObjectNode other = note("<p>deleted for real</p>", true);
        String otherUri = other.path("id").asString();
        assertThat(post(origin, "ann", activity("Create", other)).status()).isEqualTo(202);
        Await.until("the other post stored", () -> server.app.statuses().findByUri(otherUri).isPresent());
        origin.objects.remove(path(otherUri));
        assertThat(forward(activity("Delete", Json.read("\"" + otherUri + "\""))).status()).isEqualTo(202);
        Await.until("the other post deleted on 404", () -> server.app.statuses().findByUri(otherUri).isEmpty());
    }

    @Test
    void aForwardedAnnounceIsTheOneItsActorsServerServes() {
        ObjectNode served = note("<p>worth a boost</p>", true);
        String noteUri = served.path("id").asString();
        ObjectNode announce = activity("Announce", Json.read("\"" + noteUri + "\""));
        announce.put("published", "2026-01-03T00:00:00Z");
        announce.putArray("to").add(PUBLIC);
        origin.objects.put(path(announce.path("id").asString()), Json.write(announce));

        ObjectNode forwarded = announce.deepCopy().put("object", localStatusUri);
        assertThat(forward(forwarded).status()).isEqualTo(202);
        String boostUri = announce.path("id").asString();
        Await.until("the boost stored", () -> server.app.statuses().findByUri(boostUri).isPresent());
        long boosted = server.app.statuses().findByUri(boostUri).orElseThrow().reblogOfId();
        assertThat(boosted).as("the note the served Announce names, not the forwarded one's object")
                .isEqualTo(server.app.statuses().findByUri(noteUri).orElseThrow().id());
    }

    @Test
    void otherForwardedTypesAre401AndForeignIdsAre422() {
        ObjectNode follow = activity("Follow", Json.read("\"" + server.baseUrl + "/users/lena\""));
        Http.Response r = forward(follow);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).contains("not by the activity's actor");
        for (String type : List.of("Like", "Block", "Undo")) {
            assertThat(forward(activity(type, Json.read("\"" + localStatusUri + "\""))).status()).as(type).isEqualTo(401);
        }

        // What would be fetched must be on the actor's server: the relay cannot point at its own copy.
        ObjectNode atRelay = note("<p>hosted by the relay</p>", false).put("id", relay.base + "/notes/x");
        Http.Response foreign = forward(activity("Create", atRelay));
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.json().path("error").asString()).startsWith("Validation failed");
        ObjectNode foreignId = activity("Announce", Json.read("\"" + localStatusUri + "\""));
        foreignId.put("id", relay.base + "/announces/1");
        assertThat(forward(foreignId).status()).isEqualTo(422);
        assertThat(forward(activity("Delete", Json.object())).status()).as("a Delete naming nothing").isEqualTo(422);
        ObjectNode notHttp = activity("Create", note("<p>x</p>", true)).put("actor", "urn:x:ann");
        assertThat(forward(notHttp).status()).as("an actor that is no URL").isEqualTo(422);
        ObjectNode untyped = activity("Create", note("<p>x</p>", true));
        untyped.remove("type");
        assertThat(forward(untyped).status()).as("no type").isEqualTo(422);
        ObjectNode noActor = activity("Create", note("<p>x</p>", true));
        noActor.remove("actor");
        assertThat(forward(noActor).status()).as("no actor").isEqualTo(401);
    }

    @Test
    void unsignedOrBadlySignedForwardsAre401() {
        ObjectNode create = activity("Create", note("<p>x</p>", true));
        Http.Response unsigned = server.http.send(server.http.request("/inbox")
                .header("Content-Type", "application/activity+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Json.write(create))).build());
        assertThat(unsigned.status()).isEqualTo(401);
        Http.Response forged = server.http.send(relay.signedPost(server.baseUrl + "/inbox", "bob", Json.write(create),
                origin.actor("ann").keys.getPrivate()));
        assertThat(forged.status()).isEqualTo(401);
    }
}
