package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.App;
import social.caravan.core.json.Json;
import social.caravan.federation.DomainBlock;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.StreamSocket;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Federation beyond the inbox's basics, with a worker and a fake peer on loopback: search resolving
 * post URLs on other servers, votes in remote polls sent to their server, silenced domains, the Delete
 * of a deleted local account's actor, custom emoji of remote posts and profiles.
 */
class FederationGapsTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
    static final AtomicInteger SEQ = new AtomicInteger();
    static TestServer server;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"),
                EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER, App.ProcessRole.STREAMING));
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

    /** A Note the peer serves at its own path; returns its id. */
    static ObjectNode served(String user, String content, List<String> to, List<String> cc) {
        String path = "/notes/" + SEQ.incrementAndGet();
        ObjectNode n = Json.object();
        n.put("@context", "https://www.w3.org/ns/activitystreams");
        n.put("id", peer.base + path);
        n.put("type", "Note");
        n.put("attributedTo", peer.actorUri(user));
        n.put("content", content);
        n.put("published", "2026-01-02T03:04:05Z");
        to.forEach(n.withArray("to")::add);
        cc.forEach(n.withArray("cc")::add);
        n.putArray("tag");
        peer.objects.put(path, Json.write(n));
        return n;
    }

    static void deliver(String user, ObjectNode activity) {
        Http.Response r = server.http.send(peer.signedPost(server.baseUrl + "/inbox", user, Json.write(activity)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    static ObjectNode activity(String user, String type, JsonNode object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", peer.base + "/activities/" + SEQ.incrementAndGet());
        a.put("type", type);
        a.put("actor", peer.actorUri(user));
        a.set("object", object);
        return a;
    }

    /** A public Note the peer's actor posts to Caravan's shared inbox; returns the local status id. */
    static long posted(String user, ObjectNode note) {
        deliver(user, activity(user, "Create", note));
        String uri = note.path("id").asString();
        Await.until("stored " + uri, () -> server.app.statuses().findByUri(uri).isPresent());
        return server.app.statuses().findByUri(uri).orElseThrow().id();
    }

    static Http.Response search(String q, String type, String token) {
        return server.http.get("/api/v2/search?resolve=true&type=" + type + "&q="
                + URLEncoder.encode(q, StandardCharsets.UTF_8), token);
    }

    // --- search resolves post URLs ----------------------------------------------------------------

    @Test
    void searchWithResolveFetchesAPostUrlOnAnotherServerAndStoresIt() {
        String token = local("ana");
        peer.actor("s1");
        ObjectNode note = served("s1", "<p>found by its URL</p>", List.of(PUBLIC), List.of());
        String uri = note.path("id").asString();

        Http.Response r = search(uri, "statuses", token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Search", r.json());
        JsonNode found = r.json().path("statuses");
        assertThat(found.size()).isEqualTo(1);
        MastodonSchemas.assertValid("Status", found.get(0));
        assertThat(found.get(0).path("uri").asString()).isEqualTo(uri);
        assertThat(found.get(0).path("content").asString()).contains("found by its URL");
        assertThat(found.get(0).path("account").path("acct").asString()).isEqualTo("s1@" + peer.domain);
        long id = server.app.statuses().findByUri(uri).orElseThrow().id();
        assertThat(found.get(0).path("id").asString()).isEqualTo(Long.toString(id));

        // Stored: the second search finds it without asking the peer again.
        long fetches = peer.requests.stream().filter(p -> p.startsWith(note.path("id").asString().substring(peer.base.length()))).count();
        Http.Response again = search(uri, "", token);
        assertThat(again.json().path("statuses").get(0).path("id").asString()).isEqualTo(Long.toString(id));
        assertThat(again.json().path("accounts").size()).isZero();
        assertThat(peer.requests.stream().filter(p -> p.startsWith(uri.substring(peer.base.length()))).count()).isEqualTo(fetches);

        // Only the kinds asked for: an actor URL is no status, a post URL no account.
        assertThat(search(peer.actorUri("s1"), "statuses", token).json().path("statuses").size()).isZero();
        assertThat(search(uri, "accounts", token).json().path("accounts").size()).isZero();
        assertThat(search(peer.actorUri("s1"), "accounts", token).json().path("accounts").get(0).path("acct").asString())
                .isEqualTo("s1@" + peer.domain);
    }

    @Test
    void aResolvedPostTheViewerMayNotSeeIsNotShownAndResolvingNeedsASignedInReader() {
        String token = local("bea");
        peer.actor("s2");
        ObjectNode note = served("s2", "<p>for my followers</p>", List.of(peer.actorUri("s2") + "/followers"), List.of());
        String uri = note.path("id").asString();

        Http.Response r = search(uri, "statuses", token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("statuses").size()).as("followers-only, and bea does not follow").isZero();

        assertThat(search(peer.base + "/notes/missing", "statuses", token).json().path("statuses").size()).isZero();
        assertThat(search(uri, "statuses", null).status()).isEqualTo(401);
        assertThat(search(uri, "statuses", server.token("bea", "write")).status()).isEqualTo(403);
        assertThat(search(uri, "statuses", "no-such-token").status()).isEqualTo(401);
    }

    // --- a Delete that overtakes its Create ---------------------------------------------------------

    @Test
    void aPostWhoseDeleteCameFirstIsNotStoredWhenItsCreateArrives() {
        peer.actor("t1");
        ObjectNode early = served("t1", "<p>deleted before it came</p>", List.of(PUBLIC), List.of());
        String uri = early.path("id").asString();
        deliver("t1", activity("t1", "Delete", Json.read("\"" + uri + "\"")));
        Await.until("the Delete applied", () -> server.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM status_tombstones WHERE uri = :u").bind("u", uri).mapTo(Integer.class).one()) == 1);

        deliver("t1", activity("t1", "Create", early));
        posted("t1", served("t1", "<p>after it</p>", List.of(PUBLIC), List.of()));
        Await.until("the ingress queue idle", () -> server.app.queue().stats().stream()
                .filter(q -> q.queue().equals(social.caravan.core.queue.Queues.INGRESS)).allMatch(q -> q.ready() + q.running() == 0));
        int stored = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM statuses WHERE uri = :u")
                .bind("u", uri).mapTo(Integer.class).one());
        assertThat(stored).as("not stored, not even as deleted").isZero();
        assertThat(server.app.queue().dead(50)).noneMatch(j -> j.payload().contains(uri));
    }

    // --- votes in remote polls --------------------------------------------------------------------

    @Test
    void aLocalVoteInARemotePollIsSentToThePollsAuthorAsACreateOfANamedNote() {
        String token = local("cleo");
        peer.actor("q1");
        ObjectNode question = served("q1", "<p>Which ones?</p>", List.of(PUBLIC), List.of());
        question.put("type", "Question").put("endTime", "2030-01-01T00:00:00Z");
        ArrayNode options = question.putArray("anyOf");
        for (String title : List.of("Red", "Green", "Blue")) {
            options.addObject().put("type", "Note").put("name", title).putObject("replies").put("type", "Collection")
                    .put("totalItems", 0);
        }
        long status = posted("q1", question);
        String pollId = server.http.get("/api/v1/statuses/" + status, token).json().path("poll").path("id").asString();

        assertThat(server.http.postJson("/api/v1/polls/" + pollId + "/votes", null, "{\"choices\":[\"0\"]}").status())
                .isEqualTo(401);
        assertThat(server.http.postJson("/api/v1/polls/" + pollId + "/votes", server.token("cleo", "read"),
                "{\"choices\":[\"0\"]}").status()).isEqualTo(403);
        Http.Response r = server.http.postJson("/api/v1/polls/" + pollId + "/votes", token, "{\"choices\":[\"0\",\"2\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Poll", r.json());

        String questionId = question.path("id").asString();
        Await.until("two votes at the peer", () -> votes(questionId).size() == 2);
        List<FakeFediverse.Received> votes = votes(questionId);
        assertThat(votes).allSatisfy(v -> {
            assertThat(v.path()).as("the author's own inbox").isEqualTo("/users/q1/inbox");
            assertThat(v.activity().path("actor").asString()).isEqualTo(server.baseUrl + "/users/cleo");
            assertThat(v.signature()).contains("keyId=\"" + server.baseUrl + "/users/cleo#main-key\"");
            JsonNode note = v.activity().path("object");
            assertThat(note.path("type").asString()).isEqualTo("Note");
            assertThat(note.path("attributedTo").asString()).isEqualTo(server.baseUrl + "/users/cleo");
            assertThat(note.path("to").get(0).asString()).isEqualTo(peer.actorUri("q1"));
            assertThat(note.path("id").asString()).startsWith(server.baseUrl + "/users/cleo#votes/");
        });
        assertThat(votes.stream().map(v -> v.activity().path("object").path("name").asString()).sorted().toList())
                .containsExactly("Blue", "Red");
    }

    @Test
    void aLocalPollFederatesAsAQuestionAndItsNewCountsReachItsVotersAfterAVoteAndAtItsEnd() {
        String token = local("pia");
        String actor = server.baseUrl + "/users/pia";
        peerFollows("p1", actor);
        JsonNode posted = server.http.postJson("/api/v1/statuses", token,
                "{\"status\":\"tea or coffee?\",\"poll\":{\"options\":[\"tea\",\"coffee\"],\"expires_in\":3600}}").json();
        String uri = posted.path("uri").asString();
        Await.until("the Create at p1's server", () -> questions("Create", uri).size() == 1);
        JsonNode question = questions("Create", uri).getFirst();
        assertThat(question.path("oneOf").findValuesAsString("name")).containsExactly("tea", "coffee");
        assertThat(question.path("oneOf").get(0).path("replies").path("totalItems").asInt()).isZero();
        assertThat(question.path("endTime").asString()).isEqualTo(
                social.caravan.federation.vocab.ActivityStreams.time(java.time.Instant.parse(posted.path("poll").path("expires_at").asString())));
        assertThat(question.has("closed")).isFalse();
        assertThat(getActivity(java.net.URI.create(uri).getPath()).json().path("type").asString()).isEqualTo("Question");

        // p1 votes as Mastodon does: a Note named after the option, in reply to the Question.
        ObjectNode vote = Json.object().put("id", peer.base + "/votes/" + SEQ.incrementAndGet()).put("type", "Note")
                .put("name", "coffee").put("attributedTo", peer.actorUri("p1")).put("inReplyTo", uri);
        vote.putArray("to").add(actor);
        deliver("p1", activity("p1", "Create", vote));
        Await.until("the vote counted", () -> server.http.get("/api/v1/statuses/" + posted.path("id").asString(), token)
                .json().path("poll").path("votes_count").asInt() == 1);
        // The update waits three minutes, as Mastodon's; brought forward here.
        org.jdbi.v3.core.Jdbi jdbi = server.app.database().jdbi();
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE jobs SET run_at = now() WHERE unique_key = :k").bind("k", "poll-counts:" + posted.path("id").asString()).execute();
            h.execute("SELECT pg_notify('caravan_jobs', 'push')");
        });
        Await.until("the Update at p1's server", () -> questions("Update", uri).size() == 1);
        JsonNode updated = questions("Update", uri).getFirst();
        assertThat(updated.path("oneOf").get(1).path("replies").path("totalItems").asInt()).as("coffee").isEqualTo(1);
        assertThat(updated.path("votersCount").asInt()).isEqualTo(1);

        // At its end, the closed Question goes out at once.
        jdbi.useHandle(h -> h.createUpdate("UPDATE polls SET expires_at = now() - interval '1 second' WHERE status_id = :s")
                .bind("s", Long.parseLong(posted.path("id").asString())).execute());
        server.app.polls().end(Long.parseLong(posted.path("poll").path("id").asString()));
        Await.until("the closed Question at p1's server", () -> questions("Update", uri).stream().anyMatch(q -> q.has("closed")));
    }

    @Test
    void pinningAndUnpinningAPostSendAddAndRemoveOfItsFeaturedCollectionToFollowers() {
        String token = local("pina");
        String actor = server.baseUrl + "/users/pina";
        peerFollows("p2", actor);
        JsonNode posted = server.http.postJson("/api/v1/statuses", token, "{\"status\":\"pin me\"}").json();
        String id = posted.path("id").asString();
        String uri = posted.path("uri").asString();

        assertThat(server.http.postJson("/api/v1/statuses/" + id + "/pin", token, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/statuses/" + id + "/pin", token, "{}").status()).as("again").isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/statuses/" + id + "/unpin", token, "{}").status()).isEqualTo(200);
        // Each is its own publish job, so they may arrive in either order.
        Await.until("the Add and the Remove at p2's server", () -> featured("Remove", uri).size() == 1
                && !featured("Add", uri).isEmpty());
        List<FakeFediverse.Received> adds = featured("Add", uri);
        assertThat(adds).as("one Add: pinning again changes nothing").hasSize(1);
        JsonNode add = adds.getFirst().activity();
        assertThat(add.path("actor").asString()).isEqualTo(actor);
        assertThat(add.path("target").asString()).isEqualTo(actor + "/collections/featured");
        assertThat(adds.getFirst().signature()).contains("keyId=\"" + actor + "#main-key\"");
        assertThat(featured("Remove", uri).getFirst().activity().path("target").asString()).isEqualTo(actor + "/collections/featured");
    }

    @Test
    void featuringAndUnfeaturingAHashtagSendAddAndRemoveOfItToFollowers() {
        String token = local("tagga");
        String actor = server.baseUrl + "/users/tagga";
        peerFollows("p3", actor);
        Http.Response featured = server.http.postJson("/api/v1/featured_tags", token, "{\"name\":\"Caravans\"}");
        assertThat(featured.status()).as(featured.body()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/tags/Boats/feature", token, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/tags/Boats/feature", token, "{}").status()).as("again").isEqualTo(200);
        assertThat(server.http.send(server.http.request("/api/v1/featured_tags/" + featured.json().path("id").asString())
                .header("Authorization", "Bearer " + token).DELETE().build()).status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/tags/Boats/unfeature", token, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/tags/Boats/unfeature", token, "{}").status()).as("again").isEqualTo(200);

        // Each is its own publish job, so they may arrive in any order.
        Await.until("both Adds and both Removes at p3's server", () -> hashtags("Remove", actor).size() == 2
                && hashtags("Add", actor).size() >= 2);
        assertThat(hashtags("Add", actor)).as("featuring again sends nothing").containsExactlyInAnyOrder("#Caravans", "#Boats");
        assertThat(hashtags("Remove", actor)).containsExactlyInAnyOrder("#Caravans", "#Boats");
        JsonNode add = peer.received("Add").stream().map(FakeFediverse.Received::activity)
                .filter(a -> a.path("actor").asString().equals(actor) && a.path("object").path("name").asString().equals("#Caravans"))
                .findFirst().orElseThrow();
        assertThat(add.path("target").asString()).isEqualTo(actor + "/collections/tags");
        assertThat(add.path("object").path("type").asString()).isEqualTo("Hashtag");
        assertThat(add.path("object").path("href").asString()).isEqualTo(server.baseUrl + "/tags/Caravans");
    }

    /** The names of the Hashtags {@code actor} added to or removed from its featured tags, as the peer got them. */
    static List<String> hashtags(String type, String actor) {
        return peer.received(type).stream().map(FakeFediverse.Received::activity)
                .filter(a -> a.path("actor").asString().equals(actor) && a.path("object").path("type").asString().equals("Hashtag"))
                .map(a -> a.path("object").path("name").asString()).toList();
    }

    /** The peer's {@code user} follows the local {@code actor}, which accepts. */
    static void peerFollows(String user, String actor) {
        peer.actor(user);
        ObjectNode follow = activity(user, "Follow", Json.read("\"" + actor + "\""));
        deliver(user, follow);
        Await.until("the Accept of " + user, () -> peer.received("Accept").stream()
                .anyMatch(r -> r.activity().path("object").path("id").asString().equals(follow.path("id").asString())));
    }

    /** The Adds or Removes of {@code uri} the peer received. */
    static List<FakeFediverse.Received> featured(String type, String uri) {
        return peer.received(type).stream().filter(r -> r.activity().path("object").asString().equals(uri)).toList();
    }

    /** The Questions with id {@code uri} that the peer received in activities of {@code type}. */
    static List<JsonNode> questions(String type, String uri) {
        return peer.received(type).stream().map(r -> r.activity().path("object"))
                .filter(o -> o.path("id").asString().equals(uri) && o.path("type").asString().equals("Question")).toList();
    }

    static List<FakeFediverse.Received> votes(String questionId) {
        return peer.received("Create").stream()
                .filter(c -> c.activity().path("object").path("inReplyTo").asString().equals(questionId)
                        && c.activity().path("object").has("name")).toList();
    }

    // --- silenced domains -------------------------------------------------------------------------

    /** {@code localName} follows the peer's {@code user}, who accepts. */
    static void follows(String token, String localName, String user) {
        long id = server.http.get("/api/v2/search?resolve=true&type=accounts&q=" + user + "@" + peer.domain, token)
                .json().path("accounts").get(0).path("id").asLong();
        assertThat(server.http.postJson("/api/v1/accounts/" + id + "/follow", token, "{}").status()).isEqualTo(200);
        String actor = server.baseUrl + "/users/" + localName;
        Await.until("the Follow of " + user, () -> peer.received("Follow").stream()
                .anyMatch(f -> f.activity().path("actor").asString().equals(actor)));
        JsonNode follow = peer.received("Follow").stream().filter(f -> f.activity().path("actor").asString().equals(actor))
                .findFirst().orElseThrow().activity();
        deliver(user, activity(user, "Accept", follow.deepCopy()));
        Await.until(localName + " following " + user, () -> server.http.get("/api/v1/accounts/relationships?id[]=" + id, token)
                .json().get(0).path("following").asBoolean());
    }

    static List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.body()).isIn(200, 206);
        List<String> ids = new java.util.ArrayList<>();
        r.json().forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    static List<String> notificationTypes(String token, String fromId) {
        List<String> types = new java.util.ArrayList<>();
        server.http.get("/api/v1/notifications", token).json().forEach(n -> {
            if (n.path("account").path("id").asString().equals(fromId)) {
                types.add(n.path("type").asString());
            }
        });
        return types;
    }

    @Test
    void postsAndNotificationsOfASilencedDomainReachOnlyThoseWhoFollowItsAccounts() {
        String follower = local("fay");
        String stranger = local("gus");
        peer.actor("s3");
        follows(follower, "fay", "s3");
        String s3 = Long.toString(server.app.accounts().findByUri(peer.actorUri("s3")).orElseThrow().id());
        assertThat(server.http.postJson("/api/v1/tags/quiet/follow", stranger, "{}").status()).isEqualTo(200);
        ids(server.http.get("/api/v1/timelines/home", follower));
        ids(server.http.get("/api/v1/timelines/home", stranger));
        String fayPost = server.http.postJson("/api/v1/statuses", follower, "{\"status\":\"fay says hi\"}").json().path("id").asString();
        String gusPost = server.http.postJson("/api/v1/statuses", stranger, "{\"status\":\"gus says hi\"}").json().path("id").asString();

        server.app.domainBlocks().block("127.0.0.1", DomainBlock.Severity.SILENCE, false);
        try (StreamSocket socket = StreamSocket.open(server.baseUrl, stranger)) {
            socket.subscribe("public");
            socket.send("{\"type\":\"subscribe\",\"stream\":\"hashtag\",\"tag\":\"quiet\"}");
            Await.until("the public stream listened to", () -> server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM streaming_channels WHERE channel = 'timeline:public'").mapTo(Integer.class).one()) > 0);

            ObjectNode note = served("s3", "<p>quietly #quiet @gus</p>", List.of(PUBLIC), List.of());
            note.withArray("tag").addObject().put("type", "Hashtag").put("name", "#quiet");
            note.withArray("tag").addObject().put("type", "Mention").put("href", server.baseUrl + "/users/gus");
            String quiet = Long.toString(posted("s3", note));
            deliver("s3", activity("s3", "Like", Json.read("\"" + server.baseUrl + "/users/fay/statuses/" + fayPost + "\"")));
            deliver("s3", activity("s3", "Like", Json.read("\"" + server.baseUrl + "/users/gus/statuses/" + gusPost + "\"")));
            Await.until("fay's home", () -> ids(server.http.get("/api/v1/timelines/home", follower)).contains(quiet));
            Await.until("fay's favourite", () -> notificationTypes(follower, s3).contains("favourite"));

            assertThat(ids(server.http.get("/api/v1/timelines/public", stranger))).doesNotContain(quiet);
            assertThat(ids(server.http.get("/api/v1/timelines/public?remote=true"))).doesNotContain(quiet);
            assertThat(ids(server.http.get("/api/v1/timelines/tag/quiet", stranger))).doesNotContain(quiet);
            assertThat(ids(server.http.get("/api/v1/timelines/home", stranger))).doesNotContain(quiet);
            assertThat(notificationTypes(stranger, s3)).as("limited, and gus does not follow s3").isEmpty();
            assertThat(server.http.get("/api/v2/notifications/policy", stranger).json().path("summary")
                    .path("pending_notifications_count").asInt()).as("filtered, as for_limited_accounts says").isEqualTo(1);
            assertThat(socket.drain(Duration.ofMillis(500))).noneMatch(m -> m.path("payload").asString().contains("quietly"));

            // Lifted: the same account's next post is public again, on the streams and the timelines.
            server.app.domainBlocks().unblock("127.0.0.1");
            ObjectNode loud = served("s3", "<p>loudly #quiet</p>", List.of(PUBLIC), List.of());
            loud.withArray("tag").addObject().put("type", "Hashtag").put("name", "#quiet");
            String loudId = Long.toString(posted("s3", loud));
            JsonNode update = socket.awaitEvent("public", "update");
            assertThat(Json.read(update.path("payload").asString()).path("id").asString()).isEqualTo(loudId);
            assertThat(ids(server.http.get("/api/v1/timelines/public", stranger))).contains(loudId, quiet);
            Await.until("gus's home by the followed tag", () -> ids(server.http.get("/api/v1/timelines/home", stranger))
                    .contains(loudId));
        } finally {
            server.app.domainBlocks().unblock("127.0.0.1");
        }
    }

    // --- deleting a local account -----------------------------------------------------------------

    @Test
    void deletingALocalAccountTakesItOutOfOtherAccountsAndStatusesCounts() {
        String eve = local("eve_counts");
        String dora = local("dora_counts");
        String eveId = server.http.get("/api/v1/accounts/verify_credentials", eve).json().path("id").asString();
        String doraId = server.http.get("/api/v1/accounts/verify_credentials", dora).json().path("id").asString();
        JsonNode post = server.http.postJson("/api/v1/statuses", eve,
                "{\"status\":\"which?\",\"poll\":{\"options\":[\"a\",\"b\"],\"expires_in\":3600}}").json();
        String postId = post.path("id").asString();
        String pollId = post.path("poll").path("id").asString();
        assertThat(server.http.postJson("/api/v1/accounts/" + eveId + "/follow", dora, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/accounts/" + doraId + "/follow", eve, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/statuses/" + postId + "/favourite", dora, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/statuses/" + postId + "/reblog", dora, "{}").status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/statuses", dora, "{\"status\":\"a!\",\"in_reply_to_id\":\"" + postId + "\"}")
                .status()).isEqualTo(200);
        assertThat(server.http.postJson("/api/v1/polls/" + pollId + "/votes", dora, "{\"choices\":[0]}").status()).isEqualTo(200);
        JsonNode before = server.http.get("/api/v1/statuses/" + postId, eve).json();
        assertThat(List.of(before.path("favourites_count").asInt(), before.path("reblogs_count").asInt(),
                before.path("replies_count").asInt(), before.path("poll").path("votes_count").asInt())).containsOnly(1);

        server.app.actorDeletion().delete("dora_counts");

        JsonNode account = server.http.get("/api/v1/accounts/" + eveId).json();
        assertThat(account.path("followers_count").asInt()).isZero();
        assertThat(account.path("following_count").asInt()).isZero();
        JsonNode after = server.http.get("/api/v1/statuses/" + postId, eve).json();
        MastodonSchemas.assertValid("Status", after);
        assertThat(after.path("favourites_count").asInt()).isZero();
        assertThat(after.path("reblogs_count").asInt()).isZero();
        assertThat(after.path("replies_count").asInt()).isZero();
        assertThat(after.path("poll").path("votes_count").asInt()).isZero();
        assertThat(after.path("poll").path("voters_count").asInt()).isZero();
        assertThat(after.path("poll").path("options").get(0).path("votes_count").asInt()).isZero();
    }

    @Test
    void deletingALocalAccountSendsADeleteOfItsActorSignedWithItsKeyToEveryKnownServer() {
        String token = local("hana");
        String actor = server.baseUrl + "/users/hana";
        peer.actor("d1");
        peer.actor("d2");
        for (String user : List.of("d1", "d2")) {
            ObjectNode follow = activity(user, "Follow", Json.read("\"" + actor + "\""));
            deliver(user, follow);
            String followId = follow.path("id").asString();
            Await.until("the Accept of " + user, () -> peer.received("Accept").stream()
                    .anyMatch(r -> r.activity().path("object").path("id").asString().equals(followId)));
        }
        assertThat(server.http.get("/api/v1/accounts/verify_credentials", token).status()).isEqualTo(200);
        // A server none of whose accounts follows hana, only known here.
        FakeFediverse known = new FakeFediverse();
        known.actor("k1");
        assertThat(search("k1@" + known.domain, "accounts", token).json().path("accounts")).hasSize(1);

        try (known) {
            server.app.actorDeletion().delete("hana");
            Await.until("the Delete at the server only known here", () -> known.received("Delete").stream()
                    .anyMatch(d -> d.activity().path("object").asString().equals(actor)));
        }

        assertThat(server.http.get("/api/v1/accounts/lookup?acct=hana").status()).isEqualTo(404);
        assertThat(server.http.get("/api/v1/accounts/verify_credentials", token).status()).isEqualTo(401);
        Await.until("the Delete at the peer", () -> deletesOf(actor).size() == 1);
        FakeFediverse.Received delete = deletesOf(actor).get(0);
        assertThat(delete.path()).as("one delivery to the shared inbox for both followers").isEqualTo("/inbox");
        assertThat(delete.activity().path("actor").asString()).isEqualTo(actor);
        assertThat(delete.activity().path("id").asString()).isEqualTo(actor + "#delete");
        assertThat(delete.activity().path("to").get(0).asString()).isEqualTo(PUBLIC);
        assertThat(delete.signature()).contains("keyId=\"" + actor + "#main-key\"");
    }

    static Http.Response getActivity(String path) {
        return server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl + path))
                .header("Accept", "application/activity+json").GET().build());
    }

    @Test
    void aDeletedAccountsActorServesItsKeyUntilItsDeleteIsDeliveredAndThenIsGone() throws Exception {
        local("delia");
        String actor = server.baseUrl + "/users/delia";
        peer.actor("gx1");
        FakeFediverse dead = new FakeFediverse();
        try {
            for (FakeFediverse p : List.of(peer, dead)) {
                String user = p == peer ? "gx1" : "gx2";
                p.actor(user);
                ObjectNode follow = Json.object().put("@context", "https://www.w3.org/ns/activitystreams")
                        .put("id", p.base + "/activities/" + SEQ.incrementAndGet()).put("type", "Follow")
                        .put("actor", p.actorUri(user)).put("object", actor);
                Http.Response r = server.http.send(p.signedPost(server.baseUrl + "/inbox", user, Json.write(follow)));
                assertThat(r.status()).as(r.body()).isEqualTo(202);
                Await.until("the Accept at " + p.domain, () -> p.received("Accept").stream()
                        .anyMatch(a -> a.activity().path("object").path("id").asString().equals(follow.path("id").asString())));
            }
        } finally {
            dead.close();
        }

        server.app.actorDeletion().delete("delia");
        Await.until("the Delete at the live peer", () -> deletesOf(actor).size() == 1);

        // While the Delete is delivered (one server still down), the actor is served suspended, with its key.
        Http.Response doc = getActivity("/users/delia");
        assertThat(doc.status()).as(doc.body()).isEqualTo(200);
        JsonNode person = doc.json();
        assertThat(person.path("id").asString()).isEqualTo(actor);
        assertThat(person.path("suspended").asBoolean()).isTrue();
        assertThat(person.path("preferredUsername").asString()).isEqualTo("delia");
        assertThat(person.path("summary").asString()).isEmpty();
        assertThat(person.path("publicKey").path("id").asString()).isEqualTo(actor + "#main-key");
        assertThat(getActivity("/@delia").json()).isEqualTo(person);
        assertThat(server.http.get("/@delia").status()).as("a browser").isEqualTo(403);
        assertThat(getActivity("/users/delia/outbox").status()).as("its collections are gone").isEqualTo(410);
        Http.Response finger = server.http.get("/.well-known/webfinger?resource=acct:delia@" + server.app.config().localDomain());
        assertThat(finger.status()).isEqualTo(200);
        assertThat(finger.json().path("links").toString()).contains(actor);

        // The Delete the peer got verifies against the key the actor URL serves (keyId's fragment dropped).
        FakeFediverse.Received delete = deletesOf(actor).get(0);
        String keyId = social.caravan.core.signatures.DraftCavage.parse(delete.signature()).keyId();
        assertThat(keyId).isEqualTo(actor + "#main-key");
        java.security.PublicKey served = social.caravan.core.signatures.Keys.publicKey(
                getActivity(java.net.URI.create(keyId).getPath()).json().path("publicKey").path("publicKeyPem").asString());
        String verifiedBy = new social.caravan.core.signatures.SignatureVerifier(java.time.Clock.systemUTC()).verify(
                new social.caravan.core.signatures.SignedRequest("POST", delete.path(), "http", delete.headers(), delete.body()),
                (id, refresh) -> java.util.Optional.of(served));
        assertThat(verifiedBy).isEqualTo(keyId);
        java.security.PublicKey other = peer.actor("gx1").keys.getPublic();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new social.caravan.core.signatures.SignatureVerifier(
                java.time.Clock.systemUTC()).verify(new social.caravan.core.signatures.SignedRequest("POST", delete.path(),
                "http", delete.headers(), delete.body()), (id, refresh) -> java.util.Optional.of(other)))
                .as("another key does not verify it").isInstanceOf(Exception.class);

        // The pruning keeps the key while a delivery is left, and removes it once none is.
        server.app.actorDeletion().prune();
        assertThat(deletedActorRows(actor)).isEqualTo(1);
        assertThat(getActivity("/users/delia").status()).isEqualTo(200);
        // The lanes give up the dead server (and any other server known here that is gone by now).
        server.app.database().jdbi().useHandle(h -> h.createUpdate("DELETE FROM deliveries WHERE strpos(payload, :delete) > 0")
                .bind("delete", "\"" + actor + "#delete\"").execute());
        assertThat(server.app.actorDeletion().prune()).isGreaterThanOrEqualTo(1);
        assertThat(deletedActorRows(actor)).isZero();

        for (String path : List.of("/users/delia", "/@delia", "/users/delia/outbox", "/users/delia/followers",
                "/users/delia/statuses/1", "/users/delia/collections/featured")) {
            Http.Response gone = getActivity(path);
            assertThat(gone.status()).as(path).isEqualTo(410);
            assertThat(gone.json().path("error").asString()).isEqualTo("Gone");
        }
        assertThat(server.http.get("/@delia").status()).isEqualTo(410);
        assertThat(server.http.get("/.well-known/webfinger?resource=acct:delia@" + server.app.config().localDomain())
                .status()).isEqualTo(410);
        assertThat(getActivity("/users/nobody_ever").status()).as("never existed").isEqualTo(404);
        assertThat(getActivity("/users/nobody_ever/outbox").status()).as("never existed").isEqualTo(404);

        // Caravan lets a deleted name be registered again; the new account's actor is served as usual.
        server.createAccount("delia");
        JsonNode reborn = getActivity("/users/delia").json();
        assertThat(reborn.has("suspended")).isFalse();
        assertThat(reborn.path("publicKey").path("publicKeyPem").asString())
                .isNotEqualTo(person.path("publicKey").path("publicKeyPem").asString());
    }

    static long deletedActorRows(String actor) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM deleted_actors WHERE uri = :uri")
                .bind("uri", actor).mapTo(Long.class).one());
    }

    static List<FakeFediverse.Received> deletesOf(String actor) {
        return peer.received("Delete").stream().filter(d -> d.activity().path("object").asString().equals(actor)).toList();
    }

    // --- custom emoji -----------------------------------------------------------------------------

    static ObjectNode emoji(String name, String url) {
        ObjectNode e = Json.object().put("type", "Emoji").put("name", name);
        e.putObject("icon").put("type", "Image").put("mediaType", "image/png").put("url", url);
        return e;
    }

    @Test
    void customEmojiOfRemotePostsAndProfilesAreRenderedAsRemoteCustomEmoji() {
        String token = local("ines");
        FakeFediverse.Actor e1 = peer.actor("e1");
        e1.edit = doc -> {
            doc.put("name", "Blob :blobcat:");
            doc.putArray("tag").add(emoji(":blobcat:", peer.base + "/emoji/blobcat.png"))
                    .add(emoji(":unused:", peer.base + "/emoji/unused.png"));
            return doc;
        };
        ObjectNode note = served("e1", "<p>hello :wave: and :ghost:</p>", List.of(PUBLIC), List.of());
        note.withArray("tag").add(emoji(":wave:", peer.base + "/emoji/wave.png"))
                .add(emoji(":unused:", peer.base + "/emoji/unused.png"))
                .add(emoji(":ghost:", "javascript:alert(1)"));
        long id = posted("e1", note);

        JsonNode status = server.http.get("/api/v1/statuses/" + id, token).json();
        MastodonSchemas.assertValid("Status", status);
        assertThat(status.path("emojis").size()).as("only those in the text, with web URLs").isEqualTo(1);
        JsonNode wave = status.path("emojis").get(0);
        MastodonSchemas.assertValid("CustomEmoji", wave);
        assertThat(wave.path("shortcode").asString()).isEqualTo("wave");
        assertThat(wave.path("url").asString()).isEqualTo(peer.base + "/emoji/wave.png");
        assertThat(wave.path("static_url").asString()).isEqualTo(peer.base + "/emoji/wave.png");
        assertThat(wave.path("visible_in_picker").asBoolean()).isFalse();

        JsonNode account = status.path("account");
        MastodonSchemas.assertValid("Account", account);
        assertThat(account.path("emojis").size()).isEqualTo(1);
        MastodonSchemas.assertValid("CustomEmoji", account.path("emojis").get(0));
        assertThat(account.path("emojis").get(0).path("shortcode").asString()).isEqualTo("blobcat");
        assertThat(account.path("emojis").get(0).path("url").asString()).isEqualTo(peer.base + "/emoji/blobcat.png");

        // An edit brings its own emoji.
        ObjectNode edited = note.deepCopy();
        edited.put("content", "<p>now :party:</p>").put("updated", "2026-01-02T04:00:00Z");
        edited.putArray("tag").add(emoji(":party:", peer.base + "/emoji/party.gif"));
        deliver("e1", activity("e1", "Update", edited));
        Await.until("the edit", () -> server.http.get("/api/v1/statuses/" + id, token).json().path("content").asString()
                .contains("now"));
        JsonNode after = server.http.get("/api/v1/statuses/" + id, token).json();
        assertThat(after.path("emojis").size()).isEqualTo(1);
        assertThat(after.path("emojis").get(0).path("shortcode").asString()).isEqualTo("party");
    }

    @Test
    void theEditHistoryOfARemotePostShowsTheEmojiOfEachVersion() {
        String token = local("jules");
        ObjectNode note = served("e2", "<p>first :wave:</p>", List.of(PUBLIC), List.of());
        note.withArray("tag").add(emoji(":wave:", peer.base + "/emoji/wave.png"));
        long id = posted("e2", note);

        ObjectNode second = note.deepCopy();
        second.put("content", "<p>second :party:</p>").put("updated", "2026-01-02T04:00:00Z");
        second.putArray("tag").add(emoji(":party:", peer.base + "/emoji/party.gif"));
        deliver("e2", activity("e2", "Update", second));
        Await.until("the first edit", () -> server.http.get("/api/v1/statuses/" + id, token).json().path("content")
                .asString().contains("second"));
        ObjectNode third = note.deepCopy();
        third.put("content", "<p>third, plain</p>").put("updated", "2026-01-02T05:00:00Z");
        third.putArray("tag");
        deliver("e2", activity("e2", "Update", third));
        Await.until("the second edit", () -> server.http.get("/api/v1/statuses/" + id, token).json().path("content")
                .asString().contains("third"));

        // Signed in, and anonymously (a public post's history needs no token).
        for (Http.Response r : List.of(server.http.get("/api/v1/statuses/" + id + "/history", token),
                server.http.get("/api/v1/statuses/" + id + "/history"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode history = r.json();
            assertThat(history.size()).isEqualTo(3);
            history.forEach(v -> MastodonSchemas.assertValid("StatusEdit", v));
            assertThat(history.get(0).path("content").asString()).contains("first");
            assertThat(history.get(0).path("emojis").size()).isEqualTo(1);
            MastodonSchemas.assertValid("CustomEmoji", history.get(0).path("emojis").get(0));
            assertThat(history.get(0).path("emojis").get(0).path("shortcode").asString()).isEqualTo("wave");
            assertThat(history.get(0).path("emojis").get(0).path("url").asString())
                    .isEqualTo(peer.base + "/emoji/wave.png");
            assertThat(history.get(1).path("emojis").get(0).path("shortcode").asString()).isEqualTo("party");
            assertThat(history.get(1).path("emojis").size()).isEqualTo(1);
            assertThat(history.get(2).path("emojis").size()).as("the last version has none").isZero();
        }
    }
}
