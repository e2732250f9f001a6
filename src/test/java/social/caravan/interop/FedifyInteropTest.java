package social.caravan.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.accounts.Account;
import social.caravan.core.json.Json;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.NodeScripts;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * Fedify (an independent ActivityPub implementation) against Caravan, both on 127.0.0.1: Fedify reads
 * Caravan's WebFinger and actor and signs GETs Caravan must verify (authorized fetch on), and Caravan
 * resolves a Fedify actor by handle, signing its fetches so that Fedify lets it read the actor.
 */
class FedifyInteropTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("AUTHORIZED_FETCH", "true", "CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true",
                "LOCAL_HTTPS", "false"));
        server.createAccount("alice");
        server.http.postJson("/api/v1/statuses", server.token("alice", "write"), "{\"status\":\"Hello Fedify\"}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode run(String mode) {
        int port = freePort();
        String out = NodeScripts.run("fedify-peer.mjs", Map.of("CARAVAN_URL", server.baseUrl, "CARAVAN_USER", "alice",
                "CARAVAN_TOKEN", server.token("alice", "read"), "PEER_PORT", Integer.toString(port), "MODE", mode),
                Duration.ofMinutes(2));
        String[] lines = out.strip().split("\n");
        return Json.read(lines[lines.length - 1]);
    }

    @Test
    void fedifyReadsCaravansActorAndCaravanVerifiesFedifysSignatures() {
        JsonNode r = run("fetch");
        assertThat(r.path("failures").isEmpty()).as(r.toString()).isTrue();
        String domain = server.app.config().localDomain();
        assertThat(r.path("webfingerSubject").asString()).isEqualTo("acct:alice@" + domain);
        assertThat(r.path("unsignedStatus").asInt()).as("authorized fetch refuses unsigned GETs").isEqualTo(401);
        assertThat(r.path("signedStatus").asInt()).isEqualTo(200);
        assertThat(r.path("actorType").asString()).isEqualTo("Person");
        assertThat(r.path("preferredUsername").asString()).isEqualTo("alice");
        assertThat(r.path("inbox").asString()).isEqualTo(server.baseUrl + "/users/alice/inbox");
        assertThat(r.path("publicKeyId").asString()).isEqualTo(server.baseUrl + "/users/alice#main-key");
        assertThat(r.path("publicKeyOwner").asString()).isEqualTo(server.baseUrl + "/users/alice");
        assertThat(r.path("ldContentType").asString()).startsWith("application/activity+json");
        assertThat(r.path("htmlStatus").asInt()).isEqualTo(200);
        assertThat(r.path("htmlContentType").asString()).startsWith("text/html");
        assertThat(r.path("rfc9421Status").asInt()).as("an RFC 9421 signature is accepted").isEqualTo(200);
        assertThat(r.path("outboxType").asString()).isEqualTo("OrderedCollection");
        assertThat(r.path("forgedStatus").asInt()).as("a signature by another key").isEqualTo(401);
        Account fedi = server.app.accounts().findByUri(r.path("peerActor").asString()).orElseThrow();
        assertThat(fedi.remote().keyId()).as("Caravan stored the signer it verified").isEqualTo(r.path("peerActor").asString() + "#main-key");
    }

    @Test
    void caravanResolvesAFedifyActorByHandleWithSignedFetches() {
        JsonNode r = run("resolve");
        assertThat(r.path("failures").isEmpty()).as(r.toString()).isTrue();
        assertThat(r.path("lookupBeforeStatus").asInt()).as("lookup finds only known accounts").isEqualTo(404);
        assertThat(r.path("fetchesBeforeSearch").asInt()).as("and fetches nothing").isZero();
        assertThat(r.path("searchStatus").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.path("lookupStatus").asInt()).as(r.toString()).isEqualTo(200);
        JsonNode account = r.path("account");
        assertThat(r.path("searchAccount")).isEqualTo(account);
        MastodonSchemas.assertValid("Account", account);
        assertThat(account.path("acct").asString()).matches("fedi@127\\.0\\.0\\.1:\\d+");
        assertThat(account.path("display_name").asString()).isEqualTo("Fedify Peer");
        assertThat(account.path("note").asString()).isEqualTo("<p>I run on <b>Fedify</b></p>");
        assertThat(account.path("uri").asString()).matches("http://127\\.0\\.0\\.1:\\d+/users/fedi");
        assertThat(r.path("signedFetches").valueStream().map(JsonNode::asString).toList())
                .isNotEmpty().allMatch(owner -> owner.equals(server.baseUrl + "/actor"));
        Account stored = server.app.accounts().findByUri(account.path("uri").asString()).orElseThrow();
        assertThat(stored.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(stored.remote().keyId()).isEqualTo(account.path("uri").asString() + "#main-key");
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
