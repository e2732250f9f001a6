package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Activities both ways between Caravan (with its worker) and fake peers on loopback: follows with
 * their Accept and Reject, posts, replies, edits, deletions, likes, boosts, blocks, reports, and how
 * Caravan addresses and signs what it sends.
 */
class ActivitiesTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static final AtomicInteger SEQ = new AtomicInteger();
    static TestServer server;
    static FakeFediverse peer;
    static FakeFediverse other;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        peer = new FakeFediverse();
        other = new FakeFediverse();
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
        other.close();
    }

    // --- helpers --------------------------------------------------------------------------------

    /** A fresh local account; returns its token. */
    static String local(String name) {
        server.createAccount(name);
        return server.token(name, "read write follow");
    }

    static String localUri(String name) {
        return server.baseUrl + "/users/" + name;
    }

    static long localId(String name) {
        return server.app.accounts().findLocal(name).orElseThrow().id();
    }

    static String next() {
        return Integer.toString(SEQ.incrementAndGet());
    }

    static Http.Response deliver(FakeFediverse from, String user, ObjectNode activity) {
        Http.Response r = server.http.send(from.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r;
    }

    static ObjectNode activity(FakeFediverse from, String user, String type, Object object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", from.base + "/activities/" + next());
        a.put("type", type);
        a.put("actor", from.actorUri(user));
        if (object instanceof String s) {
            a.put("object", s);
        } else {
            a.set("object", (JsonNode) object);
        }
        return a;
    }

    static ObjectNode note(FakeFediverse from, String user, String content, List<String> to, List<String> cc) {
        ObjectNode n = Json.object();
        n.put("id", from.base + "/notes/" + next());
        n.put("type", "Note");
        n.put("attributedTo", from.actorUri(user));
        n.put("content", content);
        n.put("published", "2026-01-02T03:04:05Z");
        to.forEach(n.withArray("to")::add);
        cc.forEach(n.withArray("cc")::add);
        n.putArray("tag");
        return n;
    }

    /** Resolves {@code user} of {@code from} as a client does: a search with resolve=true. */
    static long remoteId(FakeFediverse from, String user, String token) {
        Http.Response r = server.http.get("/api/v2/search?resolve=true&type=accounts&q=" + user + "@" + from.domain, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("accounts")).as(r.body()).hasSize(1);
        return r.json().path("accounts").get(0).path("id").asLong();
    }

    static JsonNode relationship(String token, long id) {
        return server.http.get("/api/v1/accounts/relationships?id[]=" + id, token).json().get(0);
    }

    /** The peer's actor follows a local account; returns the Accept it got. */
    static FakeFediverse.Received remoteFollows(FakeFediverse from, String user, String localName) {
        ObjectNode follow = activity(from, user, "Follow", localUri(localName));
        String followId = follow.path("id").asString();
        deliver(from, user, follow);
        Await.until("the Accept of " + followId, () -> from.received("Accept").stream()
                .anyMatch(r -> r.activity().path("object").path("id").asString().equals(followId)));
        return from.received("Accept").stream()
                .filter(r -> r.activity().path("object").path("id").asString().equals(followId)).findFirst().orElseThrow();
    }

    /** A local account follows the peer's actor, which accepts. */
    static void localFollows(String token, String localName, FakeFediverse to, String user) {
        long id = remoteId(to, user, token);
        Http.Response r = server.http.postJson("/api/v1/accounts/" + id + "/follow", token, "{}");
        assertThat(r.json().path("requested").asBoolean()).as(r.body()).isTrue();
        Await.until("the Follow of " + user, () -> to.received("Follow").stream()
                .anyMatch(f -> f.activity().path("actor").asString().equals(localUri(localName))
                        && f.activity().path("object").asString().equals(to.actorUri(user))));
        FakeFediverse.Received follow = to.received("Follow").stream()
                .filter(f -> f.activity().path("actor").asString().equals(localUri(localName))
                        && f.activity().path("object").asString().equals(to.actorUri(user))).findFirst().orElseThrow();
        assertThat(follow.signature()).contains("keyId=\"" + localUri(localName) + "#main-key\"");
        deliver(to, user, activity(to, user, "Accept", follow.activity().deepCopy()));
        Await.until(localName + " following " + user, () -> relationship(token, id).path("following").asBoolean());
    }

    static List<FakeFediverse.Received> creates(FakeFediverse at, String contentPart) {
        return at.received("Create").stream()
                .filter(r -> r.activity().path("object").path("content").asString().contains(contentPart)).toList();
    }

    static String post(String token, String json) {
        Http.Response r = server.http.postJson("/api/v1/statuses", token, json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    // --- follows --------------------------------------------------------------------------------

    @Test
    void aRemoteFollowOfAnOpenAccountIsAcceptedSignedAndCounted() {
        String token = local("opal");
        peer.actor("f1");
        FakeFediverse.Received accept = remoteFollows(peer, "f1", "opal");
        assertThat(accept.activity().path("actor").asString()).isEqualTo(localUri("opal"));
        assertThat(accept.activity().path("object").path("actor").asString()).isEqualTo(peer.actorUri("f1"));
        assertThat(accept.signature()).contains("keyId=\"" + localUri("opal") + "#main-key\"");
        assertThat(accept.path()).isEqualTo("/users/f1/inbox");
        JsonNode me = server.http.get("/api/v1/accounts/" + localId("opal"), token).json();
        assertThat(me.path("followers_count").asInt()).isEqualTo(1);
        Http.Response notifications = server.http.get("/api/v1/notifications", token);
        assertThat(notifications.json().get(0).path("type").asString()).isEqualTo("follow");
        MastodonSchemas.assertValid("Notification", notifications.json().get(0));

        // Undo: the follow ends.
        FakeFediverse.Received follow = accept;
        ObjectNode undo = activity(peer, "f1", "Undo", follow.activity().path("object").deepCopy());
        deliver(peer, "f1", undo);
        Await.until("the unfollow", () -> server.http.get("/api/v1/accounts/" + localId("opal"), token).json()
                .path("followers_count").asInt() == 0);
    }

    @Test
    void aLockedAccountGetsARequestAndAuthorizingSendsAcceptRejectingSendsReject() {
        String token = local("lucy");
        server.http.patchJson("/api/v1/accounts/update_credentials", token, "{\"locked\":true}");
        peer.actor("f2");
        peer.actor("f3");
        ObjectNode follow = activity(peer, "f2", "Follow", localUri("lucy"));
        deliver(peer, "f2", follow);
        deliver(peer, "f3", activity(peer, "f3", "Follow", localUri("lucy")));
        Await.until("two requests", () -> server.http.get("/api/v1/follow_requests", token).json().size() == 2);
        assertThat(peer.received("Accept")).noneMatch(r -> r.activity().path("actor").asString().equals(localUri("lucy")));
        long f2 = remoteId(peer, "f2", token);
        long f3 = remoteId(peer, "f3", token);
        assertThat(server.http.postJson("/api/v1/follow_requests/" + f2 + "/authorize", token, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/follow_requests/" + f3 + "/reject", token, "{}").status()).isEqualTo(200);
        Await.until("the Accept", () -> peer.received("Accept").stream()
                .anyMatch(r -> r.activity().path("object").path("id").asString().equals(follow.path("id").asString())));
        Await.until("the Reject", () -> peer.received("Reject").stream()
                .anyMatch(r -> r.activity().path("object").path("actor").asString().equals(peer.actorUri("f3"))));
        assertThat(relationship(token, f2).path("followed_by").asBoolean()).isTrue();
        assertThat(relationship(token, f3).path("followed_by").asBoolean()).isFalse();
    }

    @Test
    void followingARemoteAccountIsPendingUntilAcceptedAndUnfollowingSendsUndo() {
        String token = local("fern");
        peer.actor("g1");
        localFollows(token, "fern", peer, "g1");
        long id = remoteId(peer, "g1", token);
        assertThat(relationship(token, id).path("requested").asBoolean()).isFalse();
        server.http.postJson("/api/v1/accounts/" + id + "/unfollow", token, "{}");
        Await.until("the Undo Follow", () -> peer.received("Undo").stream()
                .anyMatch(r -> r.activity().path("object").path("type").asString().equals("Follow")
                        && r.activity().path("actor").asString().equals(localUri("fern"))));
        assertThat(relationship(token, id).path("following").asBoolean()).isFalse();

        // A Reject of a new request ends it.
        peer.actor("g2");
        long g2 = remoteId(peer, "g2", token);
        server.http.postJson("/api/v1/accounts/" + g2 + "/follow", token, "{}");
        Await.until("the Follow of g2", () -> peer.received("Follow").stream()
                .anyMatch(f -> f.activity().path("object").asString().equals(peer.actorUri("g2"))));
        String followId = peer.received("Follow").stream()
                .filter(f -> f.activity().path("object").asString().equals(peer.actorUri("g2")))
                .findFirst().orElseThrow().activity().path("id").asString();
        deliver(peer, "g2", activity(peer, "g2", "Reject", followId));
        Await.until("the request withdrawn", () -> !relationship(token, g2).path("requested").asBoolean());
    }

    // --- statuses in ----------------------------------------------------------------------------

    @Test
    void aRemotePostReachesFollowersHomeSanitizedWithMentionsTagsAndMedia() {
        String token = local("hana");
        peer.actor("p1");
        localFollows(token, "hana", peer, "p1");
        ObjectNode note = note(peer, "p1", "<p>Hi <span class=\"h-card\"><a href=\"" + server.baseUrl
                + "/@hana\" class=\"u-url mention\">@hana</a></span> #Caravan<script>alert(1)</script></p>",
                List.of(PUBLIC), List.of(peer.actorUri("p1") + "/followers"));
        ArrayNode tags = (ArrayNode) note.path("tag");
        tags.addObject().put("type", "Mention").put("href", localUri("hana")).put("name", "@hana");
        tags.addObject().put("type", "Hashtag").put("href", peer.base + "/tags/caravan").put("name", "#Caravan");
        note.putArray("attachment").addObject().put("type", "Document").put("mediaType", "image/png")
                .put("url", peer.base + "/media/cat.png").put("name", "A cat").put("width", 640).put("height", 480);
        note.putObject("contentMap").put("en", note.path("content").asString());
        note.put("url", peer.base + "/@p1/" + SEQ.get());
        deliver(peer, "p1", activity(peer, "p1", "Create", note));
        String uri = note.path("id").asString();
        Await.until("the post in home", () -> server.http.get("/api/v1/timelines/home", token).json().valueStream()
                .anyMatch(s -> s.path("uri").asString().equals(uri)));
        JsonNode status = server.http.get("/api/v1/timelines/home", token).json().valueStream()
                .filter(s -> s.path("uri").asString().equals(uri)).findFirst().orElseThrow();
        MastodonSchemas.assertValid("Status", status);
        assertThat(status.path("content").asString()).doesNotContain("script").contains("#Caravan");
        assertThat(status.path("url").asString()).isEqualTo(note.path("url").asString());
        assertThat(status.path("visibility").asString()).isEqualTo("public");
        assertThat(status.path("language").asString()).isEqualTo("en");
        assertThat(status.path("account").path("acct").asString()).isEqualTo("p1@" + peer.domain);
        assertThat(status.path("mentions").get(0).path("acct").asString()).isEqualTo("hana");
        assertThat(status.path("tags").get(0).path("name").asString()).isEqualTo("caravan");
        JsonNode media = status.path("media_attachments").get(0);
        MastodonSchemas.assertValid("MediaAttachment", media);
        assertThat(media.path("type").asString()).isEqualTo("image");
        assertThat(media.path("remote_url").asString()).isEqualTo(peer.base + "/media/cat.png");
        assertThat(media.path("description").asString()).isEqualTo("A cat");
        Await.until("the mention notification", () -> server.http.get("/api/v1/notifications?types[]=mention", token)
                .json().valueStream().anyMatch(n -> n.path("status").path("uri").asString().equals(uri)));

        // The same Create again stores nothing new.
        deliver(peer, "p1", activity(peer, "p1", "Create", note));
        long copies = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM statuses WHERE uri = :u")
                .bind("u", uri).mapTo(Long.class).one());
        assertThat(copies).isEqualTo(1);
    }

    @Test
    void aFollowersOnlyPostIsSeenByFollowersOnlyAndADirectOneByTheMentionedOnly() {
        String token = local("iris");
        String strangerToken = local("ivan");
        peer.actor("p2");
        localFollows(token, "iris", peer, "p2");
        ObjectNode priv = note(peer, "p2", "<p>for my followers</p>", List.of(peer.actorUri("p2") + "/followers"), List.of());
        deliver(peer, "p2", activity(peer, "p2", "Create", priv));
        ObjectNode direct = note(peer, "p2", "<p>just ivan</p>", List.of(localUri("ivan")), List.of());
        ((ArrayNode) direct.path("tag")).addObject().put("type", "Mention").put("href", localUri("ivan"));
        deliver(peer, "p2", activity(peer, "p2", "Create", direct));
        Await.until("both stored", () -> server.app.statuses().findByUri(priv.path("id").asString()).isPresent()
                && server.app.statuses().findByUri(direct.path("id").asString()).isPresent());
        long privId = server.app.statuses().findByUri(priv.path("id").asString()).orElseThrow().id();
        long directId = server.app.statuses().findByUri(direct.path("id").asString()).orElseThrow().id();
        assertThat(server.http.get("/api/v1/statuses/" + privId, token).json().path("visibility").asString()).isEqualTo("private");
        assertThat(server.http.get("/api/v1/statuses/" + privId, strangerToken).status()).isEqualTo(404);
        assertThat(server.http.get("/api/v1/statuses/" + privId).status()).isEqualTo(404);
        assertThat(server.http.get("/api/v1/statuses/" + directId, strangerToken).json().path("visibility").asString())
                .isEqualTo("direct");
        assertThat(server.http.get("/api/v1/statuses/" + directId, token).status()).isEqualTo(404);
    }

    @Test
    void repliesFetchTheirParentsUpToFiveLevels() {
        String token = local("jade");
        peer.actor("p3");
        String parent = null;
        List<String> chain = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ObjectNode n = note(peer, "p3", "<p>level " + i + "</p>", List.of(PUBLIC), List.of());
            if (parent != null) {
                n.put("inReplyTo", parent);
            }
            parent = n.path("id").asString();
            chain.add(parent);
            peer.objects.put(java.net.URI.create(parent).getPath(), Json.write(n));
        }
        ObjectNode reply = note(peer, "p3", "<p>the reply</p>", List.of(PUBLIC), List.of());
        reply.put("inReplyTo", parent);
        deliver(peer, "p3", activity(peer, "p3", "Create", reply));
        Await.until("the reply", () -> server.app.statuses().findByUri(reply.path("id").asString()).isPresent());
        long id = server.app.statuses().findByUri(reply.path("id").asString()).orElseThrow().id();
        JsonNode context = server.http.get("/api/v1/statuses/" + id + "/context", token).json();
        MastodonSchemas.assertValid("Context", context);
        assertThat(context.path("ancestors").size()).isEqualTo(5);
        assertThat(context.path("ancestors").get(4).path("uri").asString()).isEqualTo(chain.get(7));
        assertThat(server.app.statuses().findByUri(chain.get(2))).as("beyond the depth limit").isEmpty();
        JsonNode status = server.http.get("/api/v1/statuses/" + id, token).json();
        assertThat(status.path("in_reply_to_id").asString()).isEqualTo(context.path("ancestors").get(4).path("id").asString());
    }

    @Test
    void remoteEditsKeepHistoryAndDeletesRemove() {
        String token = local("kim");
        peer.actor("p4");
        ObjectNode note = note(peer, "p4", "<p>first</p>", List.of(PUBLIC), List.of());
        deliver(peer, "p4", activity(peer, "p4", "Create", note));
        String uri = note.path("id").asString();
        Await.until("stored", () -> server.app.statuses().findByUri(uri).isPresent());
        long id = server.app.statuses().findByUri(uri).orElseThrow().id();
        ObjectNode edited = note.deepCopy();
        edited.put("content", "<p>second</p>").put("updated", "2026-01-02T04:00:00Z");
        deliver(peer, "p4", activity(peer, "p4", "Update", edited));
        Await.until("edited", () -> server.http.get("/api/v1/statuses/" + id, token).json().path("content").asString()
                .equals("<p>second</p>"));
        JsonNode status = server.http.get("/api/v1/statuses/" + id, token).json();
        assertThat(status.path("edited_at").asString()).startsWith("2026-01-02T04:00:00");
        JsonNode history = server.http.get("/api/v1/statuses/" + id + "/history", token).json();
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.get(0).path("content").asString()).isEqualTo("<p>first</p>");

        // Another actor cannot delete it; its author can.
        peer.actor("p5");
        ObjectNode foreign = activity(peer, "p5", "Delete", uri);
        deliver(peer, "p5", foreign);
        ObjectNode delete = activity(peer, "p4", "Delete", Json.object().put("id", uri).put("type", "Tombstone"));
        deliver(peer, "p4", delete);
        Await.until("deleted", () -> server.http.get("/api/v1/statuses/" + id, token).status() == 404);
        assertThat(server.app.accounts().findByUri(peer.actorUri("p4")).orElseThrow().stats().statuses()).isZero();
    }

    // --- acts on local statuses -----------------------------------------------------------------

    @Test
    void likesAndBoostsOfLocalPostsCountNotifyAndUndo() {
        String token = local("lena");
        String id = post(token, "{\"status\":\"like me\"}");
        String uri = localUri("lena") + "/statuses/" + id;
        peer.actor("q1");
        ObjectNode like = activity(peer, "q1", "Like", uri);
        deliver(peer, "q1", like);
        ObjectNode announce = activity(peer, "q1", "Announce", uri);
        announce.putArray("to").add(PUBLIC);
        deliver(peer, "q1", announce);
        Await.until("counted", () -> {
            JsonNode s = server.http.get("/api/v1/statuses/" + id, token).json();
            return s.path("favourites_count").asInt() == 1 && s.path("reblogs_count").asInt() == 1;
        });
        JsonNode notifications = server.http.get("/api/v1/notifications", token).json();
        assertThat(notifications.valueStream().map(n -> n.path("type").asString()).toList())
                .contains("favourite", "reblog");
        JsonNode by = server.http.get("/api/v1/statuses/" + id + "/reblogged_by", token).json();
        assertThat(by.get(0).path("acct").asString()).isEqualTo("q1@" + peer.domain);

        deliver(peer, "q1", activity(peer, "q1", "Undo", like.deepCopy()));
        deliver(peer, "q1", activity(peer, "q1", "Undo", announce.deepCopy()));
        Await.until("undone", () -> {
            JsonNode s = server.http.get("/api/v1/statuses/" + id, token).json();
            return s.path("favourites_count").asInt() == 0 && s.path("reblogs_count").asInt() == 0;
        });
    }

    @Test
    void privatePostsCannotBeLikedOrBoostedByStrangers() {
        String token = local("mia");
        String id = post(token, "{\"status\":\"followers only\",\"visibility\":\"private\"}");
        String uri = localUri("mia") + "/statuses/" + id;
        peer.actor("q2");
        deliver(peer, "q2", activity(peer, "q2", "Like", uri));
        deliver(peer, "q2", activity(peer, "q2", "Announce", uri));
        String other = post(token, "{\"status\":\"a later public post\"}");
        deliver(peer, "q2", activity(peer, "q2", "Like", localUri("mia") + "/statuses/" + other));
        Await.until("the later like", () -> server.http.get("/api/v1/statuses/" + other, token).json()
                .path("favourites_count").asInt() == 1);
        JsonNode s = server.http.get("/api/v1/statuses/" + id, token).json();
        assertThat(s.path("favourites_count").asInt()).isZero();
        assertThat(s.path("reblogs_count").asInt()).isZero();
    }

    @Test
    void blocksAndReportsFromRemoteAccounts() {
        String token = local("nora");
        String id = post(token, "{\"status\":\"reportable\"}");
        peer.actor("r1");
        remoteFollows(peer, "r1", "nora");
        long r1 = remoteId(peer, "r1", token);
        ObjectNode block = activity(peer, "r1", "Block", localUri("nora"));
        deliver(peer, "r1", block);
        Await.until("blocked_by", () -> relationship(token, r1).path("blocked_by").asBoolean());
        assertThat(relationship(token, r1).path("followed_by").asBoolean()).isFalse();
        deliver(peer, "r1", activity(peer, "r1", "Undo", block.deepCopy()));
        Await.until("unblocked", () -> !relationship(token, r1).path("blocked_by").asBoolean());

        ObjectNode flag = activity(peer, "r1", "Flag", Json.MAPPER.createArrayNode().add(localUri("nora"))
                .add(localUri("nora") + "/statuses/" + id));
        flag.put("content", "spam, says r1");
        deliver(peer, "r1", flag);
        Await.until("the report", () -> server.app.reports().newest(20).stream()
                .anyMatch(l -> l.report().comment().equals("spam, says r1")));
        var report = server.app.reports().newest(20).stream()
                .filter(l -> l.report().comment().equals("spam, says r1")).findFirst().orElseThrow().report();
        assertThat(report.targetAccountId()).isEqualTo(localId("nora"));
        assertThat(report.statusIds()).containsExactly(Long.parseLong(id));
    }

    // --- statuses out ---------------------------------------------------------------------------

    @Test
    void postsAreAddressedAsMastodonAndReachOnlyTheRightServers() {
        String token = local("olga");
        peer.actor("s1");
        other.actor("s2");
        remoteFollows(peer, "s1", "olga");
        post(token, "{\"status\":\"public hello\"}");
        post(token, "{\"status\":\"followers hello\",\"visibility\":\"private\"}");
        post(token, "{\"status\":\"@s2@" + other.domain + " direct hello\",\"visibility\":\"direct\"}");
        Await.until("the public and private posts at the follower's server", () ->
                creates(peer, "public hello").size() == 1 && creates(peer, "followers hello").size() == 1);
        Await.until("the direct post at the mentioned account's server", () -> creates(other, "direct hello").size() == 1);
        JsonNode pub = creates(peer, "public hello").get(0).activity();
        assertThat(pub.path("to").get(0).asString()).isEqualTo(PUBLIC);
        assertThat(pub.path("cc").get(0).asString()).isEqualTo(localUri("olga") + "/followers");
        assertThat(creates(peer, "public hello").get(0).path()).isEqualTo("/inbox");
        assertThat(creates(peer, "public hello").get(0).signature()).contains("keyId=\"" + localUri("olga") + "#main-key\"");
        JsonNode priv = creates(peer, "followers hello").get(0).activity();
        assertThat(priv.path("to").get(0).asString()).isEqualTo(localUri("olga") + "/followers");
        assertThat(priv.path("cc").toString()).doesNotContain(PUBLIC);
        JsonNode direct = creates(other, "direct hello").get(0).activity();
        assertThat(direct.path("to").get(0).asString()).isEqualTo(other.actorUri("s2"));
        assertThat(direct.path("object").path("tag").get(0).path("href").asString()).isEqualTo(other.actorUri("s2"));
        assertThat(creates(other, "public hello")).isEmpty();
        assertThat(creates(other, "followers hello")).isEmpty();
        assertThat(creates(peer, "direct hello")).isEmpty();
    }

    @Test
    void editsDeletesLikesBoostsAndProfileChangesGoOut() {
        String token = local("pia");
        peer.actor("t1");
        remoteFollows(peer, "t1", "pia");
        String id = post(token, "{\"status\":\"to be edited\"}");
        server.http.send(server.http.request("/api/v1/statuses/" + id).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":\"edited now\"}")).build());
        Await.until("the Update", () -> peer.received("Update").stream()
                .anyMatch(r -> r.activity().path("object").path("content").asString().contains("edited now")));
        server.http.send(server.http.request("/api/v1/statuses/" + id).header("Authorization", "Bearer " + token)
                .DELETE().build());
        String uri = localUri("pia") + "/statuses/" + id;
        Await.until("the Delete", () -> peer.received("Delete").stream()
                .anyMatch(r -> r.activity().path("object").path("id").asString().equals(uri)));

        // Acts on the peer's post go to its author.
        localFollows(token, "pia", peer, "t1");
        ObjectNode note = note(peer, "t1", "<p>like this</p>", List.of(PUBLIC), List.of());
        deliver(peer, "t1", activity(peer, "t1", "Create", note));
        Await.until("stored", () -> server.app.statuses().findByUri(note.path("id").asString()).isPresent());
        long remote = server.app.statuses().findByUri(note.path("id").asString()).orElseThrow().id();
        server.http.postJson("/api/v1/statuses/" + remote + "/favourite", token, "{}");
        server.http.postJson("/api/v1/statuses/" + remote + "/reblog", token, "{}");
        Await.until("the Like and the Announce", () ->
                peer.received("Like").stream().anyMatch(r -> r.activity().path("object").asString().equals(note.path("id").asString()))
                && peer.received("Announce").stream().anyMatch(r -> r.activity().path("object").asString().equals(note.path("id").asString())));
        server.http.postJson("/api/v1/statuses/" + remote + "/unfavourite", token, "{}");
        server.http.postJson("/api/v1/statuses/" + remote + "/unreblog", token, "{}");
        Await.until("the Undos", () -> peer.received("Undo").stream().map(r -> r.activity().path("object").path("type").asString())
                .toList().containsAll(List.of("Like", "Announce")));

        server.http.patchJson("/api/v1/accounts/update_credentials", token, "{\"display_name\":\"Pia Renamed\"}");
        Await.until("the actor Update", () -> peer.received("Update").stream()
                .anyMatch(r -> r.activity().path("object").path("name").asString().equals("Pia Renamed")));
    }

    @Test
    void aReplyToARemotePostNamesItsUriAndReachesItsAuthor() {
        String token = local("quin");
        other.actor("u1");
        ObjectNode note = note(other, "u1", "<p>reply to me</p>", List.of(PUBLIC), List.of());
        other.actor("u2");
        deliver(other, "u1", activity(other, "u1", "Create", note));
        Await.until("stored", () -> server.app.statuses().findByUri(note.path("id").asString()).isPresent());
        long parent = server.app.statuses().findByUri(note.path("id").asString()).orElseThrow().id();
        post(token, "{\"status\":\"my answer\",\"in_reply_to_id\":\"" + parent + "\"}");
        Await.until("the reply at the author's server", () -> creates(other, "my answer").size() == 1);
        assertThat(creates(other, "my answer").get(0).activity().path("object").path("inReplyTo").asString())
                .isEqualTo(note.path("id").asString());
    }

    @Test
    void aQuestionIsAStatusWithAPollWhoseCountsFollowItsServer() {
        String token = local("rosa");
        peer.actor("v1");
        ObjectNode question = note(peer, "v1", "<p>Tea or coffee?</p>", List.of(PUBLIC), List.of());
        question.put("type", "Question").put("endTime", "2030-01-01T00:00:00Z").put("votersCount", 3);
        ArrayNode options = question.putArray("oneOf");
        options.addObject().put("type", "Note").put("name", "Tea").putObject("replies").put("type", "Collection").put("totalItems", 2);
        options.addObject().put("type", "Note").put("name", "Coffee").putObject("replies").put("type", "Collection").put("totalItems", 1);
        deliver(peer, "v1", activity(peer, "v1", "Create", question));
        String uri = question.path("id").asString();
        Await.until("stored", () -> server.app.statuses().findByUri(uri).isPresent());
        long id = server.app.statuses().findByUri(uri).orElseThrow().id();
        JsonNode poll = server.http.get("/api/v1/statuses/" + id, token).json().path("poll");
        MastodonSchemas.assertValid("Poll", poll);
        assertThat(poll.path("options").get(0).path("title").asString()).isEqualTo("Tea");
        assertThat(poll.path("options").get(0).path("votes_count").asInt()).isEqualTo(2);
        assertThat(poll.path("votes_count").asInt()).isEqualTo(3);
        assertThat(poll.path("voters_count").asInt()).isEqualTo(3);
        assertThat(poll.path("multiple").asBoolean()).isFalse();
        assertThat(poll.path("expires_at").asString()).startsWith("2030-01-01T00:00:00");

        ObjectNode counted = question.deepCopy();
        ((ObjectNode) counted.path("oneOf").get(1).path("replies")).put("totalItems", 5);
        counted.put("votersCount", 7);
        deliver(peer, "v1", activity(peer, "v1", "Update", counted));
        Await.until("new counts", () -> server.http.get("/api/v1/statuses/" + id, token).json().path("poll")
                .path("voters_count").asInt() == 7);
        JsonNode status = server.http.get("/api/v1/statuses/" + id, token).json();
        assertThat(status.path("poll").path("options").get(1).path("votes_count").asInt()).isEqualTo(5);
        assertThat(status.path("edited_at").isNull()).as("new counts are no edit").isTrue();
    }

    @Test
    void aReportAboutARemoteAccountIsForwardedAsAFlagOfTheInstanceActorWhenAsked() {
        String token = local("sara");
        peer.actor("w1");
        ObjectNode note = note(peer, "w1", "<p>rude words</p>", List.of(PUBLIC), List.of());
        deliver(peer, "w1", activity(peer, "w1", "Create", note));
        Await.until("stored", () -> server.app.statuses().findByUri(note.path("id").asString()).isPresent());
        long statusId = server.app.statuses().findByUri(note.path("id").asString()).orElseThrow().id();
        long w1 = remoteId(peer, "w1", token);
        Http.Response kept = server.http.postJson("/api/v1/reports", token,
                "{\"account_id\":\"" + w1 + "\",\"comment\":\"kept here\"}");
        assertThat(kept.json().path("forwarded").asBoolean()).isFalse();
        Http.Response r = server.http.postJson("/api/v1/reports", token, "{\"account_id\":\"" + w1
                + "\",\"status_ids\":[\"" + statusId + "\"],\"comment\":\"please look\",\"forward\":true}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Report", r.json());
        assertThat(r.json().path("forwarded").asBoolean()).isTrue();
        Await.until("the Flag", () -> !peer.received("Flag").isEmpty());
        List<FakeFediverse.Received> flags = peer.received("Flag");
        assertThat(flags).hasSize(1);
        JsonNode flag = flags.get(0).activity();
        assertThat(flag.path("actor").asString()).isEqualTo(server.baseUrl + "/actor");
        assertThat(flag.path("content").asString()).isEqualTo("please look");
        assertThat(flag.path("object").valueStream().map(JsonNode::asString).toList())
                .containsExactly(peer.actorUri("w1"), note.path("id").asString());
        assertThat(flags.get(0).signature()).contains("keyId=\"" + server.baseUrl + "/actor#main-key\"");
    }

    @Test
    void aBlockedRemoteAccountsFollowIsRejectedAndItsLikesAndMentionsGoNowhere() {
        String token = local("tess");
        String id = post(token, "{\"status\":\"not for blocked eyes\"}");
        peer.actor("x1");
        long x1 = remoteId(peer, "x1", token);
        server.http.postJson("/api/v1/accounts/" + x1 + "/block", token, "{}");
        Await.until("the Block delivered", () -> peer.received("Block").stream()
                .anyMatch(r -> r.activity().path("object").asString().equals(peer.actorUri("x1"))));
        ObjectNode follow = activity(peer, "x1", "Follow", localUri("tess"));
        deliver(peer, "x1", follow);
        Await.until("the Reject", () -> peer.received("Reject").stream()
                .anyMatch(r -> r.activity().path("object").path("id").asString().equals(follow.path("id").asString())));
        deliver(peer, "x1", activity(peer, "x1", "Like", localUri("tess") + "/statuses/" + id));
        ObjectNode mention = note(peer, "x1", "<p>@tess hello</p>", List.of(PUBLIC), List.of());
        ((ArrayNode) mention.path("tag")).addObject().put("type", "Mention").put("href", localUri("tess"));
        deliver(peer, "x1", activity(peer, "x1", "Create", mention));
        Await.until("the mention stored", () -> server.app.statuses().findByUri(mention.path("id").asString()).isPresent());
        assertThat(relationship(token, x1).path("followed_by").asBoolean()).isFalse();
        assertThat(server.http.get("/api/v1/statuses/" + id, token).json().path("favourites_count").asInt()).isZero();
        assertThat(server.http.get("/api/v1/notifications", token).json().valueStream()
                .filter(n -> n.path("account").path("id").asString().equals(Long.toString(x1)))).isEmpty();
    }
}
