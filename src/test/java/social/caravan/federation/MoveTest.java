package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.core.queue.JobQueue;
import social.caravan.relationships.RelationshipService;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An inbound Move: confirmed by the target's {@code alsoKnownAs}, it marks the account moved and carries
 * local followers (as follow requests to the target), blocks and mutes over; an unconfirmed one changes
 * nothing.
 */
class MoveTest {
    static final AtomicInteger SEQ = new AtomicInteger();
    static TestServer server;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        peer = new FakeFediverse();
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static String local(String name) {
        server.createAccount(name);
        return server.token(name, "read write follow");
    }

    static String localUri(String name) {
        return server.baseUrl + "/users/" + name;
    }

    static void deliver(String user, ObjectNode activity) {
        Http.Response r = server.http.send(peer.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    static ObjectNode activity(String user, String type, String object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", peer.base + "/activities/" + SEQ.incrementAndGet());
        a.put("type", type);
        a.put("actor", peer.actorUri(user));
        a.put("object", object);
        return a;
    }

    static ObjectNode move(String from, String to) {
        ObjectNode m = activity(from, "Move", peer.actorUri(from));
        m.put("target", peer.actorUri(to));
        return m;
    }

    /** The peer actor {@code name}, naming {@code aliases} in its alsoKnownAs. */
    static void actor(String name, String... aliases) {
        peer.actor(name).edit = doc -> {
            List.of(aliases).forEach(alias -> doc.withArray("alsoKnownAs").add(peer.actorUri(alias)));
            return doc;
        };
    }

    /** Resolves the peer's {@code user} as a client does: a search with resolve=true. */
    static long remoteId(String user, String token) {
        Http.Response r = server.http.get("/api/v2/search?resolve=true&type=accounts&q=" + user + "@" + peer.domain, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("accounts")).as(r.body()).hasSize(1);
        return r.json().path("accounts").get(0).path("id").asLong();
    }

    static JsonNode relationship(String token, long id) {
        Http.Response r = server.http.get("/api/v1/accounts/relationships?id[]=" + id, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        r.json().forEach(x -> MastodonSchemas.assertValid("Relationship", x));
        return r.json().get(0);
    }

    /** A local account follows the peer's actor, which accepts. */
    static void follows(String token, String localName, String user) {
        long id = remoteId(user, token);
        server.http.postJson("/api/v1/accounts/" + id + "/follow", token, "{\"reblogs\":false,\"notify\":true}");
        Await.until("the Follow of " + user, () -> followOf(localName, user) != null);
        deliver(user, (ObjectNode) activity(user, "Accept", "x").set("object", followOf(localName, user).deepCopy()));
        Await.until(localName + " following " + user, () -> relationship(token, id).path("following").asBoolean());
    }

    static JsonNode followOf(String localName, String user) {
        return peer.received("Follow").stream().map(FakeFediverse.Received::activity)
                .filter(f -> f.path("actor").asString().equals(localUri(localName))
                        && f.path("object").asString().equals(peer.actorUri(user)))
                .findFirst().orElse(null);
    }

    /** Every inbound activity delivered so far has been applied or dropped (none waits or retries). */
    /** Waits until the inbox's jobs and the carry-over jobs a Move queues are done. */
    static void ingressDone() {
        Await.until("the ingress queue drained", () -> {
            JobQueue.QueueStats s = server.app.queue().stats().stream().filter(q -> q.queue().equals("ingress"))
                    .findFirst().orElseThrow();
            return s.ready() == 0 && s.running() == 0 && s.scheduled() == 0;
        });
        Await.until("the carry-over done", () -> server.app.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM jobs WHERE type = :t AND dead_at IS NULL")
                .bind("t", social.caravan.relationships.RelationshipService.CARRY_OVER_JOB).mapTo(Integer.class).one()) == 0);
    }

    @Test
    void aConfirmedMoveMarksTheAccountMovedAndCarriesFollowersBlocksAndMutesOver() {
        actor("old1");
        actor("new1", "old1");
        String alice = local("alice_m1");
        String bob = local("bob_m1");
        String carol = local("carol_m1");
        String dave = local("dave_m1");
        follows(alice, "alice_m1", "old1");
        follows(bob, "bob_m1", "old1");
        long oldId = remoteId("old1", alice);
        long newId = remoteId("new1", alice);
        // Bob blocks the new account: he cannot follow it, so he keeps following the old one, as in Mastodon.
        assertThat(server.http.postJson("/api/v1/accounts/" + newId + "/block", bob, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/accounts/" + oldId + "/block", carol, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/accounts/" + oldId + "/mute", dave, "{\"notifications\":false}")
                .status()).isEqualTo(200);

        deliver("old1", move("old1", "new1"));

        Await.until("alice's Follow of new1", () -> followOf("alice_m1", "new1") != null);
        ingressDone();
        JsonNode aliceNew = relationship(alice, newId);
        assertThat(aliceNew.path("requested").asBoolean()).as("a request until new1 accepts").isTrue();
        assertThat(aliceNew.path("showing_reblogs").asBoolean()).as("the old follow's options").isFalse();
        assertThat(aliceNew.path("notifying").asBoolean()).isTrue();
        assertThat(relationship(alice, oldId).path("following").asBoolean()).isFalse();
        Await.until("alice's Undo of her follow of old1", () -> peer.received("Undo").stream()
                .anyMatch(u -> u.activity().path("actor").asString().equals(localUri("alice_m1"))
                        && u.activity().path("object").path("object").asString().equals(peer.actorUri("old1"))));

        assertThat(relationship(bob, oldId).path("following").asBoolean()).as("kept back by his block").isTrue();
        assertThat(relationship(bob, newId).path("requested").asBoolean()).isFalse();
        assertThat(followOf("bob_m1", "new1")).isNull();

        assertThat(relationship(carol, newId).path("blocking").asBoolean()).as("carol's block carried over").isTrue();
        Await.until("carol's Block of new1", () -> peer.received("Block").stream()
                .anyMatch(b -> b.activity().path("actor").asString().equals(localUri("carol_m1"))
                        && b.activity().path("object").asString().equals(peer.actorUri("new1"))));
        JsonNode daveNew = relationship(dave, newId);
        assertThat(daveNew.path("muting").asBoolean()).as("dave's mute carried over").isTrue();
        assertThat(daveNew.path("muting_notifications").asBoolean()).isFalse();

        JsonNode old = server.http.get("/api/v1/accounts/" + oldId, alice).json();
        MastodonSchemas.assertValid("Account", old);
        assertThat(old.path("moved").path("id").asString()).isEqualTo(Long.toString(newId));
        assertThat(old.path("moved").path("acct").asString()).isEqualTo("new1@" + peer.domain);
        MastodonSchemas.assertValid("Account", old.path("moved"));
        JsonNode fresh = server.http.get("/api/v1/accounts/" + newId, alice).json();
        assertThat(fresh.has("moved")).as("only a moved account has moved").isFalse();
        JsonNode anonymous = server.http.get("/api/v1/accounts/" + oldId).json();
        assertThat(anonymous.path("moved").path("id").asString()).isEqualTo(Long.toString(newId));

        // A moved account takes no new followers.
        Http.Response refused = server.http.postJson("/api/v1/accounts/" + oldId + "/follow", carol, "{}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").asString()).isEqualTo("This action is not allowed");
        Http.Response refusedAgain = server.http.postJson("/api/v1/accounts/" + oldId + "/follow", bob, "{}");
        assertThat(refusedAgain.status()).isEqualTo(403);
    }

    @Test
    void theSameMoveAgainChangesNothing() {
        actor("old2");
        actor("new2", "old2");
        String erin = local("erin_m2");
        String hank = local("hank_m2");
        follows(erin, "erin_m2", "old2");
        long oldId = remoteId("old2", erin);
        long newId = remoteId("new2", erin);
        assertThat(server.http.postJson("/api/v1/accounts/" + oldId + "/block", hank, "{}").status()).isEqualTo(200);
        deliver("old2", move("old2", "new2"));
        Await.until("erin's Follow of new2", () -> followOf("erin_m2", "new2") != null);
        ingressDone();
        assertThat(relationship(hank, newId).path("blocking").asBoolean()).isTrue();
        // Erin withdraws her request, Hank lifts the carried-over block, and the Move arrives again:
        // neither is undone.
        assertThat(server.http.postJson("/api/v1/accounts/" + newId + "/unfollow", erin, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/accounts/" + newId + "/unblock", hank, "{}").status()).isEqualTo(200);
        int follows = peer.received("Follow").size();
        deliver("old2", move("old2", "new2"));
        ingressDone();
        assertThat(peer.received("Follow")).hasSize(follows);
        assertThat(relationship(erin, newId).path("requested").asBoolean()).isFalse();
        assertThat(relationship(hank, newId).path("blocking").asBoolean()).isFalse();
        JsonNode old = server.http.get("/api/v1/accounts/" + oldId, erin).json();
        assertThat(old.path("moved").path("id").asString()).isEqualTo(Long.toString(newId));
        assertThat(server.app.queue().stats().stream().filter(q -> q.queue().equals("ingress"))
                .findFirst().orElseThrow().dead()).isZero();
    }

    @Test
    void aMoveWhoseTargetDoesNotNameTheOriginIsDropped() {
        actor("old3");
        actor("new3", "someone_else");
        String frank = local("frank_m3");
        follows(frank, "frank_m3", "old3");
        long oldId = remoteId("old3", frank);
        long newId = remoteId("new3", frank);
        deliver("old3", move("old3", "new3"));
        ingressDone();
        assertThat(relationship(frank, oldId).path("following").asBoolean()).isTrue();
        assertThat(relationship(frank, newId).path("requested").asBoolean()).isFalse();
        assertThat(followOf("frank_m3", "new3")).isNull();
        JsonNode old = server.http.get("/api/v1/accounts/" + oldId, frank).json();
        MastodonSchemas.assertValid("Account", old);
        assertThat(old.has("moved")).isFalse();

        // A Move naming another account as its object, or sent for someone else, is dropped as well.
        ObjectNode forOther = move("old3", "new3");
        forOther.put("object", peer.actorUri("new3"));
        deliver("old3", forOther);
        ingressDone();
        assertThat(server.http.get("/api/v1/accounts/" + oldId, frank).json().has("moved")).isFalse();
        assertThat(server.app.queue().stats().stream().filter(q -> q.queue().equals("ingress"))
                .findFirst().orElseThrow().dead()).isZero();
    }

    @Test
    void aMoveCarriesManyLocalFollowersInShortTransactionsAndARerunChangesNothing() {
        actor("old5");
        actor("new5", "old5");
        String hub = local("hub_m5");
        long oldId = remoteId("old5", hub);
        long newId = remoteId("new5", hub);
        int many = RelationshipService.FOLLOWERS_PER_TRANSACTION + 30;
        org.jdbi.v3.core.Jdbi jdbi = server.app.database().jdbi();
        for (int i = 0; i < many; i++) {
            long follower = server.createAccount("m5_" + i);
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO follows (account_id, target_account_id) VALUES (:f, :t)")
                    .bind("f", follower).bind("t", oldId).execute());
        }
        deliver("old5", move("old5", "new5"));
        ingressDone();

        assertThat(count(jdbi, "SELECT count(*) FROM follows WHERE target_account_id = ?", oldId)).isZero();
        assertThat(count(jdbi, "SELECT count(*) FROM follow_requests WHERE target_account_id = ?", newId)
                + count(jdbi, "SELECT count(*) FROM follows WHERE target_account_id = ?", newId)).isEqualTo(many);
        assertThat(server.app.relationships().carryOver(oldId, newId))
                .isEqualTo(new RelationshipService.CarriedOver(0, 0, 0, 0));
    }

    static long count(org.jdbi.v3.core.Jdbi jdbi, String sql, long id) {
        return jdbi.withHandle(h -> h.createQuery(sql).bind(0, id).mapTo(Long.class).one());
    }

    @Test
    void relationshipsAndPermissionsOfAMovedAccount() {
        actor("old4");
        actor("new4", "old4");
        String gina = local("gina_m4");
        follows(gina, "gina_m4", "old4");
        long oldId = remoteId("old4", gina);
        deliver("old4", move("old4", "new4"));
        ingressDone();
        // The client API keeps working for the moved account: relationships, search-free lookups, unfollow.
        JsonNode r = relationship(gina, oldId);
        assertThat(r.path("following").asBoolean()).isFalse();
        Http.Response lookup = server.http.get("/api/v1/accounts/lookup?acct=old4@" + peer.domain, gina);
        assertThat(lookup.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Account", lookup.json());
        assertThat(lookup.json().path("moved").path("acct").asString()).isEqualTo("new4@" + peer.domain);
        // Permissions are the follow endpoint's: no token 401, a token without the scope 403.
        assertThat(server.http.postJson("/api/v1/accounts/" + oldId + "/follow", null, "{}").status()).isEqualTo(401);
        String readOnly = server.token("gina_m4", "read");
        assertThat(server.http.postJson("/api/v1/accounts/" + oldId + "/follow", readOnly, "{}").status()).isEqualTo(403);
    }
}
