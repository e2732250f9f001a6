package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import social.caravan.App;
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
 * Inbound activities a worker claims together are applied as one batch: accepted by a web node
 * while no worker runs, then taken in one claim by a worker that joins.
 */
class InboxBatchTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static final Map<String, String> ENV = Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true");

    @Test
    void activitiesClaimedTogetherAreStoredAndFannedOutAndADroppedOneLeavesTheOthers() {
        try (TestServer web = TestServer.start(ENV, EnumSet.of(App.ProcessRole.WEB)); FakeFediverse peer = new FakeFediverse()) {
            long reader = web.createAccount("reader");
            String token = web.token("reader", "read");
            String first = deliver(web, peer, "alice", create(peer, "alice", note(peer, "alice", "n1", "first")));
            ObjectNode tombstone = Json.object().put("id", peer.base + "/notes/gone").put("type", "Tombstone");
            deliver(web, peer, "alice", create(peer, "alice", tombstone));
            String second = deliver(web, peer, "bob", create(peer, "bob", note(peer, "bob", "n2", "second")));
            String third = deliver(web, peer, "alice", create(peer, "alice", note(peer, "alice", "n3", "third")));
            Jdbi jdbi = web.app.database().jdbi();
            // The reader follows both actors (as an accepted Follow leaves it) and reads home.
            jdbi.useHandle(h -> {
                h.createUpdate("INSERT INTO follows (account_id, target_account_id) SELECT :r, id FROM accounts WHERE domain IS NOT NULL")
                        .bind("r", reader).execute();
                h.createUpdate("""
                                INSERT INTO home_feeds (account_id, active_at) VALUES (:r, now())
                                ON CONFLICT (account_id) DO UPDATE SET active_at = now()""")
                        .bind("r", reader).execute();
            });
            assertThat(ingressJobs(jdbi)).isEqualTo(4);

            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                Await.until("the ingress queue empty", Duration.ofSeconds(20), () -> ingressJobs(jdbi) == 0);
            }

            assertThat(web.app.queue().dead(10)).isEmpty();
            List<String> stored = jdbi.withHandle(h -> h.createQuery(
                    "SELECT uri FROM statuses WHERE uri IS NOT NULL ORDER BY uri").mapTo(String.class).list());
            assertThat(stored).containsExactlyInAnyOrder(first, second, third);
            Http.Response home = web.http.get("/api/v1/timelines/home", token);
            assertThat(home.status()).as(home.body()).isEqualTo(200);
            assertThat(home.json().size()).isEqualTo(3);
            for (JsonNode status : home.json()) {
                MastodonSchemas.assertValid("Status", status);
                assertThat(status.path("uri").asString()).isIn(first, second, third);
            }
            // Each author counted once per post, as one at a time.
            Map<String, Integer> counts = jdbi.withHandle(h -> h.createQuery("""
                            SELECT a.username, st.statuses_count FROM accounts a JOIN account_stats st ON st.account_id = a.id
                             WHERE a.domain IS NOT NULL""")
                    .reduceRows(new java.util.HashMap<String, Integer>(), (m, row) -> {
                        m.put(row.getColumn("username", String.class), row.getColumn("statuses_count", Integer.class));
                        return m;
                    }));
            assertThat(counts).containsEntry("alice", 2).containsEntry("bob", 1);
        }
    }

    /**
     * A batch fans all its posts out in one statement (home) and one (lists), by the rules each post
     * follows alone: blocks and mutes of the author or the mentioned, a follow's languages, replies,
     * direct posts, exclusive lists, and notifications of followers who asked for them.
     */
    @Test
    void aBatchOfPostsReachesHomeFeedsListsAndNotificationsByTheRulesOfOnePost() {
        try (TestServer web = TestServer.start(ENV, EnumSet.of(App.ProcessRole.WEB)); FakeFediverse peer = new FakeFediverse()) {
            Map<String, Long> readers = new java.util.LinkedHashMap<>();
            for (String name : List.of("everyone", "blocker", "muter", "german", "notified", "bobfan", "lister")) {
                readers.put(name, web.createAccount(name));
            }
            // Both actors become known (and their first posts are stored) before the rules are set up.
            deliver(web, peer, "alice", create(peer, "alice", note(peer, "alice", "a0", "known")));
            deliver(web, peer, "bob", create(peer, "bob", note(peer, "bob", "b0", "known")));
            Jdbi jdbi = web.app.database().jdbi();
            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                Await.until("the first posts stored", Duration.ofSeconds(20), () -> ingressJobs(jdbi) == 0);
            }
            long alice = accountId(jdbi, peer.actorUri("alice"));
            long bob = accountId(jdbi, peer.actorUri("bob"));
            jdbi.useHandle(h -> {
                follow(h, readers.get("everyone"), alice, false, null);
                follow(h, readers.get("everyone"), bob, false, null);
                follow(h, readers.get("blocker"), alice, false, null);
                follow(h, readers.get("blocker"), bob, false, null);
                h.execute("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", readers.get("blocker"), bob);
                follow(h, readers.get("muter"), alice, false, null);
                h.execute("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", readers.get("muter"), bob);
                follow(h, readers.get("german"), alice, false, new String[] {"de"});
                follow(h, readers.get("notified"), alice, true, null);
                follow(h, readers.get("bobfan"), bob, false, null);
                follow(h, readers.get("lister"), alice, false, null);
                long list = h.createQuery("INSERT INTO lists (account_id, title, exclusive) VALUES (?, 'alice', true) RETURNING id")
                        .bind(0, readers.get("lister")).mapTo(Long.class).one();
                h.execute("INSERT INTO list_accounts (list_id, account_id) VALUES (?, ?)", list, alice);
                for (long reader : readers.values()) {
                    h.execute("INSERT INTO home_feeds (account_id, active_at) VALUES (?, now())", reader);
                }
            });
            ObjectNode hello = language(note(peer, "alice", "hello", "hello"), "en");
            String mentionsBob = "@bob";
            ObjectNode aboutBob = language(note(peer, "alice", "aboutbob", mentionsBob), "en");
            aboutBob.withArray("tag").addObject().put("type", "Mention").put("href", peer.actorUri("bob")).put("name", "@bob");
            ObjectNode reply = language(note(peer, "bob", "reply", "a reply"), "en");
            reply.put("inReplyTo", hello.path("id").asString());
            ObjectNode direct = language(note(peer, "alice", "direct", "just for you"), "en");
            String everyoneUri = web.baseUrl + "/users/everyone";
            direct.putArray("to").add(everyoneUri);
            direct.putArray("cc");
            direct.withArray("tag").addObject().put("type", "Mention").put("href", everyoneUri).put("name", "@everyone");
            String helloUri = deliver(web, peer, "alice", create(peer, "alice", hello));
            String halloUri = deliver(web, peer, "alice", create(peer, "alice", language(note(peer, "alice", "hallo", "hallo"), "de")));
            String aboutBobUri = deliver(web, peer, "alice", create(peer, "alice", aboutBob));
            String hiUri = deliver(web, peer, "bob", create(peer, "bob", language(note(peer, "bob", "hi", "hi"), "en")));
            String replyUri = deliver(web, peer, "bob", create(peer, "bob", reply));
            String directUri = deliver(web, peer, "alice", create(peer, "alice", direct));
            assertThat(ingressJobs(jdbi)).isEqualTo(6);

            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                Await.until("the ingress queue empty", Duration.ofSeconds(20), () -> ingressJobs(jdbi) == 0);
            }

            assertThat(web.app.queue().dead(10)).isEmpty();
            assertThat(home(jdbi, readers.get("everyone"))).containsExactlyInAnyOrder(helloUri, halloUri, aboutBobUri, hiUri,
                    replyUri, directUri);
            assertThat(home(jdbi, readers.get("blocker"))).containsExactlyInAnyOrder(helloUri, halloUri);
            assertThat(home(jdbi, readers.get("muter"))).containsExactlyInAnyOrder(helloUri, halloUri);
            assertThat(home(jdbi, readers.get("german"))).containsExactlyInAnyOrder(halloUri);
            assertThat(home(jdbi, readers.get("notified"))).containsExactlyInAnyOrder(helloUri, halloUri, aboutBobUri);
            assertThat(home(jdbi, readers.get("bobfan"))).containsExactlyInAnyOrder(hiUri);
            assertThat(home(jdbi, readers.get("lister"))).isEmpty();
            List<String> listed = jdbi.withHandle(h -> h.createQuery("""
                            SELECT s.uri FROM list_feed_entries e JOIN lists l ON l.id = e.list_id JOIN statuses s ON s.id = e.entry_id
                             WHERE l.account_id = :r""").bind("r", readers.get("lister")).mapTo(String.class).list());
            assertThat(listed).containsExactlyInAnyOrder(helloUri, halloUri, aboutBobUri);
            // A status notification for each of alice's posts (not the direct one, to someone else) to the one who asked.
            List<String> notified = jdbi.withHandle(h -> h.createQuery("""
                            SELECT s.uri FROM notifications n JOIN statuses s ON s.id = n.status_id
                             WHERE n.account_id = :r AND n.type = 'status'""").bind("r", readers.get("notified"))
                    .mapTo(String.class).list());
            assertThat(notified).containsExactlyInAnyOrder(helloUri, halloUri, aboutBobUri);
            // Feed sizes counted over the batch: one per entry.
            for (long reader : readers.values()) {
                int entries = jdbi.withHandle(h -> h.createQuery("SELECT entries FROM home_feeds WHERE account_id = :r")
                        .bind("r", reader).mapTo(Integer.class).one());
                assertThat(entries).isEqualTo(home(jdbi, reader).size());
            }
        }
    }

    /**
     * An activity that needs something fetched (a reply to a status not known here) is applied on its
     * own, after the batch: the others are committed while the slow server still holds the fetch.
     */
    @Test
    void anActivityThatFetchesRunsAloneAndTheBatchDoesNotWaitForTheSlowServer() throws Exception {
        try (TestServer web = TestServer.start(ENV, EnumSet.of(App.ProcessRole.WEB)); FakeFediverse peer = new FakeFediverse()) {
            ObjectNode parent = note(peer, "alice", "parent", "the parent");
            peer.objects.put("/notes/parent", Json.write(parent));
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            peer.slow.put("/notes/parent", release);
            ObjectNode reply = note(peer, "alice", "reply", "a reply");
            reply.put("inReplyTo", parent.path("id").asString());
            String replyUri = deliver(web, peer, "alice", create(peer, "alice", reply));
            String otherUri = deliver(web, peer, "bob", create(peer, "bob", note(peer, "bob", "other", "meanwhile")));
            Jdbi jdbi = web.app.database().jdbi();
            assertThat(ingressJobs(jdbi)).isEqualTo(2);
            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                Await.until("bob's post stored while alice's parent is being fetched", Duration.ofSeconds(10),
                        () -> !uris(jdbi, otherUri).isEmpty());
                assertThat(uris(jdbi, replyUri)).isEmpty();
                release.countDown();
                Await.until("the reply stored", Duration.ofSeconds(20), () -> ingressJobs(jdbi) == 0);
            }
            String repliedTo = jdbi.withHandle(h -> h.createQuery("""
                            SELECT p.uri FROM statuses s JOIN statuses p ON p.id = s.in_reply_to_id WHERE s.uri = :u""")
                    .bind("u", replyUri).mapTo(String.class).one());
            assertThat(repliedTo).isEqualTo(parent.path("id").asString());
            assertThat(web.app.queue().dead(10)).isEmpty();
        }
    }

    @Test
    void anActivityThatTurnsOutToFetchInTheBatchIsLeftForAfterItsCommit() throws Exception {
        try (TestServer web = TestServer.start(ENV, EnumSet.of(App.ProcessRole.WEB)); FakeFediverse peer = new FakeFediverse()) {
            // bob's account is known first, so his activities come first in a batch (by signer).
            ObjectNode parent = note(peer, "bob", "parent", "to be deleted");
            String parentUri = deliver(web, peer, "bob", create(peer, "bob", parent));
            Jdbi jdbi = web.app.database().jdbi();
            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                Await.until("the parent stored", Duration.ofSeconds(10), () -> ingressJobs(jdbi) == 0);
            }
            assertThat(uris(jdbi, parentUri)).hasSize(1);

            // In one batch: bob deletes the parent, then alice replies to it. Before the batch the parent is
            // known, so the reply is taken in; at its turn the parent is gone and would be fetched.
            ObjectNode delete = Json.object().put("id", parentUri + "/delete").put("type", "Delete")
                    .put("actor", peer.actorUri("bob")).put("object", parentUri);
            assertThat(web.http.send(peer.signedPost(web.baseUrl + "/inbox", "bob", Json.write(delete))).status()).isEqualTo(202);
            ObjectNode reply = note(peer, "alice", "reply", "too late");
            reply.put("inReplyTo", parentUri);
            String replyUri = deliver(web, peer, "alice", create(peer, "alice", reply));
            peer.objects.put("/notes/parent", Json.write(Json.object().put("id", parentUri).put("type", "Tombstone")));
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            peer.slow.put("/notes/parent", release);
            assertThat(ingressJobs(jdbi)).isEqualTo(2);

            try (TestServer worker = TestServer.join(web, ENV, EnumSet.of(App.ProcessRole.WORKER))) {
                // The Delete commits while the reply's fetch waits on the peer: no open transaction waits with it.
                Await.until("the Delete committed while the parent is being fetched", Duration.ofSeconds(10),
                        () -> live(jdbi, parentUri) == 0);
                assertThat(uris(jdbi, replyUri)).isEmpty();
                release.countDown();
                Await.until("the reply stored", Duration.ofSeconds(20), () -> ingressJobs(jdbi) == 0);
            }
            assertThat(live(jdbi, replyUri)).isEqualTo(1);
            assertThat(web.app.queue().dead(10)).isEmpty();
        }
    }

    static long live(Jdbi jdbi, String uri) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM statuses WHERE uri = :u AND deleted_at IS NULL")
                .bind("u", uri).mapTo(Long.class).one());
    }

    static List<String> uris(Jdbi jdbi, String uri) {
        return jdbi.withHandle(h -> h.createQuery("SELECT uri FROM statuses WHERE uri = :u").bind("u", uri)
                .mapTo(String.class).list());
    }

    static ObjectNode language(ObjectNode note, String language) {
        note.putObject("contentMap").put(language, note.path("content").asString());
        return note;
    }

    static void follow(org.jdbi.v3.core.Handle h, long follower, long target, boolean notify, String[] languages) {
        h.createUpdate("INSERT INTO follows (account_id, target_account_id, notify, languages) VALUES (:f, :t, :n, :l)")
                .bind("f", follower).bind("t", target).bind("n", notify).bind("l", languages).execute();
    }

    static long accountId(Jdbi jdbi, String uri) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM accounts WHERE uri = :u").bind("u", uri).mapTo(Long.class).one());
    }

    static List<String> home(Jdbi jdbi, long reader) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.uri FROM home_feed_entries e JOIN statuses s ON s.id = e.entry_id WHERE e.account_id = :r""")
                .bind("r", reader).mapTo(String.class).list());
    }

    static long ingressJobs(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE queue = :q AND dead_at IS NULL")
                .bind("q", Queues.INGRESS).mapTo(Long.class).one());
    }

    static String deliver(TestServer server, FakeFediverse from, String user, ObjectNode activity) {
        Http.Response r = server.http.send(from.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return activity.path("object").path("id").asString();
    }

    static ObjectNode create(FakeFediverse from, String user, ObjectNode object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", object.path("id").asString() + "/activity");
        a.put("type", "Create");
        a.put("actor", from.actorUri(user));
        a.set("object", object);
        return a;
    }

    static ObjectNode note(FakeFediverse from, String user, String id, String content) {
        ObjectNode n = Json.object();
        n.put("id", from.base + "/notes/" + id);
        n.put("type", "Note");
        n.put("attributedTo", from.actorUri(user));
        n.put("content", "<p>" + content + "</p>");
        n.put("published", "2026-01-02T03:04:05Z");
        n.withArray("to").add(PUBLIC);
        n.withArray("cc").add(from.actorUri(user) + "/followers");
        return n;
    }
}
