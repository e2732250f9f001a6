package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.json.Json;
import social.caravan.core.net.FederationClient;
import social.caravan.core.signatures.DraftCavage;
import social.caravan.core.signatures.Keys;
import social.caravan.support.Await;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Purging what remote accounts stored: a remote actor's Delete of itself, and an operator's suspension
 * of a domain and its subdomains (the purge job, its notifications, a rerun, an unblock).
 */
class PurgeTest {
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
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

    // --- remote actors ----------------------------------------------------------------------------

    /**
     * A remote actor, known here with its key, on any domain (none of these resolve: nothing is fetched
     * from them, and Caravan's deliveries to them fail, which the tests do not need).
     */
    record Remote(String username, String domain, KeyPair keys, long id) {
        String uri() {
            return "http://" + domain + "/users/" + username;
        }

        String next() {
            return "http://" + domain + "/objects/" + SEQ.incrementAndGet();
        }
    }

    static Remote remote(String username, String domain) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair keys = g.generateKeyPair();
            String uri = "http://" + domain + "/users/" + username;
            Account saved = server.app.accounts().saveRemote(new AccountService.RemoteProfile(username, domain,
                    "Remote " + username, "", List.of(), false, false, true, true,
                    Keys.pem("PUBLIC KEY", keys.getPublic().getEncoded()), Instant.parse("2024-01-01T00:00:00Z"),
                    new Account.Remote(uri, "http://" + domain + "/@" + username, "Person", uri + "/inbox",
                            "http://" + domain + "/inbox", uri + "/outbox", uri + "/followers", uri + "/following", null,
                            uri + "#main-key", null, null, Instant.now(), null)));
            return new Remote(username, domain, keys, saved.id());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Http.Response post(Remote from, ObjectNode activity) {
        URI uri = URI.create(server.baseUrl + "/inbox");
        byte[] bytes = Json.write(activity).getBytes(StandardCharsets.UTF_8);
        Instant at = Instant.now();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/activity+json");
        DraftCavage.sign("POST", uri, FederationClient.hostHeader(uri), "application/activity+json", bytes,
                from.uri() + "#main-key", from.keys().getPrivate(), at).forEach((k, v) -> {
                    if (!k.equals("Date") && !k.equalsIgnoreCase("Content-Type")) {
                        b.header(k, v);
                    }
                });
        return server.http.send(b.header("Date", DraftCavage.HTTP_DATE.format(at))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    }

    static void deliver(Remote from, ObjectNode activity) {
        Http.Response r = post(from, activity);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    static ObjectNode activity(Remote from, String type, Object object) {
        ObjectNode a = Json.object();
        a.put("@context", "https://www.w3.org/ns/activitystreams");
        a.put("id", from.next());
        a.put("type", type);
        a.put("actor", from.uri());
        if (object instanceof String s) {
            a.put("object", s);
        } else {
            a.set("object", (JsonNode) object);
        }
        return a;
    }

    static ObjectNode note(Remote from, String content) {
        ObjectNode n = Json.object();
        n.put("id", from.next());
        n.put("type", "Note");
        n.put("attributedTo", from.uri());
        n.put("content", content);
        n.putArray("to").add(PUBLIC);
        n.putArray("cc").add(from.uri() + "/followers");
        n.putArray("tag");
        return n;
    }

    // --- what the remote actors do -----------------------------------------------------------------

    static void follows(Remote from, String local) {
        deliver(from, activity(from, "Follow", localUri(local)));
    }

    static void likes(Remote from, String statusId) {
        deliver(from, activity(from, "Like", statusUri(statusId)));
    }

    static void boosts(Remote from, String statusId) {
        ObjectNode announce = activity(from, "Announce", statusUri(statusId));
        announce.putArray("to").add(PUBLIC);
        deliver(from, announce);
    }

    /** A vote as Mastodon sends one: a Note whose name is the option, in reply to the poll's status. */
    static void votes(Remote from, String statusId, String option, String author) {
        ObjectNode vote = Json.object();
        vote.put("id", from.next());
        vote.put("type", "Note");
        vote.put("attributedTo", from.uri());
        vote.put("name", option);
        vote.put("inReplyTo", statusUri(statusId));
        vote.putArray("to").add(localUri(author));
        deliver(from, activity(from, "Create", vote));
    }

    static String mentions(Remote from, String local) {
        ObjectNode n = note(from, "<p>hi @" + local + "</p>");
        n.withArray("cc").add(localUri(local));
        n.withArray("tag").addObject().put("type", "Mention").put("href", localUri(local)).put("name", "@" + local);
        deliver(from, activity(from, "Create", n));
        return n.path("id").asString();
    }

    static String posts(Remote from, String content) {
        ObjectNode n = note(from, "<p>" + content + "</p>");
        deliver(from, activity(from, "Create", n));
        return n.path("id").asString();
    }

    /** A local account follows the remote actor, which accepts (an Accept of the Follow, embedded). */
    static void followedBy(String local, String token, Remote target) {
        Http.Response r = server.http.postJson("/api/v1/accounts/" + target.id() + "/follow", token, "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        ObjectNode follow = Json.object();
        follow.put("type", "Follow").put("actor", localUri(local)).put("object", target.uri());
        deliver(target, activity(target, "Accept", follow));
        Await.until(local + " following " + target.username(), () -> relationship(token, target.id()).path("following").asBoolean());
    }

    // --- the local side ------------------------------------------------------------------------------

    static String local(String name) {
        server.createAccount(name);
        String token = server.token(name, "read write follow");
        // Read home once, so fan-out fills the feed from now on.
        server.http.get("/api/v1/timelines/home", token);
        return token;
    }

    static String localUri(String name) {
        return server.baseUrl + "/users/" + name;
    }

    static String statusUri(String id) {
        String author = server.app.statuses().findAny(Long.parseLong(id)).map(s -> s.accountId()).flatMap(a ->
                server.app.accounts().find(a)).orElseThrow().username();
        return server.baseUrl + "/users/" + author + "/statuses/" + id;
    }

    /** A public post with a poll (yes / no); its id. */
    static String pollPost(String token, String text) {
        Http.Response r = server.http.postJson("/api/v1/statuses", token, Json.write(Map.of("status", text,
                "poll", Map.of("options", List.of("yes", "no"), "expires_in", 3600))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static JsonNode status(String token, String id) {
        Http.Response r = server.http.get("/api/v1/statuses/" + id, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", r.body());
        return r.json();
    }

    static JsonNode account(String token, long id) {
        Http.Response r = server.http.get("/api/v1/accounts/" + id, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Account", r.body());
        return r.json();
    }

    static long me(String token) {
        return server.http.get("/api/v1/accounts/verify_credentials", token).json().path("id").asLong();
    }

    static JsonNode relationship(String token, long id) {
        return server.http.get("/api/v1/accounts/relationships?id[]=" + id, token).json().get(0);
    }

    static JsonNode notifications(String token, String query) {
        Http.Response r = server.http.get("/api/v1/notifications" + query, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode n : r.json()) {
            MastodonSchemas.assertValid("Notification", n);
        }
        return r.json();
    }

    static List<String> senders(String token) {
        List<String> ids = new ArrayList<>();
        notifications(token, "?limit=80").forEach(n -> ids.add(n.path("type").asString() + ":" + n.path("account").path("id").asString()));
        return ids;
    }

    static List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    static String storedId(String uri) {
        return Long.toString(server.app.statuses().findByUri(uri).orElseThrow().id());
    }

    static String newList(String token, Remote member) {
        String list = server.http.postJson("/api/v1/lists", token, "{\"title\":\"remote friends\"}").json().path("id").asString();
        Http.Response r = server.http.postJson("/api/v1/lists/" + list + "/accounts", token,
                "{\"account_ids\":[\"" + member.id() + "\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return list;
    }

    static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new DomainsCommand(chore -> chore.applyAsInt(server.app.domainBlocks())));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        return code + " " + out.toString(StandardCharsets.UTF_8).strip();
    }

    static long count(String sql, Object... args) {
        return server.app.database().jdbi().withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
    }

    // --- tests ---------------------------------------------------------------------------------------

    @Test
    void aRemoteActorsDeleteOfItselfTakesEverythingItStoredAndItsCountsWithIt() {
        String ann = local("ann");
        String ben = local("ben");
        Remote rex = remote("rex", peer.domain);
        Remote sam = remote("sam", peer.domain);
        String post = pollPost(ann, "which one?");

        follows(rex, "ann");
        followedBy("ben", ben, rex);
        String list = newList(ben, rex);
        likes(rex, post);
        likes(sam, post);
        boosts(rex, post);
        votes(rex, post, "no", "ann");
        votes(sam, post, "yes", "ann");
        String mention = mentions(rex, "ann");
        String said = posts(rex, "rex says hello");
        Await.until("everything rex did stored", () -> server.app.statuses().findByUri(said).isPresent()
                && status(ann, post).path("poll").path("votes_count").asInt() == 2
                && status(ann, post).path("reblogs_count").asInt() == 1
                && senders(ann).contains("mention:" + rex.id()));
        String saidId = storedId(said);
        String mentionId = storedId(mention);
        assertThat(status(ann, post).path("favourites_count").asInt()).isEqualTo(2);
        assertThat(account(ann, me(ann)).path("followers_count").asInt()).isEqualTo(1);
        assertThat(account(ben, me(ben)).path("following_count").asInt()).isEqualTo(1);
        assertThat(account(ann, rex.id()).path("statuses_count").asInt()).isEqualTo(3);
        assertThat(senders(ann)).contains("follow:" + rex.id(), "favourite:" + rex.id(), "reblog:" + rex.id(),
                "favourite:" + sam.id());
        Await.until("rex's post in ben's home and list", () ->
                ids(server.http.get("/api/v1/timelines/home", ben)).contains(saidId)
                        && ids(server.http.get("/api/v1/timelines/list/" + list, ben)).contains(saidId));

        deliver(rex, activity(rex, "Delete", rex.uri()));
        Await.until("rex's follow of ann gone", () -> account(ann, me(ann)).path("followers_count").asInt() == 0);

        JsonNode shown = status(ann, post);
        assertThat(shown.path("favourites_count").asInt()).as("sam's favourite stays").isEqualTo(1);
        assertThat(shown.path("reblogs_count").asInt()).isZero();
        assertThat(shown.path("poll").path("votes_count").asInt()).isEqualTo(1);
        assertThat(shown.path("poll").path("voters_count").asInt()).isEqualTo(1);
        assertThat(shown.path("poll").path("options").get(0).path("votes_count").asInt()).as("yes").isEqualTo(1);
        assertThat(shown.path("poll").path("options").get(1).path("votes_count").asInt()).as("no").isZero();
        assertThat(account(ben, me(ben)).path("following_count").asInt()).isZero();
        JsonNode gone = account(ann, rex.id());
        assertThat(gone.path("statuses_count").asInt()).isZero();
        assertThat(gone.path("followers_count").asInt()).isZero();
        assertThat(gone.path("following_count").asInt()).isZero();
        assertThat(relationship(ben, rex.id()).path("following").asBoolean()).isFalse();
        assertThat(relationship(ann, rex.id()).path("followed_by").asBoolean()).isFalse();
        assertThat(senders(ann)).noneMatch(s -> s.endsWith(":" + rex.id())).contains("favourite:" + sam.id());
        assertThat(server.http.get("/api/v1/statuses/" + saidId, ben).status()).isEqualTo(404);
        assertThat(server.http.get("/api/v1/statuses/" + mentionId, ann).status()).isEqualTo(404);
        assertThat(ids(server.http.get("/api/v1/timelines/home", ben))).doesNotContain(saidId);
        assertThat(ids(server.http.get("/api/v1/timelines/list/" + list, ben))).doesNotContain(saidId);
        assertThat(server.http.get("/api/v1/lists/" + list + "/accounts", ben).json()).isEmpty();
        assertThat(ids(server.http.get("/api/v1/accounts/" + rex.id() + "/statuses", ann))).isEmpty();
        assertThat(notifications(ann, "?types[]=severed_relationships")).as("no notice of an actor's own Delete").isEmpty();
        // Its key is forgotten: what it signs later (its server no longer serves it) is refused.
        Http.Response after = post(rex, activity(rex, "Create", note(rex, "back from the dead?")));
        assertThat(after.status()).as(after.body()).isEqualTo(401);

        // Sam, on the same server, keeps what it did.
        assertThat(account(ann, sam.id()).path("statuses_count").asInt()).isZero();
        assertThat(status(ann, post).path("poll").path("options").get(0).path("votes_count").asInt()).isEqualTo(1);
    }

    @Test
    void suspendingADomainPurgesItsAccountsAndSubdomainsAndTellsWhoLostFollows() throws Exception {
        String dora = local("dora");
        String eve = local("eve");
        String gus = local("gus");
        Remote xena = remote("xena", "x.test");
        Remote sid = remote("sid", "sub.x.test");
        Remote yuri = remote("yuri", "y.test");
        String post = pollPost(dora, "pick");

        follows(xena, "dora");
        follows(sid, "dora");
        follows(sid, "eve");
        follows(yuri, "dora");
        followedBy("eve", eve, xena);
        followedBy("dora", dora, sid);
        followedBy("eve", eve, yuri);
        String list = newList(eve, xena);
        likes(xena, post);
        likes(yuri, post);
        boosts(sid, post);
        votes(xena, post, "yes", "dora");
        votes(yuri, post, "no", "dora");
        mentions(sid, "gus");
        String xenaSaid = idOnceStored(posts(xena, "xena on x"));
        String sidSaid = idOnceStored(posts(sid, "public words from sub"));
        String yuriSaid = idOnceStored(posts(yuri, "yuri stays"));
        Await.until("everything stored", () -> status(dora, post).path("poll").path("votes_count").asInt() == 2
                && status(dora, post).path("reblogs_count").asInt() == 1
                && status(dora, post).path("favourites_count").asInt() == 2
                && !notifications(gus, "?types[]=mention").isEmpty()
                && ids(server.http.get("/api/v1/timelines/home", eve)).containsAll(List.of(xenaSaid, yuriSaid))
                && ids(server.http.get("/api/v1/timelines/list/" + list, eve)).contains(xenaSaid)
                && ids(server.http.get("/api/v1/timelines/public", dora)).contains(sidSaid));
        assertThat(account(dora, me(dora)).path("followers_count").asInt()).isEqualTo(3);
        assertThat(account(dora, me(dora)).path("following_count").asInt()).isEqualTo(1);
        assertThat(account(eve, me(eve)).path("followers_count").asInt()).isEqualTo(1);
        assertThat(account(eve, me(eve)).path("following_count").asInt()).isEqualTo(2);

        assertThat(cli("block", "X.test")).isEqualTo("0 Blocked x.test (suspend)\n"
                + "Queued the purge of what accounts of x.test and its subdomains stored (job federation.purge_domain)");
        Await.until("dora told of her lost followers", () -> !notifications(dora, "?types[]=severed_relationships").isEmpty());

        JsonNode told = notifications(dora, "?types[]=severed_relationships").get(0);
        assertThat(told.path("type").asString()).isEqualTo("severed_relationships");
        assertThat(told.path("account").path("id").asLong()).as("names the recipient, as Mastodon's").isEqualTo(me(dora));
        JsonNode event = told.path("event");
        MastodonSchemas.assertValid("RelationshipSeveranceEvent", event);
        assertThat(event.path("type").asString()).isEqualTo("domain_block");
        assertThat(event.path("target_name").asString()).isEqualTo("x.test");
        assertThat(event.path("purged").asBoolean()).isFalse();
        assertThat(event.path("followers_count").asInt()).as("xena and sid").isEqualTo(2);
        assertThat(event.path("following_count").asInt()).as("sid").isEqualTo(1);
        JsonNode eveTold = notifications(eve, "?types[]=severed_relationships").get(0).path("event");
        assertThat(eveTold.path("followers_count").asInt()).as("sid").isEqualTo(1);
        assertThat(eveTold.path("following_count").asInt()).as("xena").isEqualTo(1);
        assertThat(notifications(gus, "?types[]=severed_relationships")).as("gus lost nobody").isEmpty();
        // Not filtered: the default listing shows it, excluding the type hides it, a strict policy keeps it.
        assertThat(notifications(dora, "").findValues("type").stream().map(JsonNode::asString))
                .contains("severed_relationships");
        assertThat(notifications(dora, "?exclude_types[]=severed_relationships").findValues("type").stream()
                .map(JsonNode::asString)).doesNotContain("severed_relationships");
        Http.Response grouped = server.http.get("/api/v2/notifications?types[]=severed_relationships", dora);
        assertThat(grouped.status()).as(grouped.body()).isEqualTo(200);
        MastodonSchemas.assertValid("NotificationGroup", grouped.json().path("notification_groups").get(0));
        assertThat(grouped.json().path("notification_groups").get(0).path("event").path("followers_count").asInt()).isEqualTo(2);

        // The content of x.test and sub.x.test is gone; y.test keeps its own.
        assertThat(account(dora, me(dora)).path("followers_count").asInt()).as("yuri").isEqualTo(1);
        assertThat(account(dora, me(dora)).path("following_count").asInt()).isZero();
        assertThat(account(eve, me(eve)).path("followers_count").asInt()).isZero();
        assertThat(account(eve, me(eve)).path("following_count").asInt()).as("yuri").isEqualTo(1);
        assertThat(relationship(eve, yuri.id()).path("following").asBoolean()).isTrue();
        assertThat(relationship(dora, sid.id()).path("following").asBoolean()).isFalse();
        assertThat(relationship(dora, sid.id()).path("followed_by").asBoolean()).isFalse();
        JsonNode shown = status(dora, post);
        assertThat(shown.path("favourites_count").asInt()).isEqualTo(1);
        assertThat(shown.path("reblogs_count").asInt()).isZero();
        assertThat(shown.path("poll").path("votes_count").asInt()).isEqualTo(1);
        assertThat(shown.path("poll").path("options").get(0).path("votes_count").asInt()).as("xena's yes").isZero();
        assertThat(shown.path("poll").path("options").get(1).path("votes_count").asInt()).as("yuri's no").isEqualTo(1);
        assertThat(server.http.get("/api/v1/statuses/" + xenaSaid, eve).status()).isEqualTo(404);
        assertThat(server.http.get("/api/v1/statuses/" + sidSaid, dora).status()).isEqualTo(404);
        assertThat(status(eve, yuriSaid).path("content").asString()).contains("yuri stays");
        List<String> home = ids(server.http.get("/api/v1/timelines/home", eve));
        assertThat(home).contains(yuriSaid).doesNotContain(xenaSaid);
        assertThat(ids(server.http.get("/api/v1/timelines/list/" + list, eve))).doesNotContain(xenaSaid);
        assertThat(ids(server.http.get("/api/v1/timelines/public", dora))).contains(yuriSaid).doesNotContain(sidSaid, xenaSaid);
        assertThat(notifications(gus, "?types[]=mention")).isEmpty();
        assertThat(senders(dora)).noneMatch(s -> s.endsWith(":" + xena.id()) || s.endsWith(":" + sid.id()))
                .contains("favourite:" + yuri.id(), "follow:" + yuri.id());
        assertThat(account(dora, xena.id()).path("statuses_count").asInt()).as("the row stays, empty").isZero();

        // A rerun changes nothing: no second notification, no count falls twice.
        long eventId = count("SELECT id FROM relationship_severance_events WHERE target_name = 'x.test'");
        long severed = count("SELECT count(*) FROM severed_relationships WHERE relationship_severance_event_id = ?", eventId);
        assertThat(severed).isEqualTo(5);
        server.app.domainPurge().run(new DomainPurge.Job("x.test", eventId));
        assertThat(notifications(dora, "?types[]=severed_relationships")).hasSize(1);
        assertThat(count("SELECT count(*) FROM severed_relationships WHERE relationship_severance_event_id = ?", eventId))
                .isEqualTo(severed);
        assertThat(account(dora, me(dora)).path("followers_count").asInt()).isEqualTo(1);
        assertThat(status(dora, post).path("favourites_count").asInt()).isEqualTo(1);
        assertThat(status(dora, post).path("poll").path("votes_count").asInt()).isEqualTo(1);

        // Suspended again while suspended: no new purge. Nothing new from the domain is taken meanwhile.
        assertThat(cli("block", "x.test")).isEqualTo("0 Blocked x.test (suspend)");
        assertThat(post(xena, activity(xena, "Follow", localUri("dora"))).status()).isEqualTo(401);

        // Lifted: its accounts may store again.
        assertThat(cli("unblock", "x.test")).isEqualTo("0 Unblocked x.test");
        follows(xena, "dora");
        String back = posts(xena, "back again");
        Await.until("xena back", () -> server.app.statuses().findByUri(back).isPresent()
                && account(dora, me(dora)).path("followers_count").asInt() == 2);
        assertThat(status(dora, storedId(back)).path("content").asString()).contains("back again");
    }

    @Test
    void aBlockRaisedToSuspendPurgesAndMilderBlocksDoNot() {
        String hal = local("hal");
        Remote zed = remote("zed", "z.test");
        Remote kept = remote("kept", "safe.z.test");
        follows(zed, "hal");
        follows(kept, "hal");
        Await.until("both follow hal", () -> account(hal, me(hal)).path("followers_count").asInt() == 2);

        assertThat(cli("block", "z.test", "--severity", "silence")).isEqualTo("0 Blocked z.test (silence)");
        assertThat(cli("block", "safe.z.test", "--severity", "noop")).isEqualTo("0 Blocked safe.z.test (noop)");
        assertThat(cli("block", "z.test")).contains("Queued the purge");
        Await.until("hal told", () -> !notifications(hal, "?types[]=severed_relationships").isEmpty());
        JsonNode event = notifications(hal, "?types[]=severed_relationships").get(0).path("event");
        assertThat(event.path("target_name").asString()).isEqualTo("z.test");
        assertThat(event.path("followers_count").asInt()).as("only zed: safe.z.test's own block is milder").isEqualTo(1);
        assertThat(event.path("following_count").asInt()).isZero();
        assertThat(relationship(hal, kept.id()).path("followed_by").asBoolean()).isTrue();
        assertThat(relationship(hal, zed.id()).path("followed_by").asBoolean()).isFalse();
        assertThat(account(hal, me(hal)).path("followers_count").asInt()).isEqualTo(1);
    }

    @Test
    void severedRelationshipsNotificationsNeedTheirScopeAndAToken() {
        String ivy = local("ivy");
        Remote wes = remote("wes", "w.test");
        follows(wes, "ivy");
        Await.until("wes follows ivy", () -> account(ivy, me(ivy)).path("followers_count").asInt() == 1);
        cli("block", "w.test");
        Await.until("ivy told", () -> !notifications(ivy, "?types[]=severed_relationships").isEmpty());
        String id = notifications(ivy, "?types[]=severed_relationships").get(0).path("id").asString();

        Http.Response one = server.http.get("/api/v1/notifications/" + id, ivy);
        assertThat(one.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Notification", one.body());
        assertThat(one.json().path("event").path("followers_count").asInt()).isEqualTo(1);
        assertThat(server.http.get("/api/v1/notifications/" + id).status()).isEqualTo(401);
        assertThat(server.http.get("/api/v1/notifications/" + id, server.token("ivy", "write")).status()).isEqualTo(403);
        String other = local("jon");
        assertThat(server.http.get("/api/v1/notifications/" + id, other).status()).isEqualTo(404);
        assertThat(notifications(other, "?types[]=severed_relationships")).isEmpty();
    }

    @Test
    void aRemoteVoteCountsOnceAndOneChoiceInASingleChoicePoll() {
        String kim = local("kim");
        Remote val = remote("val", peer.domain);
        String post = pollPost(kim, "one only");
        votes(val, post, "yes", "kim");
        votes(val, post, "yes", "kim");
        votes(val, post, "no", "kim");
        String after = posts(val, "a later post");
        Await.until("val's activities applied", () -> server.app.statuses().findByUri(after).isPresent());
        JsonNode poll = status(kim, post).path("poll");
        assertThat(poll.path("votes_count").asInt()).isEqualTo(1);
        assertThat(poll.path("voters_count").asInt()).isEqualTo(1);
        assertThat(poll.path("options").get(0).path("votes_count").asInt()).isEqualTo(1);
        assertThat(status(kim, post).path("replies_count").asInt()).as("votes are no replies").isZero();
    }

    static String idOnceStored(String uri) {
        Await.until(uri + " stored", () -> server.app.statuses().findByUri(uri).isPresent());
        return storedId(uri);
    }
}
