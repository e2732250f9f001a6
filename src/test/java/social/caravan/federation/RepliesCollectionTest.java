package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.accounts.Account;
import social.caravan.core.json.Json;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local status's replies collection ({@code /users/:name/statuses/:id/replies}) and the Note's
 * {@code replies} that points at it, as Mastodon serves them: the author's public and unlisted
 * self-replies first, then everyone else's, paged by {@code min_id}; only for requesters who may see the status.
 */
class RepliesCollectionTest {
    static final String AP = "application/activity+json";
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static TestServer server;
    static FakeFediverse peer;
    static String base;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        base = server.baseUrl;
        peer = new FakeFediverse();
        server.createAccount("alice");
        server.createAccount("bob");
        alice = server.token("alice", "read write");
        bob = server.token("bob", "read write");
        peer.actor("remy");
        peer.actor("eve");
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static String post(String token, String text, String visibility, String inReplyTo) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("status", text, "visibility", visibility));
        if (inReplyTo != null) {
            body.put("in_reply_to_id", inReplyTo);
        }
        Http.Response r = server.http.postJson("/api/v1/statuses", token, Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static Http.Response get(String path) {
        return server.http.send(server.http.request(path).header("Accept", AP).GET().build());
    }

    static Http.Response signed(String path, String username) {
        return server.http.send(peer.signedGet(base + path, username));
    }

    static String uri(String name, String id) {
        return base + "/users/" + name + "/statuses/" + id;
    }

    static List<JsonNode> items(JsonNode page) {
        return page.path("items").valueStream().toList();
    }

    @Test
    void selfRepliesComeFirstThenEveryoneElsesAndTheNotePointsAtThem() {
        String parent = post(alice, "the thread", "public", null);
        String r1 = post(alice, "1/ public", "public", parent);
        String r2 = post(alice, "2/ unlisted", "unlisted", parent);
        post(alice, "followers only", "private", parent);
        post(alice, "@bob direct", "direct", parent);
        post(alice, "a reply to a reply", "public", r1);
        String b1 = post(bob, "@alice nice", "public", parent);
        post(bob, "@alice just for followers", "private", parent);
        ObjectNode note = Json.object().put("id", peer.base + "/notes/r1").put("type", "Note")
                .put("attributedTo", peer.actorUri("remy")).put("content", "<p>from afar</p>")
                .put("inReplyTo", uri("alice", parent)).put("published", "2026-01-02T03:04:05Z");
        note.putArray("to").add(PUBLIC);
        ObjectNode create = Json.object().put("@context", "https://www.w3.org/ns/activitystreams")
                .put("id", peer.base + "/activities/c1").put("type", "Create").put("actor", peer.actorUri("remy"));
        create.set("object", note);
        Http.Response delivered = server.http.send(peer.signedPost(base + "/inbox", "remy", Json.write(create)));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(202);
        Await.until("the remote reply", () -> server.app.statuses().findByUri(peer.base + "/notes/r1").isPresent());

        String replies = uri("alice", parent) + "/replies";
        JsonNode n = get("/users/alice/statuses/" + parent).json();
        JsonNode embedded = n.path("replies");
        assertThat(embedded.path("id").asString()).isEqualTo(replies);
        assertThat(embedded.path("type").asString()).isEqualTo("Collection");
        assertThat(embedded.path("first").path("type").asString()).isEqualTo("CollectionPage");
        assertThat(embedded.path("first").path("partOf").asString()).isEqualTo(replies);
        assertThat(items(embedded.path("first")).stream().map(JsonNode::asString))
                .containsExactly(uri("alice", r1), uri("alice", r2));
        assertThat(embedded.path("first").path("next").asString()).isEqualTo(replies + "?min_id=" + r2 + "&page=true");
        JsonNode leaf = get("/users/alice/statuses/" + r2).json().path("replies").path("first");
        assertThat(items(leaf)).isEmpty();
        assertThat(leaf.path("next").asString()).isEqualTo(uri("alice", r2) + "/replies?only_other_accounts=true&page=true");

        Http.Response r = get("/users/alice/statuses/" + parent + "/replies");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/activity+json");
        JsonNode collection = r.json();
        assertThat(collection.path("@context").get(0).asString()).isEqualTo("https://www.w3.org/ns/activitystreams");
        assertThat(collection.path("id").asString()).isEqualTo(replies);
        assertThat(collection.path("type").asString()).isEqualTo("Collection");
        JsonNode first = collection.path("first");
        assertThat(first.path("id").asString()).isEqualTo(replies + "?page=true");
        assertThat(first.path("type").asString()).isEqualTo("CollectionPage");
        assertThat(first.path("partOf").asString()).isEqualTo(replies);
        assertThat(items(first)).extracting(i -> i.path("type").asString()).containsOnly("Note");
        assertThat(items(first)).extracting(i -> i.path("id").asString())
                .containsExactly(uri("alice", r1), uri("alice", r2));
        assertThat(first.path("next").asString()).as("fewer than a page: on to the others")
                .isEqualTo(replies + "?only_other_accounts=true&page=true");

        JsonNode others = get("/users/alice/statuses/" + parent + "/replies?only_other_accounts=true&page=true").json();
        assertThat(others.path("@context").isArray()).isTrue();
        assertThat(others.path("id").asString()).isEqualTo(replies + "?only_other_accounts=true&page=true");
        assertThat(others.path("type").asString()).isEqualTo("CollectionPage");
        assertThat(others.path("partOf").asString()).isEqualTo(replies);
        assertThat(others.has("next")).as("the last page").isFalse();
        List<JsonNode> otherItems = items(others);
        assertThat(otherItems).hasSize(2);
        assertThat(otherItems.get(0).path("type").asString()).as("a local reply is a Note").isEqualTo("Note");
        assertThat(otherItems.get(0).path("id").asString()).isEqualTo(uri("bob", b1));
        assertThat(otherItems.get(0).path("inReplyTo").asString()).isEqualTo(uri("alice", parent));
        assertThat(otherItems.get(1).asString()).as("a remote one its URI").isEqualTo(peer.base + "/notes/r1");

        JsonNode after = get("/users/alice/statuses/" + parent + "/replies?page=true&min_id=" + r1).json();
        assertThat(after.path("id").asString()).isEqualTo(replies + "?min_id=" + r1 + "&page=true");
        assertThat(items(after)).extracting(i -> i.path("id").asString()).containsExactly(uri("alice", r2));
        JsonNode othersAfter = get("/users/alice/statuses/" + parent + "/replies?page=true&only_other_accounts=true&min_id="
                + b1).json();
        assertThat(items(othersAfter)).extracting(JsonNode::asString).containsExactly(peer.base + "/notes/r1");
    }

    @Test
    void aFullPageOfSelfRepliesGoesOnWithThem() {
        String parent = post(alice, "a long thread", "public", null);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < ActivityPubApi.REPLIES_PAGE + 1; i++) {
            ids.add(post(alice, "part " + i, "unlisted", parent));
        }
        String replies = uri("alice", parent) + "/replies";
        JsonNode first = get("/users/alice/statuses/" + parent + "/replies?page=true").json();
        assertThat(items(first)).hasSize(ActivityPubApi.REPLIES_PAGE);
        String last = ids.get(ActivityPubApi.REPLIES_PAGE - 1);
        assertThat(first.path("next").asString())
                .isEqualTo(replies + "?min_id=" + last + "&only_other_accounts=false&page=true");
        JsonNode second = get("/users/alice/statuses/" + parent + "/replies?min_id=" + last
                + "&only_other_accounts=false&page=true").json();
        assertThat(items(second)).extracting(i -> i.path("id").asString()).containsExactly(uri("alice", ids.getLast()));
        assertThat(second.path("next").asString()).isEqualTo(replies + "?only_other_accounts=true&page=true");
        assertThat(items(get("/users/alice/statuses/" + parent).json().path("replies").path("first")))
                .as("the Note lists five").hasSize(5);
    }

    @Test
    void onlyThoseWhoMaySeeTheStatusGetItsReplies() {
        String hidden = post(alice, "followers only thread", "private", null);
        post(alice, "a public self-reply", "public", hidden);
        String path = "/users/alice/statuses/" + hidden + "/replies";
        assertThat(get(path).status()).as("unsigned").isEqualTo(404);
        assertThat(signed(path, "eve").status()).as("signed, not a follower").isEqualTo(404);
        Account remy = server.app.remoteAccounts().resolveUri(peer.actorUri("remy")).orElseThrow();
        long aliceId = server.app.accounts().findLocal("alice").orElseThrow().id();
        server.app.database().jdbi().useHandle(h -> h.execute(
                "INSERT INTO follows (account_id, target_account_id) VALUES (?, ?) ON CONFLICT DO NOTHING", remy.id(), aliceId));
        Http.Response r = signed(path, "remy");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(items(r.json().path("first"))).hasSize(1);

        // An author who blocks the signer hides even a public status's replies from it.
        server.createAccount("blocker");
        String blocker = server.token("blocker", "read write");
        String open = post(blocker, "public words", "public", null);
        Account eve = server.app.remoteAccounts().resolveUri(peer.actorUri("eve")).orElseThrow();
        server.app.database().jdbi().useHandle(h -> h.execute(
                "INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)",
                server.app.accounts().findLocal("blocker").orElseThrow().id(), eve.id()));
        assertThat(signed("/users/blocker/statuses/" + open + "/replies", "eve").status()).isEqualTo(404);
        assertThat(signed("/users/blocker/statuses/" + open + "/replies", "remy").status()).isEqualTo(200);

        // A status under another account's name, an unknown one, a bad cursor, a bad signature.
        assertThat(get("/users/bob/statuses/" + open + "/replies").status()).isEqualTo(404);
        assertThat(get("/users/alice/statuses/123/replies").status()).isEqualTo(404);
        assertThat(get("/users/nobody/statuses/" + open + "/replies").status()).isEqualTo(404);
        assertThat(get("/users/blocker/statuses/" + open + "/replies?page=true&min_id=abc").status()).isEqualTo(400);
        var forged = server.http.request("/users/blocker/statuses/" + open + "/replies").header("Accept", AP)
                .header("Signature", "keyId=\"" + peer.base + "/users/ghost#main-key\",algorithm=\"rsa-sha256\","
                        + "headers=\"(request-target) host date\",signature=\"AAAA\"")
                .header("Date", social.caravan.core.signatures.DraftCavage.HTTP_DATE.format(java.time.Instant.now()))
                .GET().build();
        assertThat(server.http.send(forged).status()).isEqualTo(401);
    }
}
