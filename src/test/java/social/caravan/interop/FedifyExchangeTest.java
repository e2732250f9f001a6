package social.caravan.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.NodeScripts;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * Activities both ways between Caravan (web and worker, on 127.0.0.1) and Fedify
 * ({@code src/test/node/fedify-exchange.mjs}), which verifies every signature Caravan sends and signs
 * what it sends as Fedify does: follows with Accept, posts by visibility, replies, likes, boosts, Undo,
 * edits and deletions, and the inbox's answers to unsigned, forged and RFC 9421-signed deliveries.
 */
class FedifyExchangeTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static TestServer server;
    static JsonNode result;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true", "LOCAL_HTTPS", "false"));
        server.createAccount("alice");
        int port = FedifyInteropTest.freePort();
        NodeScripts.Result run = NodeScripts.exec("fedify-exchange.mjs", Map.of("CARAVAN_URL", server.baseUrl,
                "CARAVAN_USER", "alice", "CARAVAN_TOKEN", server.token("alice", "read write follow"),
                "PEER_PORT", Integer.toString(port)), Duration.ofMinutes(3));
        String[] lines = run.stdout().strip().split("\n");
        result = Json.read(lines[lines.length - 1]);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyStepCompletedAndFedifyVerifiedEverySignature() {
        assertThat(result.path("failures").isEmpty()).as(result.toString()).isTrue();
        assertThat(result.path("inboxErrors").isEmpty()).as(result.path("inboxErrors").toString()).isTrue();
    }

    @Test
    void followsBothWaysAreAccepted() {
        assertThat(result.path("acceptActor").asString()).isEqualTo(server.baseUrl + "/users/alice");
        assertThat(result.path("requestedAtFirst").asBoolean()).as("pending until the Accept").isTrue();
        assertThat(result.path("followingByHandle").asBoolean()).isTrue();
        assertThat(result.path("followingByUrl").asBoolean()).isTrue();
        assertThat(result.path("followsReceived").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder(result.path("peerActor").asString(),
                        result.path("peerActor").asString().replace("/fedi", "/fedo"));
        assertThat(server.app.accounts().find(server.app.accounts().findLocal("alice").orElseThrow().id()).orElseThrow()
                .stats().followers()).isEqualTo(1);
    }

    @Test
    void thePeersPostsLandInHome() {
        JsonNode status = result.path("homeStatus");
        MastodonSchemas.assertValid("Status", status);
        assertThat(status.path("content").asString()).isEqualTo("<p>Hello from Fedify</p>");
        assertThat(status.path("account").path("acct").asString()).isEqualTo("fedi@" + result.path("peerDomain").asString());
    }

    @Test
    void postsAreAddressedByVisibility() {
        List<JsonNode> d = result.path("deliveries").valueStream().toList();
        assertThat(d).hasSize(3);
        String followers = server.baseUrl + "/users/alice/followers";
        assertThat(d.get(0).path("noteTo").get(0).asString()).isEqualTo(PUBLIC);
        assertThat(d.get(0).path("noteCc").toString()).contains(followers);
        assertThat(d.get(1).path("noteTo").get(0).asString()).isEqualTo(followers);
        assertThat(d.get(1).path("noteCc").toString()).doesNotContain(PUBLIC);
        assertThat(d.get(2).path("noteTo").valueStream().map(JsonNode::asString).toList())
                .containsExactly(result.path("peerActor").asString());
        assertThat(d.get(2).path("mentions").valueStream().map(JsonNode::asString).toList())
                .containsExactly(result.path("peerActor").asString());
        assertThat(result.path("strayDelivered").asBoolean()).as("a direct post to nobody there").isFalse();
    }

    @Test
    void repliesLikesBoostsEditsAndDeletesTravelBothWays() {
        assertThat(result.path("replyInThread").asBoolean()).isTrue();
        assertThat(result.path("replyTarget").asString()).isEqualTo(result.path("fediPostUri").asString());
        assertThat(result.path("likedAndBoosted").asBoolean()).isTrue();
        assertThat(result.path("undoneIn").asBoolean()).isTrue();
        assertThat(result.path("undoneOut").valueStream().map(JsonNode::asString).toList()).contains("Like", "Announce");
        assertThat(result.path("editedIn").asString()).isEqualTo("<p>Hello from Fedify, edited</p>");
        assertThat(result.path("editedOut").asString()).contains("public from caravan, edited");
        assertThat(result.path("deletedIn").asBoolean()).isTrue();
        assertThat(result.path("deletedOut").asBoolean()).isTrue();
    }

    @Test
    void fedifyReadsAPollAsAQuestionAndItsVoteIsCounted() {
        JsonNode out = result.path("pollOut");
        assertThat(out.path("options").valueStream().map(o -> o.path("name").asString()).toList())
                .containsExactly("tea", "coffee");
        assertThat(out.path("options").valueStream().map(o -> o.path("votes").asInt()).toList()).containsExactly(0, 0);
        assertThat(java.time.Instant.parse(out.path("endTime").asString()).getEpochSecond())
                .isEqualTo(java.time.Instant.parse(out.path("expiresAt").asString()).getEpochSecond());
        assertThat(out.path("voters").asInt()).isZero();
        JsonNode poll = result.path("pollVotedIn");
        MastodonSchemas.assertValid("Poll", poll);
        assertThat(poll.path("options").get(1).path("votes_count").asInt()).as("coffee").isEqualTo(1);
        assertThat(poll.path("voters_count").asInt()).isEqualTo(1);
    }

    @Test
    void unsignedAndForgedDeliveriesAre401AndAnRfc9421KnockIsAccepted() {
        assertThat(result.path("unsignedStatus").asInt()).isEqualTo(401);
        assertThat(result.path("forgedStatus").asInt()).isEqualTo(401);
        assertThat(result.path("rfc9421Status").asInt()).isEqualTo(202);
        assertThat(result.path("rfc9421Applied").asBoolean()).isTrue();
    }
}
