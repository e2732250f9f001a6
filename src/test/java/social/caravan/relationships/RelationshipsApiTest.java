package social.caravan.relationships;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * The social graph over HTTP: follows and follow requests, blocks, mutes, domain blocks, notes,
 * the lists of each with Mastodon's paging, the counters and notifications they cause, and what
 * they change about who sees which status.
 */
class RelationshipsApiTest {
    static TestServer server;
    static Http http;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(next|prev)\"");
    /** Every field of Mastodon's Relationship entity. */
    private static final Set<String> RELATIONSHIP_FIELDS = Set.of("id", "following", "showing_reblogs", "notifying",
            "languages", "followed_by", "blocking", "blocked_by", "muting", "muting_notifications", "muting_expires_at",
            "requested", "requested_by", "domain_blocking", "endorsed", "note");

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    record User(long id, String name, String token) {
        String path(String verb) {
            return "/api/v1/accounts/" + id + "/" + verb;
        }
    }

    static User user(String prefix) {
        String name = prefix + SEQUENCE.incrementAndGet();
        long id = server.createAccount(name);
        return new User(id, name, server.token(name, "read write"));
    }

    static User locked(String prefix) {
        User u = user(prefix);
        Http.Response r = http.patchJson("/api/v1/accounts/update_credentials", u.token, "{\"locked\":true}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return u;
    }

    /** POSTs to one of the account's relationship verbs and returns the Relationship, checked against the schema. */
    static JsonNode act(User actor, User target, String verb) {
        return act(actor, target, verb, "{}");
    }

    static JsonNode act(User actor, User target, String verb, String json) {
        Http.Response r = http.postJson(target.path(verb), actor.token, json);
        assertThat(r.status()).as("%s %s: %s", verb, target.name, r).isEqualTo(200);
        MastodonSchemas.assertValid("Relationship", r.body());
        JsonNode rel = r.json();
        assertThat(new TreeSet<>(rel.propertyNames())).isEqualTo(new TreeSet<>(RELATIONSHIP_FIELDS));
        assertThat(rel.path("id").asString()).isEqualTo(Long.toString(target.id));
        return rel;
    }

    static JsonNode relationship(User viewer, User target) {
        Http.Response r = http.get("/api/v1/accounts/relationships?id[]=" + target.id, viewer.token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Relationship", r.body());
        assertThat(r.json().size()).isEqualTo(1);
        return r.json().get(0);
    }

    static JsonNode account(User u) {
        Http.Response r = http.get("/api/v1/accounts/" + u.id);
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    static long count(String sql, Object... args) {
        return server.app.database().jdbi().withHandle(h -> {
            var q = h.createQuery(sql);
            for (int i = 0; i < args.length; i++) {
                q.bind(i, args[i]);
            }
            return q.mapTo(Long.class).one();
        });
    }

    static void execute(String sql, Object... args) {
        server.app.database().jdbi().useHandle(h -> {
            var u = h.createUpdate(sql);
            for (int i = 0; i < args.length; i++) {
                u.bind(i, args[i]);
            }
            u.execute();
        });
    }

    static long mergeJobs(User follower, User followed) {
        return count("SELECT count(*) FROM jobs WHERE type = 'timelines.merge' AND unique_key = ?",
                "merge:" + follower.id + ":" + followed.id);
    }

    static long notifications(User recipient, User from, String type) {
        return count("SELECT count(*) FROM notifications WHERE account_id = ? AND from_account_id = ? AND type = ?",
                recipient.id, from.id, type);
    }

    /** A list response: 200, each element valid against {@code schema}. */
    static Http.Response list(String path, String token, String schema) {
        Http.Response r = token == null ? http.get(path) : http.get(path, token);
        assertThat(r.status()).as("%s: %s", path, r).isEqualTo(200);
        if (schema != null) {
            MastodonSchemas.assertValidArray(schema, r.body());
        }
        return r;
    }

    static List<String> ids(Http.Response r) {
        return ids(r.json());
    }

    static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(a -> ids.add(a.path("id").asString()));
        return ids;
    }

    static List<String> ids(User... users) {
        List<String> ids = new ArrayList<>();
        for (User u : users) {
            ids.add(Long.toString(u.id));
        }
        return ids;
    }

    /** The path and query of the Link header's {@code rel} target, or null when there is none. */
    static String link(Http.Response r, String rel) {
        String header = r.header("Link");
        if (header == null) {
            return null;
        }
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            if (m.group(2).equals(rel)) {
                URI uri = URI.create(m.group(1));
                return uri.getRawPath() + "?" + uri.getRawQuery();
            }
        }
        return null;
    }

    static String cursor(String link, String name) {
        Matcher m = Pattern.compile("[?&]" + name + "=(\\d+)").matcher(link);
        assertThat(m.find()).as("%s in %s", name, link).isTrue();
        return m.group(1);
    }

    static String post(User author, String text, String visibility) {
        Http.Response r = http.postJson("/api/v1/statuses", author.token,
                Json.write(Map.of("status", text, "visibility", visibility)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    // ---------------------------------------------------------------------------------------------
    // Follows

    @Test
    void followingAnUnlockedAccountCountsNotifiesAndUpdatesTheOptions() {
        User alice = user("alice");
        User bob = user("bob");

        JsonNode rel = act(alice, bob, "follow");
        assertThat(rel.path("following").asBoolean()).isTrue();
        assertThat(rel.path("showing_reblogs").asBoolean()).isTrue();
        assertThat(rel.path("notifying").asBoolean()).isFalse();
        assertThat(rel.path("languages").isNull()).isTrue();
        assertThat(rel.path("requested").asBoolean()).isFalse();
        assertThat(rel.path("followed_by").asBoolean()).isFalse();
        assertThat(rel.path("endorsed").asBoolean()).isFalse();
        assertThat(rel.path("note").asString()).isEmpty();
        assertThat(relationship(bob, alice).path("followed_by").asBoolean()).isTrue();
        assertThat(relationship(bob, alice).path("following").asBoolean()).isFalse();

        assertThat(account(bob).path("followers_count").asInt()).isEqualTo(1);
        assertThat(account(alice).path("following_count").asInt()).isEqualTo(1);
        assertThat(account(alice).path("followers_count").asInt()).isZero();
        assertThat(notifications(bob, alice, "follow")).isEqualTo(1);
        assertThat(mergeJobs(alice, bob)).as("bob's statuses are merged into alice's home feed").isEqualTo(1);

        // Following again changes the options; counters and notifications stay as they were.
        JsonNode changed = act(alice, bob, "follow", """
                {"reblogs":false,"notify":true,"languages":["en","de","en",""]}""");
        assertThat(changed.path("following").asBoolean()).isTrue();
        assertThat(changed.path("showing_reblogs").asBoolean()).isFalse();
        assertThat(changed.path("notifying").asBoolean()).isTrue();
        assertThat(changed.path("languages").toString()).isEqualTo("[\"en\",\"de\"]");
        JsonNode kept = act(alice, bob, "follow");
        assertThat(kept.path("showing_reblogs").asBoolean()).as("absent options stay").isFalse();
        assertThat(kept.path("notifying").asBoolean()).isTrue();
        assertThat(kept.path("languages").size()).isEqualTo(2);
        // Rails-style form parameters work too, and an empty list means every language again.
        Http.Response form = http.postForm(bob.path("follow"), alice.token, Http.fields("reblogs", "true", "languages[]", ""));
        assertThat(form.status()).as(form.toString()).isEqualTo(200);
        assertThat(form.json().path("showing_reblogs").asBoolean()).isTrue();
        assertThat(form.json().path("languages").isNull()).isTrue();
        assertThat(account(bob).path("followers_count").asInt()).isEqualTo(1);
        assertThat(notifications(bob, alice, "follow")).isEqualTo(1);
        assertThat(mergeJobs(alice, bob)).isEqualTo(1);

        Http.Response badLanguage = http.postJson(bob.path("follow"), alice.token, "{\"languages\":[\"english!\"],\"reblogs\":false}");
        assertThat(badLanguage.status()).isEqualTo(422);
        assertThat(badLanguage.json().path("error").asString()).isEqualTo("Validation failed: Languages is invalid");
        assertThat(relationship(alice, bob).path("showing_reblogs").asBoolean()).as("nothing changed").isTrue();

        JsonNode unfollowed = act(alice, bob, "unfollow");
        assertThat(unfollowed.path("following").asBoolean()).isFalse();
        assertThat(unfollowed.path("showing_reblogs").asBoolean()).isFalse();
        assertThat(unfollowed.path("languages").isNull()).isTrue();
        assertThat(account(bob).path("followers_count").asInt()).isZero();
        assertThat(account(alice).path("following_count").asInt()).isZero();
        act(alice, bob, "unfollow");
        assertThat(account(bob).path("followers_count").asInt()).as("unfollowing twice counts once").isZero();
    }

    @Test
    void aFollowerSeesPrivateStatusesAndMutualFollowsCountBothWays() {
        User author = user("author");
        User reader = user("reader");
        String secret = post(author, "followers only", "private");
        assertThat(http.get("/api/v1/statuses/" + secret, reader.token).status()).isEqualTo(404);

        act(reader, author, "follow");
        assertThat(http.get("/api/v1/statuses/" + secret, reader.token).status()).isEqualTo(200);
        JsonNode back = act(author, reader, "follow");
        assertThat(back.path("following").asBoolean()).isTrue();
        assertThat(back.path("followed_by").asBoolean()).isTrue();
        assertThat(account(author).path("followers_count").asInt()).isEqualTo(1);
        assertThat(account(author).path("following_count").asInt()).isEqualTo(1);

        act(reader, author, "unfollow");
        assertThat(http.get("/api/v1/statuses/" + secret, reader.token).status()).isEqualTo(404);
    }

    @Test
    void lockedAccountsGetRequestsToAuthorizeOrReject() {
        User carol = locked("carol");
        User dave = user("dave");
        User erin = user("erin");
        String secret = post(carol, "for my followers", "private");

        JsonNode requested = act(dave, carol, "follow", "{\"reblogs\":false,\"languages\":[\"fr\"]}");
        assertThat(requested.path("requested").asBoolean()).isTrue();
        assertThat(requested.path("following").asBoolean()).isFalse();
        assertThat(requested.path("showing_reblogs").asBoolean()).as("the request's options").isFalse();
        assertThat(requested.path("languages").toString()).isEqualTo("[\"fr\"]");
        assertThat(notifications(carol, dave, "follow_request")).isEqualTo(1);
        assertThat(notifications(carol, dave, "follow")).isZero();
        assertThat(mergeJobs(dave, carol)).as("nothing to merge before the request is accepted").isZero();
        assertThat(account(carol).path("followers_count").asInt()).isZero();
        JsonNode listed = http.get("/api/v1/notifications?types[]=follow_request", carol.token).json();
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).path("type").asString()).isEqualTo("follow_request");
        assertThat(listed.get(0).path("account").path("id").asString()).isEqualTo(Long.toString(dave.id));
        JsonNode again = act(dave, carol, "follow", "{\"notify\":true}");
        assertThat(again.path("requested").asBoolean()).isTrue();
        assertThat(again.path("notifying").asBoolean()).as("following again changes the request").isTrue();
        assertThat(notifications(carol, dave, "follow_request")).isEqualTo(1);
        assertThat(relationship(carol, dave).path("requested_by").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/statuses/" + secret, dave.token).status()).isEqualTo(404);

        act(erin, carol, "follow");
        Http.Response pending = list("/api/v1/follow_requests", carol.token, "Account");
        assertThat(ids(pending)).containsExactly(ids(erin, dave).toArray(String[]::new));
        assertThat(http.get("/api/v1/accounts/verify_credentials", carol.token).json()
                .path("source").path("follow_requests_count").asInt()).isEqualTo(2);

        Http.Response authorized = http.postJson("/api/v1/follow_requests/" + dave.id + "/authorize", carol.token, "");
        assertThat(authorized.status()).as(authorized.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Relationship", authorized.body());
        assertThat(authorized.json().path("id").asString()).isEqualTo(Long.toString(dave.id));
        assertThat(authorized.json().path("followed_by").asBoolean()).isTrue();
        assertThat(authorized.json().path("requested_by").asBoolean()).isFalse();
        JsonNode daves = relationship(dave, carol);
        assertThat(daves.path("following").asBoolean()).isTrue();
        assertThat(daves.path("requested").asBoolean()).isFalse();
        assertThat(daves.path("showing_reblogs").asBoolean()).as("the request's options carry over").isFalse();
        assertThat(daves.path("notifying").asBoolean()).isTrue();
        assertThat(daves.path("languages").toString()).isEqualTo("[\"fr\"]");
        assertThat(account(carol).path("followers_count").asInt()).isEqualTo(1);
        assertThat(account(dave).path("following_count").asInt()).isEqualTo(1);
        assertThat(notifications(carol, dave, "follow")).isEqualTo(1);
        assertThat(mergeJobs(dave, carol)).isEqualTo(1);
        assertThat(http.get("/api/v1/statuses/" + secret, dave.token).status()).isEqualTo(200);
        assertThat(act(dave, carol, "follow").path("following").asBoolean()).as("a follower stays a follower").isTrue();

        Http.Response rejected = http.postJson("/api/v1/follow_requests/" + erin.id + "/reject", carol.token, "");
        assertThat(rejected.status()).isEqualTo(200);
        assertThat(rejected.json().path("requested_by").asBoolean()).isFalse();
        assertThat(relationship(erin, carol).path("requested").asBoolean()).isFalse();
        assertThat(relationship(erin, carol).path("following").asBoolean()).isFalse();
        assertThat(list("/api/v1/follow_requests", carol.token, "Account").json().size()).isZero();
        for (String verb : List.of("authorize", "reject")) {
            Http.Response none = http.postJson("/api/v1/follow_requests/" + erin.id + "/" + verb, carol.token, "");
            assertThat(none.status()).as("no request to " + verb).isEqualTo(404);
            assertThat(none.json().path("error").asString()).isEqualTo("Record not found");
        }

        // Unfollowing withdraws a pending request.
        act(erin, carol, "follow");
        assertThat(act(erin, carol, "unfollow").path("requested").asBoolean()).isFalse();
        assertThat(list("/api/v1/follow_requests", carol.token, "Account").json().size()).isZero();
        assertThat(account(carol).path("followers_count").asInt()).isEqualTo(1);
    }

    @Test
    void removeFromFollowers() {
        User star = user("star");
        User fan = user("fan");
        act(fan, star, "follow");
        JsonNode rel = act(star, fan, "remove_from_followers");
        assertThat(rel.path("followed_by").asBoolean()).isFalse();
        assertThat(relationship(fan, star).path("following").asBoolean()).isFalse();
        assertThat(account(star).path("followers_count").asInt()).isZero();
        assertThat(account(fan).path("following_count").asInt()).isZero();
    }

    @Test
    void followingYourselfOrUnknownAccountsIsRefusedAndNothingIsWritten() {
        User me = user("me");
        Http.Response self = http.postJson(me.path("follow"), me.token, "{}");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.json().path("error").asString()).isEqualTo("Following your own account is not allowed");
        MastodonSchemas.assertValid("Error", self.body());
        assertThat(account(me).path("following_count").asInt()).isZero();
        assertThat(count("SELECT count(*) FROM follows WHERE account_id = ?", me.id)).isZero();

        for (String verb : List.of("follow", "unfollow", "remove_from_followers", "block", "unblock", "mute", "unmute", "note")) {
            for (String id : List.of("999999999", "abc")) {
                Http.Response r = http.postJson("/api/v1/accounts/" + id + "/" + verb, me.token, "{}");
                assertThat(r.status()).as(verb + " " + id).isEqualTo(404);
                assertThat(r.json().path("error").asString()).isEqualTo("Record not found");
            }
        }
        for (String list : List.of("followers", "following")) {
            assertThat(http.get("/api/v1/accounts/999999999/" + list).status()).isEqualTo(404);
        }
        assertThat(http.postJson("/api/v1/follow_requests/999999999/authorize", me.token, "").status()).isEqualTo(404);
        assertThat(http.postJson(me.path("follow"), null, "{}").status()).as("no token").isEqualTo(401);

        User pending = user("pending");
        execute("UPDATE users SET approved = false WHERE account_id = ?", pending.id);
        assertThat(http.postJson(pending.path("follow"), me.token, "{}").status()).as("awaiting approval").isEqualTo(404);
        assertThat(http.postJson(pending.path("mute"), me.token, "{\"duration\":-1}").status()).as("404 before 422").isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------
    // Blocks

    @Test
    void blockingEndsFollowsAndRequestsBothWaysAndHidesTheBlockersStatuses() {
        User blocker = locked("blocker");
        User pest = user("pest");
        User other = user("other");
        act(blocker, pest, "follow");
        act(pest, blocker, "follow"); // a request: the blocker is locked
        act(blocker, other, "follow");
        String hello = post(blocker, "hello world", "public");
        assertThat(http.get("/api/v1/statuses/" + hello, pest.token).status()).isEqualTo(200);

        JsonNode rel = act(blocker, pest, "block");
        assertThat(rel.path("blocking").asBoolean()).isTrue();
        assertThat(rel.path("following").asBoolean()).isFalse();
        assertThat(rel.path("requested_by").asBoolean()).isFalse();
        assertThat(account(blocker).path("following_count").asInt()).as("the follow of other stays").isEqualTo(1);
        assertThat(account(pest).path("followers_count").asInt()).isZero();
        assertThat(list("/api/v1/follow_requests", blocker.token, "Account").json().size()).isZero();
        JsonNode pests = relationship(pest, blocker);
        assertThat(pests.path("blocked_by").asBoolean()).isTrue();
        assertThat(pests.path("blocking").asBoolean()).isFalse();
        assertThat(pests.path("requested").asBoolean()).isFalse();

        assertThat(http.get("/api/v1/statuses/" + hello, pest.token).status()).as("blocked").isEqualTo(404);
        assertThat(http.get("/api/v1/statuses/" + hello, other.token).status()).isEqualTo(200);
        for (User[] pair : new User[][] {{pest, blocker}, {blocker, pest}}) {
            Http.Response refused = http.postJson(pair[1].path("follow"), pair[0].token, "{}");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("error").asString()).isEqualTo("This action is not allowed");
        }
        assertThat(count("SELECT count(*) FROM follow_requests WHERE account_id = ?", pest.id)).isZero();
        assertThat(act(blocker, pest, "block").path("blocking").asBoolean()).as("blocking twice").isTrue();

        Http.Response blocks = list("/api/v1/blocks", blocker.token, "Account");
        assertThat(ids(blocks)).containsExactly(ids(pest).toArray(String[]::new));

        assertThat(act(blocker, pest, "unblock").path("blocking").asBoolean()).isFalse();
        assertThat(http.get("/api/v1/statuses/" + hello, pest.token).status()).isEqualTo(200);
        assertThat(list("/api/v1/blocks", blocker.token, "Account").json().size()).isZero();
        assertThat(relationship(blocker, pest).path("following").asBoolean()).as("a block does not come undone into a follow")
                .isFalse();
    }

    @Test
    void blockingOrMutingYourselfDoesNothing() {
        User me = user("self");
        JsonNode blocked = act(me, me, "block");
        assertThat(blocked.path("blocking").asBoolean()).isFalse();
        JsonNode muted = act(me, me, "mute");
        assertThat(muted.path("muting").asBoolean()).isFalse();
        assertThat(count("SELECT count(*) FROM blocks WHERE account_id = ?", me.id)).isZero();
        assertThat(count("SELECT count(*) FROM mutes WHERE account_id = ?", me.id)).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // Mutes

    @Test
    void mutesWithAndWithoutNotificationsAndWithExpiry() {
        User muter = user("muter");
        User loud = user("loud");
        User chatty = user("chatty");

        JsonNode rel = act(muter, loud, "mute");
        assertThat(rel.path("muting").asBoolean()).isTrue();
        assertThat(rel.path("muting_notifications").asBoolean()).as("notifications are muted by default").isTrue();
        assertThat(rel.path("muting_expires_at").isNull()).isTrue();
        act(loud, muter, "follow");
        assertThat(notifications(muter, loud, "follow")).as("hidden by the mute").isZero();

        JsonNode partial = act(muter, chatty, "mute", "{\"notifications\":false,\"duration\":3600}");
        assertThat(partial.path("muting").asBoolean()).isTrue();
        assertThat(partial.path("muting_notifications").asBoolean()).isFalse();
        Instant ends = Instant.parse(partial.path("muting_expires_at").asString());
        assertThat(ends).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        act(chatty, muter, "follow");
        assertThat(notifications(muter, chatty, "follow")).as("notifications were not muted").isEqualTo(1);

        Http.Response mutes = list("/api/v1/mutes", muter.token, "MutedAccount");
        assertThat(ids(mutes)).containsExactly(ids(chatty, loud).toArray(String[]::new));
        assertThat(Instant.parse(mutes.json().get(0).path("mute_expires_at").asString())).isEqualTo(ends);
        assertThat(mutes.json().get(1).path("mute_expires_at").isNull()).isTrue();
        MastodonSchemas.assertValidArray("Account", mutes.body());

        // Muting again replaces both choices: now for good, and notifications too.
        JsonNode again = act(muter, chatty, "mute");
        assertThat(again.path("muting_notifications").asBoolean()).isTrue();
        assertThat(again.path("muting_expires_at").isNull()).isTrue();

        for (String bad : List.of("{\"duration\":\"soon\"}", "{\"duration\":-5}", "{\"duration\":1.5}")) {
            Http.Response r = http.postJson(loud.path("mute"), muter.token, bad.replace("}", ",\"notifications\":false}"));
            assertThat(r.status()).as(bad).isEqualTo(422);
        }
        assertThat(relationship(muter, loud).path("muting_notifications").asBoolean()).as("nothing changed").isTrue();

        // An expired mute is no mute at all.
        act(muter, loud, "mute", "{\"duration\":60}");
        execute("UPDATE mutes SET expires_at = now() - interval '1 second' WHERE account_id = ? AND target_account_id = ?",
                muter.id, loud.id);
        JsonNode expired = relationship(muter, loud);
        assertThat(expired.path("muting").asBoolean()).isFalse();
        assertThat(expired.path("muting_notifications").asBoolean()).isFalse();
        assertThat(expired.path("muting_expires_at").isNull()).isTrue();
        assertThat(ids(list("/api/v1/mutes", muter.token, "MutedAccount"))).containsExactly(ids(chatty).toArray(String[]::new));
        act(loud, muter, "unfollow");
        act(loud, muter, "follow");
        assertThat(notifications(muter, loud, "follow")).isEqualTo(1);
        JsonNode renewed = act(muter, loud, "mute");
        assertThat(renewed.path("muting").asBoolean()).as("muting again after expiry").isTrue();
        assertThat(ids(list("/api/v1/mutes", muter.token, "MutedAccount")).get(0))
                .as("a renewed mute lists as new").isEqualTo(Long.toString(loud.id));

        assertThat(act(muter, loud, "unmute").path("muting").asBoolean()).isFalse();
        assertThat(act(muter, chatty, "unmute").path("muting").asBoolean()).isFalse();
        assertThat(list("/api/v1/mutes", muter.token, "MutedAccount").json().size()).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // Domain blocks

    @Test
    void domainBlocksAreListedShownInRelationshipsAndEndFollowsWithThatServer() {
        User me = user("fortress");
        // A remote account, as federation will store it; here it follows me and I asked to follow it.
        long remoteId = count("INSERT INTO accounts (username, domain, public_key) VALUES ('faraway', 'spam.example', 'k') RETURNING id");
        User remote = new User(remoteId, "faraway@spam.example", null);
        JsonNode asked = act(me, remote, "follow");
        assertThat(asked.path("requested").asBoolean()).as("a remote account answers with Accept").isTrue();
        execute("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", remoteId, me.id);
        execute("INSERT INTO account_stats (account_id, followers_count) VALUES (?, 1)", me.id);

        Http.Response blocked = http.postJson("/api/v1/domain_blocks", me.token, "{\"domain\":\" Spam.EXAMPLE/ \"}");
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(200);
        assertThat(blocked.body()).isEqualTo("{}");
        assertThat(http.postForm("/api/v1/domain_blocks", me.token, Http.fields("domain", "spam.example")).status())
                .as("blocking twice").isEqualTo(200);
        Http.Response domains = list("/api/v1/domain_blocks", me.token, null);
        assertThat(domains.json().toString()).isEqualTo("[\"spam.example\"]");

        JsonNode rel = relationship(me, remote);
        assertThat(rel.path("domain_blocking").asBoolean()).isTrue();
        assertThat(rel.path("followed_by").asBoolean()).isFalse();
        assertThat(rel.path("requested").asBoolean()).isFalse();
        assertThat(account(me).path("followers_count").asInt()).isZero();
        Http.Response refused = http.postJson(remote.path("follow"), me.token, "{}");
        assertThat(refused.status()).isEqualTo(403);

        for (String bad : List.of("", "  ", "not a domain", "a..b")) {
            Http.Response r = http.postJson("/api/v1/domain_blocks", me.token, Json.write(Map.of("domain", bad)));
            assertThat(r.status()).as("'%s'", bad).isEqualTo(422);
            assertThat(r.json().path("error").asString())
                    .isEqualTo(bad.isBlank() ? "Validation failed: Domain can't be blank" : "Validation failed: Domain is invalid");
        }
        assertThat(http.postJson("/api/v1/domain_blocks", me.token, "{}").status()).isEqualTo(422);

        Http.Response removed = http.send(http.request("/api/v1/domain_blocks").header("Authorization", "Bearer " + me.token)
                .header("Content-Type", "application/json")
                .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString("{\"domain\":\"SPAM.example\"}")).build());
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(list("/api/v1/domain_blocks", me.token, null).json().size()).isZero();
        assertThat(relationship(me, remote).path("domain_blocking").asBoolean()).isFalse();
        Http.Response never = http.send(http.request("/api/v1/domain_blocks?domain=never.example")
                .header("Authorization", "Bearer " + me.token).DELETE().build());
        assertThat(never.status()).isEqualTo(200);
    }

    @Test
    void domainBlocksArePagedOnTheirHiddenIds() {
        User me = user("pager");
        for (String d : List.of("a.example", "b.example", "c.example")) {
            assertThat(http.postJson("/api/v1/domain_blocks", me.token, Json.write(Map.of("domain", d))).status()).isEqualTo(200);
        }
        Http.Response first = list("/api/v1/domain_blocks?limit=2", me.token, null);
        assertThat(first.json().toString()).isEqualTo("[\"c.example\",\"b.example\"]");
        Http.Response second = list(link(first, "next"), me.token, null);
        assertThat(second.json().toString()).isEqualTo("[\"a.example\"]");
        long hidden = count("SELECT id FROM account_domain_blocks WHERE account_id = ? AND domain = 'a.example'", me.id);
        assertThat(cursor(link(second, "next"), "max_id")).isEqualTo(Long.toString(hidden));
        assertThat(list(link(second, "next"), me.token, null).header("Link")).isNull();
        assertThat(list(link(second, "prev"), me.token, null).json().toString()).isEqualTo("[\"c.example\",\"b.example\"]");
    }

    // ---------------------------------------------------------------------------------------------
    // Notes

    @Test
    void notesAreSetShownAndCleared() {
        User me = user("noter");
        User them = user("noted");
        assertThat(act(me, them, "note", "{\"comment\":\"met at the café\"}").path("note").asString()).isEqualTo("met at the café");
        assertThat(relationship(me, them).path("note").asString()).isEqualTo("met at the café");
        assertThat(relationship(them, me).path("note").asString()).as("a note is private").isEmpty();
        assertThat(act(me, them, "note", "{\"comment\":\"changed\"}").path("note").asString()).isEqualTo("changed");

        Http.Response tooLong = http.postJson(them.path("note"), me.token, Json.write(Map.of("comment", "x".repeat(2001))));
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().path("error").asString()).contains("maximum is 2000 characters");
        assertThat(relationship(me, them).path("note").asString()).isEqualTo("changed");
        assertThat(act(me, them, "note", Json.write(Map.of("comment", "y".repeat(2000)))).path("note").asString()).hasSize(2000);

        assertThat(act(me, them, "note", "{\"comment\":\"\"}").path("note").asString()).isEmpty();
        act(me, them, "note", "{\"comment\":\"again\"}");
        assertThat(act(me, them, "note").path("note").asString()).as("no comment clears it").isEmpty();
        assertThat(count("SELECT count(*) FROM account_notes WHERE account_id = ?", me.id)).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // Relationships and familiar followers

    @Test
    void relationshipsShowEveryFieldInTheOrderAsked() {
        User me = user("viewer");
        User friend = user("friend");
        User shy = locked("shy");
        act(me, friend, "follow", "{\"notify\":true,\"languages\":[\"en\"]}");
        act(friend, me, "follow");
        act(me, friend, "mute", "{\"notifications\":false}");
        act(me, friend, "note", "{\"comment\":\"old friend\"}");
        act(me, shy, "follow");

        Http.Response r = http.get("/api/v1/accounts/relationships?id[]=" + shy.id + "&id[]=12345&id[]=" + friend.id
                + "&with_suspended=true", me.token);
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Relationship", r.body());
        assertThat(ids(r)).containsExactly(ids(shy, friend).toArray(String[]::new));
        JsonNode f = r.json().get(1);
        assertThat(f.path("following").asBoolean()).isTrue();
        assertThat(f.path("followed_by").asBoolean()).isTrue();
        assertThat(f.path("showing_reblogs").asBoolean()).isTrue();
        assertThat(f.path("notifying").asBoolean()).isTrue();
        assertThat(f.path("languages").toString()).isEqualTo("[\"en\"]");
        assertThat(f.path("muting").asBoolean()).isTrue();
        assertThat(f.path("muting_notifications").asBoolean()).isFalse();
        assertThat(f.path("note").asString()).isEqualTo("old friend");
        assertThat(f.path("blocking").asBoolean()).isFalse();
        assertThat(f.path("requested").asBoolean()).isFalse();
        JsonNode s = r.json().get(0);
        assertThat(s.path("requested").asBoolean()).isTrue();
        assertThat(s.path("following").asBoolean()).isFalse();
        assertThat(s.path("showing_reblogs").asBoolean()).isTrue();
        assertThat(relationship(shy, me).path("requested_by").asBoolean()).isTrue();
    }

    @Test
    void familiarFollowersAreTheAccountsYouFollowThatFollowThem() {
        User me = user("familiar");
        User x = user("x");
        User y = user("y");
        User hidden = user("hidden");
        User stranger = user("stranger");
        User z = user("z");
        act(me, x, "follow");
        act(me, y, "follow");
        act(me, hidden, "follow");
        act(x, z, "follow");
        act(y, z, "follow");
        act(hidden, z, "follow");
        act(stranger, z, "follow");
        http.patchJson("/api/v1/accounts/update_credentials", hidden.token, "{\"hide_collections\":true}");

        Http.Response r = http.get("/api/v1/accounts/familiar_followers?id[]=" + z.id + "&id[]=999999&id[]=" + x.id, me.token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValidArray("FamiliarFollowers", r.body());
        assertThat(ids(r)).containsExactly(ids(z, x).toArray(String[]::new));
        assertThat(ids(r.json().get(0).path("accounts")))
                .containsExactly(ids(y, x).toArray(String[]::new));
        assertThat(r.json().get(1).path("accounts").size()).isZero();

        http.patchJson("/api/v1/accounts/update_credentials", z.token, "{\"hide_collections\":true}");
        JsonNode hiddenNetwork = http.get("/api/v1/accounts/familiar_followers?id[]=" + z.id, me.token).json();
        assertThat(hiddenNetwork.get(0).path("accounts").size()).as("z hides its network").isZero();
        assertThat(http.get("/api/v1/accounts/familiar_followers?id[]=" + z.id, server.token(me.name, "write")).status())
                .isEqualTo(403);
    }

    // ---------------------------------------------------------------------------------------------
    // Followers, following and paging

    @Test
    void followersArePagedOnTheHiddenFollowIdsWithLinksThatRoundTrip() {
        User target = user("popular");
        List<User> fans = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            User fan = user("fan");
            act(fan, target, "follow");
            fans.add(fan);
        }
        assertThat(account(target).path("followers_count").asInt()).isEqualTo(5);
        String followers = "/api/v1/accounts/" + target.id + "/followers";

        Http.Response all = list(followers, null, "Account");
        assertThat(ids(all)).containsExactly(ids(fans.get(4), fans.get(3), fans.get(2), fans.get(1), fans.get(0))
                .toArray(String[]::new));

        Http.Response first = list(followers + "?limit=2", target.token, "Account");
        assertThat(ids(first)).containsExactly(ids(fans.get(4), fans.get(3)).toArray(String[]::new));
        String next = link(first, "next");
        assertThat(cursor(next, "max_id")).as("the Link names the follow, not the account")
                .isEqualTo(Long.toString(followId(fans.get(3), target)));
        assertThat(cursor(link(first, "prev"), "min_id")).isEqualTo(Long.toString(followId(fans.get(4), target)));

        Http.Response second = list(next, target.token, "Account");
        assertThat(ids(second)).containsExactly(ids(fans.get(2), fans.get(1)).toArray(String[]::new));
        Http.Response back = list(link(second, "prev"), target.token, "Account");
        assertThat(ids(back)).as("prev of page two is page one").isEqualTo(ids(first));
        Http.Response third = list(link(second, "next"), target.token, "Account");
        assertThat(ids(third)).containsExactly(ids(fans.get(0)).toArray(String[]::new));
        Http.Response empty = list(link(third, "next"), target.token, "Account");
        assertThat(empty.json().size()).isZero();
        assertThat(empty.header("Link")).as("an empty page has no Link").isNull();

        long oldest = followId(fans.get(0), target);
        Http.Response forward = list(followers + "?limit=2&min_id=" + oldest, target.token, "Account");
        assertThat(ids(forward)).as("min_id pages forward from the cursor")
                .containsExactly(ids(fans.get(2), fans.get(1)).toArray(String[]::new));
        Http.Response since = list(followers + "?limit=2&since_id=" + oldest, target.token, "Account");
        assertThat(ids(since)).as("since_id gives the newest").containsExactly(ids(fans.get(4), fans.get(3)).toArray(String[]::new));
        Http.Response capped = list(followers + "?limit=500", target.token, "Account");
        assertThat(capped.json().size()).isEqualTo(5);

        Http.Response following = list("/api/v1/accounts/" + fans.get(0).id + "/following", null, "Account");
        assertThat(ids(following)).containsExactly(ids(target).toArray(String[]::new));
        Http.Response nobody = list("/api/v1/accounts/" + target.id + "/following", null, "Account");
        assertThat(nobody.json().size()).isZero();
        assertThat(nobody.header("Link")).isNull();
    }

    @Test
    void hiddenNetworksBlocksAndScopesShapeTheFollowerLists() {
        User owner = user("owner");
        User fan = user("fan");
        User blocked = user("blocked");
        User viewer = user("looker");
        act(fan, owner, "follow");
        act(owner, fan, "follow");
        String followers = "/api/v1/accounts/" + owner.id + "/followers";

        act(viewer, fan, "block");
        assertThat(list(followers, viewer.token, "Account").json().size()).as("accounts you block are left out").isZero();
        assertThat(list(followers, null, "Account").json().size()).isEqualTo(1);
        act(viewer, fan, "unblock");

        act(owner, blocked, "block");
        assertThat(list(followers, blocked.token, "Account").json().size()).as("the owner blocks you").isZero();

        http.patchJson("/api/v1/accounts/update_credentials", owner.token, "{\"hide_collections\":true}");
        for (String list : List.of("followers", "following")) {
            String path = "/api/v1/accounts/" + owner.id + "/" + list;
            Http.Response others = list(path, viewer.token, "Account");
            assertThat(others.json().size()).as(list + " hidden").isZero();
            assertThat(others.header("Link")).isNull();
            assertThat(list(path, null, "Account").json().size()).isZero();
            assertThat(list(path, owner.token, "Account").json().size()).as("but not from the owner").isEqualTo(1);
        }
        assertThat(account(owner).path("followers_count").asInt()).as("counts stay public").isEqualTo(1);

        Http.Response writeOnly = http.get(followers, server.token(viewer.name, "write"));
        assertThat(writeOnly.status()).isEqualTo(403);
        assertThat(http.get(followers, server.token(viewer.name, "read:accounts")).status()).isEqualTo(200);
    }

    @Test
    void followRequestsBlocksAndMutesArePagedOnTheirHiddenIds() {
        User star = locked("celebrity");
        List<User> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            User u = user("asker");
            act(u, star, "follow");
            others.add(u);
        }
        for (User u : others.reversed()) {
            act(star, u, "mute");
        }
        Http.Response requests = list("/api/v1/follow_requests?limit=2", star.token, "Account");
        assertThat(ids(requests)).containsExactly(ids(others.get(2), others.get(1)).toArray(String[]::new));
        assertThat(cursor(link(requests, "next"), "max_id")).isEqualTo(Long.toString(count(
                "SELECT id FROM follow_requests WHERE account_id = ? AND target_account_id = ?", others.get(1).id, star.id)));
        assertThat(ids(list(link(requests, "next"), star.token, "Account")))
                .containsExactly(ids(others.get(0)).toArray(String[]::new));

        // Muted in reverse order: the list follows the mutes, newest first, not the accounts.
        Http.Response mutes = list("/api/v1/mutes?limit=2", star.token, "MutedAccount");
        assertThat(ids(mutes)).containsExactly(ids(others.get(0), others.get(1)).toArray(String[]::new));
        assertThat(cursor(link(mutes, "next"), "max_id")).isEqualTo(Long.toString(count(
                "SELECT id FROM mutes WHERE account_id = ? AND target_account_id = ?", star.id, others.get(1).id)));
        assertThat(ids(list(link(mutes, "next"), star.token, "MutedAccount")))
                .containsExactly(ids(others.get(2)).toArray(String[]::new));

        for (User u : others) {
            act(star, u, "block");
        }
        Http.Response blocks = list("/api/v1/blocks?limit=2", star.token, "Account");
        assertThat(ids(blocks)).containsExactly(ids(others.get(2), others.get(1)).toArray(String[]::new));
        Http.Response rest = list(link(blocks, "next"), star.token, "Account");
        assertThat(ids(rest)).containsExactly(ids(others.get(0)).toArray(String[]::new));
        assertThat(ids(list(link(rest, "prev"), star.token, "Account"))).isEqualTo(ids(blocks));
        assertThat(list("/api/v1/follow_requests", star.token, "Account").json().size()).as("blocks end requests").isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // Scopes

    @Test
    void eachEndpointNeedsMastodonsScope() {
        User me = user("scoped");
        User them = user("target");
        record Case(String method, String path, String denied, String granted) {}
        List<Case> cases = List.of(
                new Case("POST", them.path("follow"), "write:blocks", "write:follows"),
                new Case("POST", them.path("follow"), "read", "follow"),
                new Case("POST", them.path("unfollow"), "write:mutes", "write:follows"),
                new Case("POST", them.path("remove_from_followers"), "read:follows", "write:follows"),
                new Case("POST", them.path("block"), "write:follows", "write:blocks"),
                new Case("POST", them.path("unblock"), "write:mutes", "follow"),
                new Case("POST", them.path("mute"), "write:blocks", "write:mutes"),
                new Case("POST", them.path("unmute"), "read:mutes", "write"),
                new Case("POST", them.path("note"), "follow", "write:accounts"),
                new Case("GET", "/api/v1/accounts/relationships?id[]=" + them.id, "write", "read:follows"),
                new Case("GET", "/api/v1/accounts/familiar_followers?id[]=" + them.id, "read:accounts", "read:follows"),
                new Case("GET", "/api/v1/follow_requests", "read:accounts", "read:follows"),
                new Case("GET", "/api/v1/blocks", "read:mutes", "read:blocks"),
                new Case("GET", "/api/v1/blocks", "write", "follow"),
                new Case("GET", "/api/v1/mutes", "read:blocks", "read:mutes"),
                new Case("GET", "/api/v1/domain_blocks", "read:mutes", "read:blocks"),
                new Case("POST", "/api/v1/domain_blocks?domain=scoped.example", "write:mutes", "write:blocks"));
        for (Case c : cases) {
            for (String scope : List.of(c.denied, c.granted)) {
                String token = server.token(me.name, scope);
                Http.Response r = c.method.equals("GET") ? http.get(c.path, token) : http.postJson(c.path, token, "{}");
                assertThat(r.status()).as("%s %s with %s: %s", c.method, c.path, scope, r)
                        .isEqualTo(scope.equals(c.denied) ? 403 : 200);
            }
        }
    }

    private static long followId(User follower, User target) {
        return count("SELECT id FROM follows WHERE account_id = ? AND target_account_id = ?", follower.id, target.id);
    }
}
