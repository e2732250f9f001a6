package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.accounts.Account;
import social.caravan.core.json.Json;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * Caravan's ActivityPub documents as a peer reads them: actors, Notes, outbox, followers, following,
 * featured collections, the instance actor; content negotiation; what signed and unsigned requesters
 * may see; and remote accounts resolved from a fake peer on loopback.
 */
class ActivityPubApiTest {
    static final String AP = "application/activity+json";
    static final String LD = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
    static TestServer server;
    static FakeFediverse peer;
    static String base;
    static String aliceToken;
    static String publicId;
    static String privateId;
    static String directId;
    static String replyId;
    static String boostId;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        base = server.baseUrl;
        peer = new FakeFediverse();
        server.createAccount("alice");
        server.createAccount("bob");
        server.createAccount("hidden");
        aliceToken = server.token("alice", "read write");
        String bobToken = server.token("bob", "read write");
        server.http.patchJson("/api/v1/accounts/update_credentials", aliceToken,
                "{\"display_name\":\"Alice A.\",\"note\":\"I <3 posts\",\"fields_attributes\":{\"0\":{\"name\":\"Web\",\"value\":\"https://alice.example\"}}}");
        server.http.patchJson("/api/v1/accounts/update_credentials", server.token("hidden", "write"), "{\"hide_collections\":true}");
        publicId = post(aliceToken, Map.of("status", "Hello @bob #Caravan", "language", "en"));
        privateId = post(aliceToken, Map.of("status", "followers only", "visibility", "private"));
        directId = post(aliceToken, Map.of("status", "@bob a secret", "visibility", "direct"));
        replyId = post(bobToken, Map.of("status", "@alice hi back", "in_reply_to_id", publicId));
        boostId = server.http.postJson("/api/v1/statuses/" + publicId + "/reblog", bobToken, "{}").json().path("id").asString();
        server.http.postJson("/api/v1/statuses/" + publicId + "/pin", aliceToken, "{}");
        server.http.postJson("/api/v1/accounts/" + id("alice") + "/follow", bobToken, "{}");
        peer.actor("remy");
        peer.actor("eve");
    }

    @AfterAll
    static void stop() {
        server.close();
        peer.close();
    }

    static String post(String token, Map<String, Object> body) {
        Http.Response r = server.http.postJson("/api/v1/statuses", token, Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static long id(String username) {
        return server.app.accounts().findLocal(username).orElseThrow().id();
    }

    static Http.Response get(String path, String accept) {
        var b = server.http.request(path);
        if (accept != null) {
            b.header("Accept", accept);
        }
        return server.http.send(b.GET().build());
    }

    static Http.Response signed(String path, String username) {
        return server.http.send(peer.signedGet(base + path, username));
    }

    // ---------------------------------------------------------------------------------------------
    // Actors and content negotiation

    @Test
    void anActorRendersAsMastodonsPerson() {
        Http.Response r = get("/users/alice", AP);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/activity+json");
        JsonNode a = r.json();
        String id = base + "/users/alice";
        assertThat(a.path("@context").get(0).asString()).isEqualTo("https://www.w3.org/ns/activitystreams");
        assertThat(a.path("@context").get(1).asString()).isEqualTo("https://w3id.org/security/v1");
        assertThat(a.path("@context").get(2).path("toot").asString()).isEqualTo("http://joinmastodon.org/ns#");
        assertThat(a.path("id").asString()).isEqualTo(id);
        assertThat(a.path("type").asString()).isEqualTo("Person");
        assertThat(a.path("inbox").asString()).isEqualTo(id + "/inbox");
        assertThat(a.path("outbox").asString()).isEqualTo(id + "/outbox");
        assertThat(a.path("followers").asString()).isEqualTo(id + "/followers");
        assertThat(a.path("following").asString()).isEqualTo(id + "/following");
        assertThat(a.path("featured").asString()).isEqualTo(id + "/collections/featured");
        assertThat(a.path("featuredTags").asString()).isEqualTo(id + "/collections/tags");
        assertThat(a.path("endpoints").path("sharedInbox").asString()).isEqualTo(base + "/inbox");
        assertThat(a.path("preferredUsername").asString()).isEqualTo("alice");
        assertThat(a.path("name").asString()).isEqualTo("Alice A.");
        assertThat(a.path("summary").asString()).isEqualTo("<p>I &lt;3 posts</p>");
        assertThat(a.path("url").asString()).isEqualTo(base + "/@alice");
        assertThat(a.path("manuallyApprovesFollowers").asBoolean()).isFalse();
        assertThat(a.path("discoverable").isBoolean()).isTrue();
        assertThat(a.path("indexable").isBoolean()).isTrue();
        assertThat(a.path("published").asString()).matches("\\d{4}-\\d\\d-\\d\\dT00:00:00Z");
        assertThat(a.path("publicKey").path("id").asString()).isEqualTo(id + "#main-key");
        assertThat(a.path("publicKey").path("owner").asString()).isEqualTo(id);
        assertThat(a.path("publicKey").path("publicKeyPem").asString()).startsWith("-----BEGIN PUBLIC KEY-----");
        JsonNode field = a.path("attachment").get(0);
        assertThat(field.path("type").asString()).isEqualTo("PropertyValue");
        assertThat(field.path("name").asString()).isEqualTo("Web");
        assertThat(field.path("value").asString()).contains("href=\"https://alice.example\"");
        assertThat(a.path("tag").isArray()).isTrue();
    }

    @Test
    void profileAndStatusUrlsNegotiateBetweenJsonAndHtml() {
        for (String accept : List.of(AP, LD, "application/json")) {
            assertThat(get("/@alice", accept).json().path("id").asString()).as(accept).isEqualTo(base + "/users/alice");
            assertThat(get("/@alice/" + publicId, accept).json().path("type").asString()).as(accept).isEqualTo("Note");
        }
        Http.Response page = get("/@alice", "text/html,application/xhtml+xml");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("Alice A.", "@alice@" + server.app.config().localDomain(), "Hello");
        assertThat(get("/@alice", null).header("Content-Type")).startsWith("text/html");
        Http.Response redirect = get("/users/alice", "text/html");
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("Location")).isEqualTo(base + "/@alice");
        Http.Response statusPage = get("/@alice/" + publicId, "text/html");
        assertThat(statusPage.status()).isEqualTo(200);
        assertThat(statusPage.body()).contains("Hello");
        assertThat(get("/users/alice/statuses/" + publicId, "text/html").header("Location")).isEqualTo(base + "/@alice/" + publicId);
        assertThat(get("/@nobody", AP).status()).isEqualTo(404);
        assertThat(get("/@nobody", "text/html").status()).isEqualTo(404);
        assertThat(get("/@bob/" + publicId, AP).status()).as("another author's path").isEqualTo(404);
    }

    @Test
    void theInstanceActorIsAnApplicationWithItsOwnKeyFoundByWebFinger() {
        JsonNode a = get("/actor", AP).json();
        assertThat(a.path("type").asString()).isEqualTo("Application");
        assertThat(a.path("id").asString()).isEqualTo(base + "/actor");
        assertThat(a.path("preferredUsername").asString()).isEqualTo(server.app.config().localDomain());
        assertThat(a.path("publicKey").path("id").asString()).isEqualTo(base + "/actor#main-key");
        String pem = a.path("publicKey").path("publicKeyPem").asString();
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----").isNotEqualTo(get("/users/alice", AP).json()
                .path("publicKey").path("publicKeyPem").asString());
        assertThat(get("/actor", AP).json().path("publicKey").path("publicKeyPem").asString()).as("kept").isEqualTo(pem);
        String domain = server.app.config().localDomain();
        JsonNode jrd = server.http.get("/.well-known/webfinger?resource="
                + URLEncoder.encode("acct:" + domain + "@" + domain, StandardCharsets.UTF_8)).json();
        assertThat(jrd.path("links").valueStream().filter(l -> l.path("rel").asString().equals("self"))
                .findFirst().orElseThrow().path("href").asString()).isEqualTo(base + "/actor");
    }

    // ---------------------------------------------------------------------------------------------
    // Notes and who may read them

    @Test
    void aPublicStatusIsANoteAddressedAsMastodonAddressesIt() {
        JsonNode n = get("/users/alice/statuses/" + publicId, AP).json();
        String alice = base + "/users/alice";
        assertThat(n.path("@context").get(0).asString()).isEqualTo("https://www.w3.org/ns/activitystreams");
        assertThat(n.path("id").asString()).isEqualTo(alice + "/statuses/" + publicId);
        assertThat(n.path("type").asString()).isEqualTo("Note");
        assertThat(n.path("attributedTo").asString()).isEqualTo(alice);
        assertThat(n.path("url").asString()).isEqualTo(base + "/@alice/" + publicId);
        assertThat(n.path("to").get(0).asString()).isEqualTo("https://www.w3.org/ns/activitystreams#Public");
        assertThat(n.path("cc").valueStream().map(JsonNode::asString).toList())
                .containsExactly(alice + "/followers", base + "/users/bob");
        assertThat(n.path("content").asString()).contains("Hello", "mention", "hashtag");
        assertThat(n.path("contentMap").path("en").asString()).isEqualTo(n.path("content").asString());
        assertThat(n.path("sensitive").asBoolean()).isFalse();
        assertThat(n.path("published").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(n.path("conversation").asString()).startsWith("tag:127.0.0.1,");
        assertThat(n.path("replies").path("type").asString()).isEqualTo("Collection");
        List<JsonNode> tags = n.path("tag").valueStream().toList();
        assertThat(tags).anySatisfy(t -> {
            assertThat(t.path("type").asString()).isEqualTo("Mention");
            assertThat(t.path("href").asString()).isEqualTo(base + "/users/bob");
            assertThat(t.path("name").asString()).isEqualTo("@bob");
        });
        assertThat(tags).anySatisfy(t -> {
            assertThat(t.path("type").asString()).isEqualTo("Hashtag");
            assertThat(t.path("name").asString()).isEqualToIgnoringCase("#caravan");
        });
        JsonNode reply = get("/users/bob/statuses/" + replyId, AP).json();
        assertThat(reply.path("inReplyTo").asString()).isEqualTo(alice + "/statuses/" + publicId);
        JsonNode create = get("/users/alice/statuses/" + publicId + "/activity", AP).json();
        assertThat(create.path("type").asString()).isEqualTo("Create");
        assertThat(create.path("object").path("id").asString()).isEqualTo(n.path("id").asString());
        JsonNode announce = get("/users/bob/statuses/" + boostId, AP).json();
        assertThat(announce.path("type").asString()).isEqualTo("Announce");
        assertThat(announce.path("object").asString()).isEqualTo(n.path("id").asString());
        assertThat(announce.path("cc").get(0).asString()).isEqualTo(alice);
    }

    @Test
    void privateAndDirectStatusesAreNotFoundUnsignedButAFollowerSigningSeesThem() {
        assertThat(get("/users/alice/statuses/" + privateId, AP).status()).isEqualTo(404);
        assertThat(get("/users/alice/statuses/" + directId, AP).status()).isEqualTo(404);
        assertThat(get("/@alice/" + privateId, "text/html").status()).isEqualTo(404);
        assertThat(signed("/users/alice/statuses/" + privateId, "eve").status()).as("signed, not a follower").isEqualTo(404);
        Account remy = server.app.remoteAccounts().resolveUri(peer.actorUri("remy")).orElseThrow();
        server.app.database().jdbi().useHandle(h -> h.execute(
                "INSERT INTO follows (account_id, target_account_id) VALUES (?, ?) ON CONFLICT DO NOTHING", remy.id(), id("alice")));
        Http.Response r = signed("/users/alice/statuses/" + privateId, "remy");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.path("to").get(0).asString()).isEqualTo(base + "/users/alice/followers");
        assertThat(n.path("cc").isEmpty()).isTrue();
        assertThat(signed("/users/alice/statuses/" + directId, "remy").status()).isEqualTo(404);
    }

    @Test
    void anAuthorWhoBlocksTheSignerHidesEvenPublicStatuses() {
        server.createAccount("blocker");
        String token = server.token("blocker", "read write");
        String status = post(token, Map.of("status", "public words"));
        Account eve = server.app.remoteAccounts().resolveUri(peer.actorUri("eve")).orElseThrow();
        server.app.database().jdbi().useHandle(h -> h.execute(
                "INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", id("blocker"), eve.id()));
        assertThat(signed("/users/blocker/statuses/" + status, "eve").status()).isEqualTo(404);
        assertThat(signed("/users/blocker/statuses/" + status, "remy").status()).isEqualTo(200);
        assertThat(get("/users/blocker/statuses/" + status, AP).status()).isEqualTo(200);
    }

    @Test
    void badSignaturesAre401() {
        Instant old = Instant.now().minusSeconds(13 * 3600);
        Http.Response stale = server.http.send(peer.signedGet(base + "/users/alice", "remy", old));
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.json().path("error").asString()).contains("12 hours");
        var tampered = server.http.request("/users/alice").header("Accept", AP)
                .header("Signature", peer.signedGet(base + "/users/bob", "remy").headers().firstValue("Signature").orElseThrow())
                .header("Date", peer.signedGet(base + "/users/bob", "remy").headers().firstValue("Date").orElseThrow())
                .GET().build();
        assertThat(server.http.send(tampered).status()).isEqualTo(401);
        var unknownKey = server.http.request("/users/alice").header("Accept", AP)
                .header("Signature", "keyId=\"" + peer.base + "/users/ghost#main-key\",algorithm=\"rsa-sha256\","
                        + "headers=\"(request-target) host date\",signature=\"AAAA\"")
                .header("Date", social.caravan.core.signatures.DraftCavage.HTTP_DATE.format(Instant.now())).GET().build();
        assertThat(server.http.send(unknownKey).status()).isEqualTo(401);
    }

    @Test
    void aRotatedKeyIsFetchedAgainOnce() {
        FakeFediverse.Actor rot = peer.actor("rotator");
        assertThat(signed("/users/alice", "rotator").status()).isEqualTo(200);
        rot.rotateKey();
        int before = (int) peer.requests.stream().filter(p -> p.equals("/users/rotator")).count();
        assertThat(signed("/users/alice", "rotator").status()).isEqualTo(200);
        assertThat(peer.requests.stream().filter(p -> p.equals("/users/rotator")).count()).isEqualTo(before + 1);
        Account stored = server.app.accounts().findByUri(peer.actorUri("rotator")).orElseThrow();
        assertThat(stored.publicKey()).isEqualTo(social.caravan.core.signatures.Keys.pem("PUBLIC KEY",
                rot.keys.getPublic().getEncoded()));
    }

    // ---------------------------------------------------------------------------------------------
    // Collections

    @Test
    void theOutboxPagesPublicPostsAsCreateAndAnnounce() {
        JsonNode c = get("/users/alice/outbox", AP).json();
        assertThat(c.path("type").asString()).isEqualTo("OrderedCollection");
        assertThat(c.path("totalItems").asLong()).isEqualTo(3);
        assertThat(c.path("first").asString()).isEqualTo(base + "/users/alice/outbox?page=true");
        JsonNode page = get("/users/alice/outbox?page=true", AP).json();
        assertThat(page.path("type").asString()).isEqualTo("OrderedCollectionPage");
        assertThat(page.path("partOf").asString()).isEqualTo(base + "/users/alice/outbox");
        List<JsonNode> items = page.path("orderedItems").valueStream().toList();
        assertThat(items).extracting(i -> i.path("object").path("id").asString())
                .containsExactly(base + "/users/alice/statuses/" + publicId);
        assertThat(items.getFirst().path("type").asString()).isEqualTo("Create");
        assertThat(page.path("next").asString()).contains("max_id=" + publicId);
        JsonNode bobs = get("/users/bob/outbox?page=true", AP).json();
        assertThat(bobs.path("orderedItems").valueStream().map(i -> i.path("type").asString()).toList())
                .containsExactly("Announce", "Create");
        JsonNode older = get("/users/alice/outbox?max_id=" + publicId + "&page=true", AP).json();
        assertThat(older.path("orderedItems").isEmpty()).isTrue();
        assertThat(get("/users/alice/outbox?max_id=abc&page=true", AP).status()).isEqualTo(400);
        assertThat(get("/users/nobody/outbox", AP).status()).isEqualTo(404);
    }

    @Test
    void followersAndFollowingListActorsUnlessHidden() {
        JsonNode followers = get("/users/alice/followers", AP).json();
        assertThat(followers.path("type").asString()).isEqualTo("OrderedCollection");
        assertThat(followers.path("totalItems").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode page = get(followers.path("first").asString(), AP).json();
        assertThat(page.path("orderedItems").valueStream().map(JsonNode::asString).toList()).contains(base + "/users/bob");
        JsonNode following = get(get("/users/bob/following", AP).json().path("first").asString(), AP).json();
        assertThat(following.path("orderedItems").valueStream().map(JsonNode::asString).toList())
                .containsExactly(base + "/users/alice");
        JsonNode hidden = get("/users/hidden/followers", AP).json();
        assertThat(hidden.has("first")).isFalse();
        assertThat(hidden.path("totalItems").isNumber()).isTrue();
        assertThat(get("/users/hidden/followers?page=1", AP).status()).isEqualTo(403);
    }

    @Test
    void featuredHoldsPinnedStatusesAndFeaturedTagsTheTags() {
        JsonNode featured = get("/users/alice/collections/featured", AP).json();
        assertThat(featured.path("type").asString()).isEqualTo("OrderedCollection");
        assertThat(featured.path("orderedItems").valueStream().map(n -> n.path("id").asString()).toList())
                .containsExactly(base + "/users/alice/statuses/" + publicId);
        server.http.postJson("/api/v1/featured_tags", aliceToken, "{\"name\":\"Caravan\"}");
        JsonNode tags = get("/users/alice/collections/tags", AP).json();
        assertThat(tags.path("items").get(0).path("type").asString()).isEqualTo("Hashtag");
        assertThat(get("/users/alice", AP).json().path("tag").get(0).path("name").asString()).isEqualToIgnoringCase("#caravan");
    }

    // ---------------------------------------------------------------------------------------------
    // Remote accounts in the client API

    /** Resolves {@code handle} as a client does, by a signed-in search with {@code resolve=true}; its accounts. */
    static JsonNode resolve(String handle) {
        Http.Response r = server.http.get("/api/v2/search?resolve=true&type=accounts&q="
                + URLEncoder.encode(handle, StandardCharsets.UTF_8), server.token("bob", "read"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("accounts");
    }

    @Test
    void lookupFindsAResolvedRemoteAccountAndRendersItAsMastodonDoes() {
        peer.actor("carol");
        int asked = peer.requests.size();
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=carol@" + peer.domain).status())
                .as("an unknown remote handle").isEqualTo(404);
        assertThat(peer.requests.size()).as("lookup fetches nothing, as Mastodon's").isEqualTo(asked);
        assertThat(resolve("@carol@" + peer.domain)).hasSize(1);
        Http.Response r = server.http.get("/api/v1/accounts/lookup?acct=carol@" + peer.domain);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Account", r.body());
        JsonNode a = r.json();
        assertThat(a.path("acct").asString()).isEqualTo("carol@" + peer.domain);
        assertThat(a.path("username").asString()).isEqualTo("carol");
        assertThat(a.path("uri").asString()).isEqualTo(peer.actorUri("carol"));
        assertThat(a.path("url").asString()).isEqualTo(peer.base + "/@carol");
        assertThat(a.path("display_name").asString()).isEqualTo("Remote carol");
        assertThat(a.path("locked").asBoolean()).isTrue();
        assertThat(a.path("avatar").asString()).isEqualTo(peer.base + "/avatar.png");
        assertThat(a.path("note").asString()).isEqualTo("<p>Hello there</p>");
        assertThat(a.path("fields").get(0).path("value").asString())
                .isEqualTo("<a href=\"https://example.org\" rel=\"nofollow noopener\" target=\"_blank\">example.org</a>");
        assertThat(server.http.get("/api/v1/accounts/" + a.path("id").asString()).json().path("acct").asString())
                .isEqualTo("carol@" + peer.domain);
        Account stored = server.app.accounts().findByUri(peer.actorUri("carol")).orElseThrow();
        assertThat(stored.remote().inbox()).isEqualTo(peer.actorUri("carol") + "/inbox");
        assertThat(stored.remote().sharedInbox()).isEqualTo(peer.base + "/inbox");
        assertThat(stored.remote().keyId()).isEqualTo(peer.keyId("carol"));
        // Fresh accounts are not fetched again.
        long fetches = peer.requests.stream().filter(p -> p.equals("/users/carol")).count();
        server.http.get("/api/v1/accounts/lookup?acct=@carol@" + peer.domain);
        assertThat(peer.requests.stream().filter(p -> p.equals("/users/carol")).count()).isEqualTo(fetches);
        assertThat(server.http.get("/api/v1/accounts/lookup?acct=nobody@" + peer.domain).status()).isEqualTo(404);
    }

    @Test
    void aRemoteAccountShowsTheCountsItsServerPublishes() {
        peer.actor("petra");
        peer.objects.put("/users/petra/outbox", "{\"type\":\"OrderedCollection\",\"totalItems\":1234}");
        peer.objects.put("/users/petra/followers", "{\"type\":\"OrderedCollection\",\"totalItems\":56789}");
        peer.objects.put("/users/petra/following", "{\"type\":\"OrderedCollection\",\"totalItems\":\"many\"}");
        String id = resolve("petra@" + peer.domain).get(0).path("id").asString();
        int queued = server.app.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM jobs WHERE queue = 'pull' AND type = :t AND unique_key = :t || ':' || :id")
                .bind("t", RemoteAccounts.COUNTS_JOB).bind("id", id).mapTo(Integer.class).one());
        assertThat(queued).as("reading the totals is queued, off the request").isEqualTo(1);

        server.app.remoteAccounts().refreshCounts(Long.parseLong(id)); // what the worker runs
        JsonNode account = server.http.get("/api/v1/accounts/" + id).json();
        MastodonSchemas.assertValid("Account", account);
        assertThat(account.path("statuses_count").asLong()).isEqualTo(1234);
        assertThat(account.path("followers_count").asLong()).isEqualTo(56789);
        assertThat(account.path("following_count").asLong()).as("no number published: left as it was").isZero();
        assertThat(peer.requests).contains("/users/petra/outbox", "/users/petra/followers", "/users/petra/following");

        // A collection on another host does not count for this one, and is not asked.
        try (FakeFediverse other = new FakeFediverse()) {
            other.objects.put("/outbox", "{\"type\":\"OrderedCollection\",\"totalItems\":999}");
            peer.actor("quinn").edit = doc -> doc.put("outbox", other.base + "/outbox");
            String quinn = resolve("quinn@" + peer.domain).get(0).path("id").asString();
            server.app.remoteAccounts().refreshCounts(Long.parseLong(quinn));
            assertThat(server.http.get("/api/v1/accounts/" + quinn).json().path("statuses_count").asLong()).isZero();
            assertThat(other.requests).isEmpty();
        }
    }

    @Test
    void searchWithResolveFindsRemoteHandlesAndActorUrls() {
        peer.actor("dave");
        String token = server.token("bob", "read");
        Http.Response r = server.http.get("/api/v2/search?resolve=true&q=" + URLEncoder.encode("@dave@" + peer.domain,
                StandardCharsets.UTF_8), token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Search", r.body());
        assertThat(r.json().path("accounts").get(0).path("acct").asString()).isEqualTo("dave@" + peer.domain);
        peer.actor("frank");
        Http.Response byUrl = server.http.get("/api/v2/search?resolve=true&q="
                + URLEncoder.encode(peer.actorUri("frank"), StandardCharsets.UTF_8), token);
        assertThat(byUrl.json().path("accounts").get(0).path("acct").asString()).isEqualTo("frank@" + peer.domain);
        peer.actor("gina");
        Http.Response noResolve = server.http.get("/api/v2/search?q=" + URLEncoder.encode("gina@" + peer.domain,
                StandardCharsets.UTF_8), token);
        assertThat(noResolve.json().path("accounts").isEmpty()).isTrue();
        assertThat(server.http.get("/api/v2/search?resolve=true&q=gina@" + peer.domain).status()).isEqualTo(401);
        assertThat(server.http.get("/api/v2/search?resolve=true&q=gina@" + peer.domain,
                server.token("bob", "write")).status()).isEqualTo(403);
    }

    @Test
    void actorsClaimingAnotherHostsIdOrLackingAnInboxAreNotStored() {
        FakeFediverse.Actor spoof = peer.actor("spoof");
        spoof.edit = doc -> doc.put("id", "http://127.0.0.2:1/users/spoof");
        assertThat(resolve("spoof@" + peer.domain)).isEmpty();
        FakeFediverse.Actor noInbox = peer.actor("noinbox");
        noInbox.edit = doc -> {
            doc.remove("inbox");
            return doc;
        };
        assertThat(resolve("noinbox@" + peer.domain)).isEmpty();
        assertThat(server.app.accounts().findRemote("spoof", peer.domain)).isEmpty();
        assertThat(server.app.accounts().findRemote("noinbox", peer.domain)).isEmpty();
    }

    @Test
    void aSuspendedDomainIsNeitherFetchedNorHeard() {
        try (FakeFediverse other = new FakeFediverse()) {
            other.actor("mallory");
            server.app.domainBlocks().block("127.0.0.1", DomainBlock.Severity.SUSPEND, false);
            try {
                assertThat(resolve("mallory@" + other.domain)).isEmpty();
                assertThat(other.requests).isEmpty();
                assertThat(server.http.send(other.signedGet(base + "/users/alice", "mallory")).status()).isEqualTo(401);
            } finally {
                server.app.domainBlocks().unblock("127.0.0.1");
            }
            assertThat(resolve("mallory@" + other.domain)).as("resolved once the block is lifted").hasSize(1);
        }
    }
}
