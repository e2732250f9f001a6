package social.caravan.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.accounts.Role;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Notification policies and requests: what a policy filters or drops, and accepting or dismissing a request. */
class NotificationPoliciesApiTest {
    static TestServer server;
    static Http http;
    static int people;

    record Person(long id, String name, String token) {
        String sid() {
            return Long.toString(id);
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Person person(String prefix) {
        return person(prefix, Role.USER);
    }

    static Person person(String prefix, Role role) {
        String name = prefix + (++people);
        long id = server.createAccount(name, role);
        return new Person(id, name, server.token(name, "read write follow"));
    }

    static String post(Person author, String text, String visibility) {
        return post(author, Map.of("status", text, "visibility", visibility));
    }

    static String post(Person author, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", author.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static String dm(Person from, Person to, String text) {
        return post(from, "@" + to.name() + " " + text, "direct");
    }

    static void follow(Person follower, Person target) {
        Http.Response r = http.postJson("/api/v1/accounts/" + target.sid() + "/follow", follower.token(), "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static void sql(String statement, Object... args) {
        server.app.database().jdbi().useHandle(h -> h.execute(statement, args));
    }

    static JsonNode policy(Person who) {
        Http.Response r = http.get("/api/v2/notifications/policy", who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("NotificationPolicy", r.body());
        return r.json();
    }

    static JsonNode setPolicy(Person who, Map<String, Object> changes) {
        Http.Response r = http.patchJson("/api/v2/notifications/policy", who.token(), Json.write(changes));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("NotificationPolicy", r.body());
        return r.json();
    }

    static JsonNode notifications(Person who, String query) {
        Http.Response r = http.get("/api/v1/notifications" + query, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Notification", r.body());
        return r.json();
    }

    static JsonNode requests(Person who, String query) {
        Http.Response r = http.get("/api/v1/notifications/requests" + query, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValidArray("NotificationRequest", r.body());
        return r.json();
    }

    static List<String> field(JsonNode array, String path) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.at(path).asString()));
        return values;
    }

    static Http.Response post(String path, Person who) {
        return http.postJson(path, who.token(), "");
    }

    @Test
    void defaultPolicyFiltersOnlyPrivateMentionsFromStrangers() {
        Person alice = person("alice");
        JsonNode p = policy(alice);
        assertThat(p.path("for_not_following").asString()).isEqualTo("accept");
        assertThat(p.path("for_not_followers").asString()).isEqualTo("accept");
        assertThat(p.path("for_new_accounts").asString()).isEqualTo("accept");
        assertThat(p.path("for_private_mentions").asString()).isEqualTo("filter");
        assertThat(p.path("for_limited_accounts").asString()).isEqualTo("filter");
        assertThat(p.path("summary").path("pending_requests_count").asInt()).isZero();

        Http.Response v1 = http.get("/api/v1/notifications/policy", alice.token());
        assertThat(v1.status()).isEqualTo(200);
        MastodonSchemas.assertValid("V1NotificationPolicy", v1.body());
        assertThat(v1.json().path("filter_private_mentions").asBoolean()).isTrue();
        assertThat(v1.json().path("filter_not_following").asBoolean()).isFalse();

        Person stranger = person("stranger");
        Person friend = person("friend");
        follow(alice, friend);
        String unsolicited = dm(stranger, alice, "psst");
        String fromFriend = dm(friend, alice, "hi");
        String publicMention = post(stranger, "@" + alice.name() + " hello all", "public");

        JsonNode shown = notifications(alice, "");
        assertThat(field(shown, "/status/id")).contains(fromFriend, publicMention).doesNotContain(unsolicited);
        Http.Response grouped = http.get("/api/v2/notifications", alice.token());
        assertThat(grouped.body()).doesNotContain(unsolicited);
        assertThat(http.get("/api/v1/notifications/unread_count", alice.token()).json().path("count").asInt()).isEqualTo(2);

        // The sender's own listing and include_filtered show it, as Mastodon's do.
        assertThat(field(notifications(alice, "?account_id=" + stranger.sid()), "/status/id")).contains(unsolicited);
        assertThat(field(notifications(alice, "?include_filtered=true"), "/status/id")).contains(unsolicited);

        JsonNode list = requests(alice, "");
        assertThat(list).hasSize(1);
        JsonNode request = list.get(0);
        assertThat(request.path("account").path("id").asString()).isEqualTo(stranger.sid());
        assertThat(request.path("notifications_count").asString()).isEqualTo("1");
        assertThat(request.path("last_status").path("id").asString()).isEqualTo(unsolicited);

        Http.Response one = http.get("/api/v1/notifications/requests/" + request.path("id").asString(), alice.token());
        assertThat(one.status()).isEqualTo(200);
        MastodonSchemas.assertValid("NotificationRequest", one.body());

        JsonNode summary = policy(alice).path("summary");
        assertThat(summary.path("pending_requests_count").asInt()).isEqualTo(1);
        assertThat(summary.path("pending_notifications_count").asInt()).isEqualTo(1);

        String second = dm(stranger, alice, "still there?");
        JsonNode again = requests(alice, "").get(0);
        assertThat(again.path("id").asString()).isEqualTo(request.path("id").asString());
        assertThat(again.path("notifications_count").asString()).isEqualTo("2");
        assertThat(again.path("last_status").path("id").asString()).isEqualTo(second);
    }

    @Test
    void aReplyToOnesOwnPrivateMentionIsNotFiltered() {
        Person alice = person("alice");
        Person bob = person("bob");
        String asked = dm(alice, bob, "are you coming?");
        String answer = post(bob, Map.of("status", "@" + alice.name() + " yes", "visibility", "direct",
                "in_reply_to_id", asked));
        assertThat(field(notifications(alice, ""), "/status/id")).contains(answer);
        assertThat(requests(alice, "")).isEmpty();
    }

    @Test
    void acceptingMergesTheNotificationsBackAndLetsTheSenderThrough() {
        Person alice = person("alice");
        Person stranger = person("stranger");
        String first = dm(stranger, alice, "one");
        // A favourite from the same stranger, filtered by a stricter policy.
        setPolicy(alice, Map.of("for_not_following", "filter"));
        String own = post(alice, "mine", "public");
        assertThat(post("/api/v1/statuses/" + own + "/favourite", stranger).status()).isEqualTo(200);
        assertThat(notifications(alice, "")).isEmpty();
        String id = requests(alice, "").get(0).path("id").asString();

        Http.Response merged = http.get("/api/v1/notifications/requests/merged", alice.token());
        assertThat(merged.status()).isEqualTo(200);
        assertThat(merged.json().path("merged").asBoolean()).isTrue();

        Http.Response accepted = post("/api/v1/notifications/requests/" + id + "/accept", alice);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.body()).isEqualTo("{}");
        JsonNode shown = notifications(alice, "");
        assertThat(field(shown, "/type")).containsExactlyInAnyOrder("mention", "favourite");
        assertThat(field(shown, "/status/id")).contains(first, own);
        assertThat(http.get("/api/v1/notifications/requests/" + id, alice.token()).status()).isEqualTo(404);
        assertThat(requests(alice, "")).isEmpty();

        String later = dm(stranger, alice, "two");
        assertThat(field(notifications(alice, ""), "/status/id")).contains(later);
        assertThat(requests(alice, "")).isEmpty();
        assertThat(post("/api/v1/notifications/requests/" + id + "/accept", alice).status()).isEqualTo(404);
    }

    @Test
    void dismissingThrowsTheNotificationsAwayButNotTheSender() {
        Person alice = person("alice");
        Person stranger = person("stranger");
        dm(stranger, alice, "one");
        String id = requests(alice, "").get(0).path("id").asString();
        Http.Response dismissed = post("/api/v1/notifications/requests/" + id + "/dismiss", alice);
        assertThat(dismissed.status()).isEqualTo(200);
        assertThat(requests(alice, "")).isEmpty();
        assertThat(notifications(alice, "?account_id=" + stranger.sid())).isEmpty();
        assertThat(policy(alice).path("summary").path("pending_requests_count").asInt()).isZero();

        String next = dm(stranger, alice, "two");
        JsonNode reopened = requests(alice, "");
        assertThat(reopened).hasSize(1);
        assertThat(reopened.get(0).path("notifications_count").asString()).isEqualTo("1");
        assertThat(reopened.get(0).path("last_status").path("id").asString()).isEqualTo(next);
        assertThat(notifications(alice, "")).isEmpty();
    }

    @Test
    void dropMakesNoNotificationAtAll() {
        Person alice = person("alice");
        Person stranger = person("stranger");
        Person friend = person("friend");
        follow(alice, friend);
        setPolicy(alice, Map.of("for_not_following", "drop", "for_private_mentions", "accept"));
        dm(stranger, alice, "hello");
        post(stranger, "@" + alice.name() + " public hello", "public");
        String fromFriend = post(friend, "@" + alice.name() + " hey", "public");
        assertThat(field(notifications(alice, "?include_filtered=true"), "/status/id")).containsExactly(fromFriend);
        assertThat(notifications(alice, "?account_id=" + stranger.sid())).isEmpty();
        assertThat(requests(alice, "")).isEmpty();
    }

    @Test
    void notFollowersCountsOnlyFollowsOlderThanThreeDays() {
        Person alice = person("alice");
        Person oldFollower = person("old");
        Person newFollower = person("new");
        follow(oldFollower, alice);
        follow(newFollower, alice);
        sql("UPDATE follows SET created_at = now() - interval '4 days' WHERE account_id = ?", oldFollower.id());
        setPolicy(alice, Map.of("for_not_followers", "filter"));
        String own = post(alice, "mine", "public");
        post("/api/v1/statuses/" + own + "/favourite", oldFollower);
        post("/api/v1/statuses/" + own + "/favourite", newFollower);
        JsonNode shown = notifications(alice, "?types[]=favourite");
        assertThat(field(shown, "/account/id")).containsExactly(oldFollower.sid());
        // A filtered favourite opens no request (only mentions do), but its sender's listing shows it.
        assertThat(requests(alice, "")).isEmpty();
        assertThat(field(notifications(alice, "?types[]=favourite&account_id=" + newFollower.sid()), "/account/id"))
                .containsExactly(newFollower.sid());
    }

    @Test
    void newAccountsApplyOnlyToAccountsNotFollowed() {
        Person alice = person("alice");
        Person newcomer = person("newcomer");
        Person veteran = person("veteran");
        Person followedNewcomer = person("followed");
        follow(alice, followedNewcomer);
        sql("UPDATE accounts SET created_at = now() - interval '31 days' WHERE id = ?", veteran.id());
        setPolicy(alice, Map.of("for_new_accounts", "drop"));
        String own = post(alice, "mine", "public");
        for (Person p : List.of(newcomer, veteran, followedNewcomer)) {
            post("/api/v1/statuses/" + own + "/favourite", p);
        }
        assertThat(field(notifications(alice, "?include_filtered=true"), "/account/id"))
                .containsExactlyInAnyOrder(veteran.sid(), followedNewcomer.sid());
    }

    @Test
    void mentionsFromStaffAboveTheRecipientGetThrough() {
        Person alice = person("alice");
        Person admin = person("admin", Role.ADMIN);
        String notice = dm(admin, alice, "about your report");
        assertThat(field(notifications(alice, ""), "/status/id")).containsExactly(notice);
        Person moderator = person("moderator", Role.MODERATOR);
        dm(alice, moderator, "hello");
        assertThat(requests(moderator, "")).hasSize(1);
    }

    @Test
    void policyUpdatesAreCheckedAndV1WritesFilterOrAccept() {
        Person alice = person("alice");
        JsonNode changed = setPolicy(alice, Map.of("for_not_followers", "drop", "for_limited_accounts", "accept"));
        assertThat(changed.path("for_not_followers").asString()).isEqualTo("drop");
        assertThat(changed.path("for_limited_accounts").asString()).isEqualTo("accept");
        assertThat(changed.path("for_private_mentions").asString()).isEqualTo("filter");

        Http.Response bad = http.patchJson("/api/v2/notifications/policy", alice.token(),
                Json.write(Map.of("for_not_following", "filter", "for_new_accounts", "maybe")));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").asString())
                .isEqualTo("Validation failed: For new accounts is not included in the list");
        assertThat(policy(alice).path("for_not_following").asString()).as("nothing half-written").isEqualTo("accept");

        Http.Response v1 = http.send(http.request("/api/v1/notifications/policy")
                .header("Authorization", "Bearer " + alice.token()).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        Json.write(Map.of("filter_not_following", true, "filter_private_mentions", false)))).build());
        assertThat(v1.status()).as(v1.body()).isEqualTo(200);
        MastodonSchemas.assertValid("V1NotificationPolicy", v1.body());
        assertThat(v1.json().path("filter_not_following").asBoolean()).isTrue();
        assertThat(v1.json().path("filter_not_followers").asBoolean()).as("drop filters too").isTrue();
        JsonNode after = policy(alice);
        assertThat(after.path("for_not_following").asString()).isEqualTo("filter");
        assertThat(after.path("for_private_mentions").asString()).isEqualTo("accept");
        assertThat(after.path("for_not_followers").asString()).as("left alone").isEqualTo("drop");
    }

    @Test
    void requestsBelongToTheirRecipientAndPageByLinkHeader() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person s1 = person("s");
        Person s2 = person("s");
        Person s3 = person("s");
        dm(s1, alice, "1");
        dm(s2, alice, "2");
        dm(s3, alice, "3");
        String bobsRequest = requestId(bob, s1);

        Http.Response first = http.get("/api/v1/notifications/requests?limit=2", alice.token());
        assertThat(first.json()).hasSize(2);
        assertThat(field(first.json(), "/account/id")).containsExactly(s3.sid(), s2.sid());
        String next = first.header("Link").split(">")[0].substring(1);
        assertThat(next).contains("max_id=");
        Http.Response rest = http.get(next, alice.token());
        assertThat(field(rest.json(), "/account/id")).containsExactly(s1.sid());

        assertThat(http.get("/api/v1/notifications/requests/" + bobsRequest, alice.token()).status()).isEqualTo(404);
        assertThat(post("/api/v1/notifications/requests/" + bobsRequest + "/accept", alice).status()).isEqualTo(404);
        assertThat(post("/api/v1/notifications/requests/" + bobsRequest + "/dismiss", alice).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/notifications/requests/nonsense", alice.token()).status()).isEqualTo(404);

        // Bulk: another's request and ids that are no number are ignored.
        String r1 = requestId(alice, s1);
        String r2 = requestId(alice, s2);
        Http.Response bulk = http.postForm("/api/v1/notifications/requests/accept", alice.token(),
                Map.of("id[]", r1));
        assertThat(bulk.status()).isEqualTo(200);
        Http.Response bulkAll = http.postJson("/api/v1/notifications/requests/dismiss", alice.token(),
                Json.write(Map.of("id", List.of(r2, bobsRequest, "x"))));
        assertThat(bulkAll.status()).isEqualTo(200);
        assertThat(field(requests(alice, ""), "/account/id")).containsExactly(s3.sid());
        assertThat(requests(bob, "")).hasSize(1);
        assertThat(field(notifications(alice, ""), "/account/id")).containsExactly(s1.sid(), s1.sid());
        // Bulk dismissal leaves the notifications filtered, as Mastodon's does: they count in the next request.
        dm(s2, alice, "again");
        JsonNode reopened = requests(alice, "").get(0);
        assertThat(reopened.path("account").path("id").asString()).isEqualTo(s2.sid());
        assertThat(reopened.path("notifications_count").asString()).isEqualTo("3");
    }

    static String requestId(Person recipient, Person sender) {
        dm(sender, recipient, "hi");
        for (JsonNode r : requests(recipient, "")) {
            if (r.path("account").path("id").asString().equals(sender.sid())) {
                return r.path("id").asString();
            }
        }
        throw new AssertionError("no request from " + sender.name());
    }

    @Test
    void aBlockedSendersRequestDisappears() {
        Person alice = person("alice");
        Person stranger = person("stranger");
        dm(stranger, alice, "hi");
        assertThat(requests(alice, "")).hasSize(1);
        assertThat(post("/api/v1/accounts/" + stranger.sid() + "/block", alice).status()).isEqualTo(200);
        assertThat(requests(alice, "")).isEmpty();
        assertThat(policy(alice).path("summary").path("pending_requests_count").asInt()).isZero();
    }

    @Test
    void scopesAndTokens() {
        Person alice = person("alice");
        Person stranger = person("stranger");
        dm(stranger, alice, "hi");
        String id = requests(alice, "").get(0).path("id").asString();
        String readOnly = server.token(alice.name(), "read:notifications");
        String other = server.token(alice.name(), "read:accounts write:accounts");
        for (String path : List.of("/api/v2/notifications/policy", "/api/v1/notifications/policy",
                "/api/v1/notifications/requests", "/api/v1/notifications/requests/" + id,
                "/api/v1/notifications/requests/merged")) {
            assertThat(http.get(path).status()).as(path).isEqualTo(401);
            assertThat(http.get(path, other).status()).as(path).isEqualTo(403);
            assertThat(http.get(path, readOnly).status()).as(path).isEqualTo(200);
        }
        assertThat(http.patchJson("/api/v2/notifications/policy", readOnly, "{}").status()).isEqualTo(403);
        assertThat(http.patchJson("/api/v2/notifications/policy", null, "{}").status()).isEqualTo(401);
        for (String path : List.of("/api/v1/notifications/requests/" + id + "/accept",
                "/api/v1/notifications/requests/" + id + "/dismiss", "/api/v1/notifications/requests/accept",
                "/api/v1/notifications/requests/dismiss")) {
            assertThat(http.postJson(path, readOnly, "").status()).as(path).isEqualTo(403);
            assertThat(http.postJson(path, null, "").status()).as(path).isEqualTo(401);
        }
        assertThat(requests(alice, "")).hasSize(1);
        String writeOnly = server.token(alice.name(), "write:notifications");
        assertThat(http.patchJson("/api/v2/notifications/policy", writeOnly, "{}").status()).isEqualTo(200);
    }
}
