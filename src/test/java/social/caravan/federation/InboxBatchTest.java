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
