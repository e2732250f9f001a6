package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.TestServer;
import tools.jackson.databind.node.ObjectNode;

/** A host marked unavailable for deliveries is available again once it sends a verified activity to the inbox. */
class InboxLaneRecoveryTest {
    static TestServer server;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        peer = new FakeFediverse();
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static boolean unavailable(String host) {
        return server.app.lanes().stats().stream().anyMatch(d -> d.host().equals(host) && d.unavailable());
    }

    static int failures(String host) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT failures FROM delivery_destinations WHERE host = :host").bind("host", host).mapTo(Integer.class).one());
    }

    static String like(String user) {
        ObjectNode a = Json.object().put("@context", "https://www.w3.org/ns/activitystreams")
                .put("id", peer.base + "/likes/" + user).put("type", "Like").put("actor", peer.actorUri(user))
                .put("object", server.baseUrl + "/users/nobody/statuses/1");
        return Json.write(a);
    }

    @Test
    void aVerifiedDeliveryFromAnUnavailableHostMakesItAvailableAgain() {
        String host = DeliveryLanes.host(peer.base + "/inbox");
        server.app.database().jdbi().useHandle(h -> {
            h.execute("INSERT INTO delivery_destinations (host, failures, failure_days, unavailable) "
                    + "VALUES (?, 9, '{2026-01-01,2026-01-02}', true)", host);
            h.execute("INSERT INTO delivery_destinations (host, unavailable) VALUES ('dead.example', true)");
        });
        assertThat(server.app.lanes().enqueue(peer.base + "/inbox", "{}")).as("dropped while unavailable").isFalse();

        // A forgery in the peer's name proves nothing about the peer.
        peer.actor("remy");
        Http.Response forged = server.http.send(peer.signedPost(server.baseUrl + "/inbox", "remy", like("remy"),
                peer.actor("mallory").keys.getPrivate()));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(unavailable(host)).isTrue();

        Http.Response r = server.http.send(peer.signedPost(server.baseUrl + "/inbox", "remy", like("remy")));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(unavailable(host)).isFalse();
        assertThat(failures(host)).isZero();
        assertThat(server.app.lanes().enqueue(peer.base + "/inbox", "{}")).as("queued again").isTrue();
        assertThat(unavailable("dead.example")).as("a host that sent nothing stays unavailable").isTrue();
    }
}
