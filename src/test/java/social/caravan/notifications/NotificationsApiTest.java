package social.caravan.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

class NotificationsApiTest {
    static TestServer server;
    static Http http;
    static int people;

    /** A fresh local account per role in each test, so tests do not see each other's notifications. */
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
        String name = prefix + (++people);
        long id = server.createAccount(name);
        return new Person(id, name, server.token(name, "read write"));
    }

    static String post(Person author, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", author.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static String post(Person author, String text) {
        return post(author, Map.of("status", text));
    }

    static void act(Person who, String statusId, String action) {
        Http.Response r = http.postJson("/api/v1/statuses/" + statusId + "/" + action, who.token(), "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static void delete(Person who, String statusId) {
        Http.Response r = http.send(http.request("/api/v1/statuses/" + statusId)
                .header("Authorization", "Bearer " + who.token()).DELETE().build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static void sql(String statement, Object... args) {
        server.app.database().jdbi().useHandle(h -> h.execute(statement, args));
    }

    /** What the follow and status features will do through the app: a row and its notification, in one transaction. */
    static void notify(Person recipient, Person from, String type, String statusId) {
        server.app.database().jdbi().useTransaction(h -> server.app.notifications().notify(h, recipient.id(), from.id(),
                type, statusId == null ? null : Long.parseLong(statusId)));
    }

    static void follow(Person follower, Person target) {
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", follower.id(), target.id());
        notify(target, follower, NotificationService.FOLLOW, null);
    }

    static JsonNode list(Person who, String query) {
        Http.Response r = http.get("/api/v1/notifications" + query, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Notification", r.body());
        return r.json();
    }

    static JsonNode groups(Person who, String query) {
        Http.Response r = http.get("/api/v2/notifications" + query, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("GroupedNotificationsResults", r.body());
        return r.json();
    }

    static List<String> ids(JsonNode array, String field) {
        List<String> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.path(field).asString()));
        return ids;
    }

    static int count(String path, Person who) {
        Http.Response r = http.get(path, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("count").asInt();
    }

    static String link(Http.Response r, String rel) {
        String header = r.header("Link");
        for (String part : header.split(", ")) {
            if (part.endsWith("rel=\"" + rel + "\"")) {
                return part.substring(1, part.indexOf('>'));
            }
        }
        throw new AssertionError("no " + rel + " link in " + header);
    }

    @Test
    void everyTypeShowsItsAccountAndStatus() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        Person dave = person("dave");
        Person erin = person("erin");
        Person frank = person("frank");
        String own = post(alice, "my post");
        String mention = post(bob, "hello @" + alice.name());
        act(carol, own, "favourite");
        act(dave, own, "reblog");
        follow(erin, alice);
        sql("INSERT INTO follow_requests (account_id, target_account_id) VALUES (?, ?)", frank.id(), alice.id());
        notify(alice, frank, NotificationService.FOLLOW_REQUEST, null);
        String news = post(bob, "news");
        notify(alice, bob, NotificationService.STATUS, news);
        notify(alice, bob, NotificationService.UPDATE, news);
        notify(alice, bob, NotificationService.POLL, news);

        JsonNode all = list(alice, "");
        assertThat(ids(all, "type")).containsExactly("poll", "update", "status", "follow_request", "follow", "reblog",
                "favourite", "mention");
        Map<String, JsonNode> byType = new HashMap<>();
        all.forEach(n -> byType.put(n.path("type").asString(), n));
        assertThat(byType.get("mention").path("account").path("id").asString()).isEqualTo(bob.sid());
        assertThat(byType.get("mention").path("status").path("id").asString()).isEqualTo(mention);
        assertThat(byType.get("favourite").path("account").path("id").asString()).isEqualTo(carol.sid());
        assertThat(byType.get("favourite").path("status").path("id").asString()).isEqualTo(own);
        assertThat(byType.get("favourite").path("status").path("favourites_count").asInt()).isEqualTo(1);
        // A boost notification carries the boosted status itself, as Mastodon's.
        assertThat(byType.get("reblog").path("account").path("id").asString()).isEqualTo(dave.sid());
        assertThat(byType.get("reblog").path("status").path("id").asString()).isEqualTo(own);
        assertThat(byType.get("reblog").path("status").path("reblog").isNull()).isTrue();
        assertThat(byType.get("follow").path("account").path("id").asString()).isEqualTo(erin.sid());
        assertThat(byType.get("follow").has("status")).isFalse();
        assertThat(byType.get("follow_request").path("account").path("id").asString()).isEqualTo(frank.sid());
        assertThat(byType.get("follow_request").has("status")).isFalse();
        for (String type : List.of("status", "update", "poll")) {
            assertThat(byType.get(type).path("account").path("id").asString()).isEqualTo(bob.sid());
            assertThat(byType.get(type).path("status").path("id").asString()).isEqualTo(news);
        }
        assertThat(byType.get("favourite").path("group_key").asString()).startsWith("favourite-" + own + "-");
        assertThat(byType.get("reblog").path("group_key").asString()).startsWith("reblog-" + own + "-");
        assertThat(byType.get("follow").path("group_key").asString()).matches("follow-\\d+");
        String mentionId = byType.get("mention").path("id").asString();
        assertThat(byType.get("mention").path("group_key").asString()).isEqualTo("ungrouped-" + mentionId);

        Http.Response one = http.get("/api/v1/notifications/" + mentionId, alice.token());
        assertThat(one.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Notification", one.body());
        assertThat(one.json().path("status").path("id").asString()).isEqualTo(mention);
        assertThat(list(bob, "").size()).as("nobody is notified of their own acts").isZero();
    }

    @Test
    void typesExcludedTypesAndSenderFilter() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        String own = post(alice, "filter me");
        post(bob, "hi @" + alice.name());
        act(carol, own, "favourite");
        act(bob, own, "favourite");

        assertThat(ids(list(alice, "?types[]=mention"), "type")).containsExactly("mention");
        assertThat(ids(list(alice, "?types[]=favourite&types[]=bogus"), "type")).containsExactly("favourite", "favourite");
        assertThat(list(alice, "?types[]=bogus").size()).as("only unknown types: nothing, as Mastodon").isZero();
        assertThat(ids(list(alice, "?exclude_types[]=favourite&exclude_types[]=bogus"), "type")).containsExactly("mention");
        assertThat(list(alice, "?types[]=mention&exclude_types[]=mention").size()).isZero();
        assertThat(ids(list(alice, "?account_id=" + bob.id()), "type")).containsExactly("favourite", "mention");
        assertThat(list(alice, "?account_id=nobody").size()).isZero();

        assertThat(count("/api/v1/notifications/unread_count?types[]=favourite", alice)).isEqualTo(2);
        assertThat(count("/api/v1/notifications/unread_count?account_id=" + carol.id(), alice)).isEqualTo(1);
        JsonNode favourites = groups(alice, "?types[]=favourite");
        assertThat(favourites.path("notification_groups").size()).isEqualTo(1);
        assertThat(favourites.path("notification_groups").get(0).path("notifications_count").asInt()).isEqualTo(2);
        assertThat(groups(alice, "?exclude_types[]=favourite").path("notification_groups").get(0).path("type").asString())
                .isEqualTo("mention");
    }

    @Test
    void showDismissClearAndScopes() {
        Person alice = person("alice");
        Person bob = person("bob");
        String own = post(alice, "dismiss me");
        act(bob, own, "favourite");
        post(bob, "@" + alice.name() + " one");
        post(bob, "@" + alice.name() + " two");
        List<String> ids = ids(list(alice, ""), "id");
        String favourite = ids.get(2);

        assertThat(http.get("/api/v1/notifications").status()).isEqualTo(401);
        assertThat(http.get("/api/v1/notifications", server.token(alice.name(), "read:statuses")).status()).isEqualTo(403);
        assertThat(http.get("/api/v2/notifications", server.token(alice.name(), "write:notifications")).status()).isEqualTo(403);
        String readOnly = server.token(alice.name(), "read:notifications");
        assertThat(http.get("/api/v1/notifications", readOnly).status()).isEqualTo(200);
        assertThat(http.postJson("/api/v1/notifications/" + favourite + "/dismiss", readOnly, "").status()).isEqualTo(403);
        assertThat(http.postJson("/api/v1/notifications/clear", readOnly, "").status()).isEqualTo(403);

        assertThat(http.get("/api/v1/notifications/" + favourite, bob.token()).status()).as("someone else's").isEqualTo(404);
        assertThat(http.get("/api/v1/notifications/abc", alice.token()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/notifications/123", alice.token()).status()).isEqualTo(404);
        assertThat(http.postJson("/api/v1/notifications/" + favourite + "/dismiss", bob.token(), "").status()).isEqualTo(404);

        String writer = server.token(alice.name(), "write:notifications");
        Http.Response dismissed = http.postJson("/api/v1/notifications/" + favourite + "/dismiss", writer, "");
        assertThat(dismissed.status()).isEqualTo(200);
        assertThat(dismissed.body()).isEqualTo("{}");
        assertThat(http.get("/api/v1/notifications/" + favourite, alice.token()).status()).isEqualTo(404);
        assertThat(http.postJson("/api/v1/notifications/" + favourite + "/dismiss", writer, "").status()).isEqualTo(404);
        assertThat(ids(list(alice, ""), "id")).containsExactly(ids.get(0), ids.get(1));

        post(alice, "@" + bob.name() + " yours stay");
        Http.Response cleared = http.postJson("/api/v1/notifications/clear", writer, "");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body()).isEqualTo("{}");
        assertThat(list(alice, "").size()).isZero();
        assertThat(count("/api/v1/notifications/unread_count", alice)).isZero();
        assertThat(list(bob, "").size()).as("only alice's were cleared").isEqualTo(1);
    }

    @Test
    void unreadCountsStartAfterTheNotificationsMarker() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        Person dave = person("dave");
        for (int i = 0; i < 3; i++) {
            post(bob, "@" + alice.name() + " number " + i);
        }
        List<String> ids = ids(list(alice, ""), "id");
        assertThat(count("/api/v1/notifications/unread_count", alice)).as("no marker: all").isEqualTo(3);
        assertThat(count("/api/v1/notifications/unread_count?limit=2", alice)).as("counted up to limit").isEqualTo(2);
        assertThat(count("/api/v1/notifications/unread_count?limit=5000", alice)).isEqualTo(3);
        assertThat(count("/api/v2/notifications/unread_count", alice)).isEqualTo(3);

        Http.Response marker = http.postJson("/api/v1/markers", alice.token(),
                Json.write(Map.of("notifications", Map.of("last_read_id", ids.get(1)))));
        assertThat(marker.status()).as(marker.body()).isEqualTo(200);
        assertThat(count("/api/v1/notifications/unread_count", alice)).isEqualTo(1);

        String own = post(alice, "count my favourites");
        act(carol, own, "favourite");
        act(dave, own, "favourite");
        assertThat(count("/api/v1/notifications/unread_count", alice)).isEqualTo(3);
        assertThat(count("/api/v2/notifications/unread_count", alice)).as("two favourites are one group").isEqualTo(2);
        assertThat(count("/api/v2/notifications/unread_count?grouped_types[]=follow", alice)).isEqualTo(3);
        assertThat(count("/api/v2/notifications/unread_count?limit=1", alice)).isEqualTo(1);
        assertThat(count("/api/v1/notifications/unread_count?types[]=mention", alice)).isEqualTo(1);
    }

    @Test
    void favouritesBoostsAndFollowsGroup() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        Person dave = person("dave");
        Person erin = person("erin");
        Person frank = person("frank");
        String p = post(alice, "popular");
        String q = post(alice, "less popular");
        act(bob, p, "favourite");
        act(carol, p, "favourite");
        act(bob, p, "reblog");
        act(carol, q, "favourite");
        String mention = post(dave, "@" + alice.name() + " hey");
        follow(erin, alice);
        follow(frank, alice);
        List<String> ids = ids(list(alice, ""), "id");
        String bobFavId = ids.get(6);
        String carolFavId = ids.get(5);

        JsonNode page = groups(alice, "");
        JsonNode g = page.path("notification_groups");
        assertThat(ids(g, "type")).containsExactly("follow", "mention", "favourite", "reblog", "favourite");
        JsonNode follows = g.get(0);
        assertThat(follows.path("notifications_count").asInt()).isEqualTo(2);
        assertThat(follows.path("sample_account_ids").toString()).isEqualTo("[\"" + frank.id() + "\",\"" + erin.id() + "\"]");
        assertThat(follows.has("status_id")).isFalse();
        assertThat(g.get(1).path("group_key").asString()).isEqualTo("ungrouped-" + ids.get(2));
        assertThat(g.get(1).path("status_id").asString()).isEqualTo(mention);
        JsonNode favP = g.get(4);
        assertThat(favP.path("group_key").asString()).startsWith("favourite-" + p + "-");
        assertThat(favP.path("notifications_count").asInt()).isEqualTo(2);
        assertThat(favP.path("sample_account_ids").toString()).isEqualTo("[\"" + carol.id() + "\",\"" + bob.id() + "\"]");
        assertThat(favP.path("status_id").asString()).isEqualTo(p);
        assertThat(favP.path("most_recent_notification_id").isNumber()).as("a number, as Mastodon renders it").isTrue();
        assertThat(favP.path("most_recent_notification_id").asString()).isEqualTo(carolFavId);
        assertThat(favP.path("page_max_id").asString()).isEqualTo(carolFavId);
        assertThat(favP.path("page_min_id").asString()).isEqualTo(bobFavId);
        assertThat(Instant.parse(favP.path("latest_page_notification_at").asString())).isNotNull();
        assertThat(ids(page.path("accounts"), "id")).containsExactlyInAnyOrder(frank.sid(), erin.sid(), dave.sid(),
                carol.sid(), bob.sid());
        assertThat(ids(page.path("statuses"), "id")).as("each status once").containsExactlyInAnyOrder(mention, q, p);
        assertThat(page.has("partial_accounts")).isFalse();

        // Only the grouped types asked for group; unknown ones are ignored.
        JsonNode favouritesOnly = groups(alice, "?grouped_types[]=favourite&grouped_types[]=bogus").path("notification_groups");
        assertThat(ids(favouritesOnly, "type")).containsExactly("follow", "follow", "mention", "favourite", "reblog", "favourite");
        assertThat(favouritesOnly.get(0).path("group_key").asString()).startsWith("ungrouped-");

        // One group by its key, counted whole and without page fields; the accounts in it.
        String key = favP.path("group_key").asString();
        Http.Response one = http.get("/api/v2/notifications/" + key, alice.token());
        assertThat(one.status()).isEqualTo(200);
        MastodonSchemas.assertValid("GroupedNotificationsResults", one.body());
        JsonNode only = one.json().path("notification_groups").get(0);
        assertThat(only.path("notifications_count").asInt()).isEqualTo(2);
        assertThat(only.has("page_min_id")).isFalse();
        assertThat(ids(one.json().path("statuses"), "id")).containsExactly(p);
        Http.Response members = http.get("/api/v2/notifications/" + key + "/accounts", alice.token());
        assertThat(members.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Account", members.body());
        assertThat(ids(members.json(), "id")).containsExactly(carol.sid(), bob.sid());
        Http.Response ungrouped = http.get("/api/v2/notifications/ungrouped-" + ids.get(2), alice.token());
        assertThat(ungrouped.json().path("notification_groups").get(0).path("type").asString()).isEqualTo("mention");
        assertThat(http.get("/api/v2/notifications/favourite-1-1", alice.token()).status()).isEqualTo(404);
        assertThat(http.get("/api/v2/notifications/ungrouped-abc", alice.token()).status()).isEqualTo(404);
        assertThat(http.get("/api/v2/notifications/" + key, bob.token()).status()).as("someone else's").isEqualTo(404);

        // Partial avatars: each group's most recent account in full, the other samples in short.
        Http.Response partial = http.get("/api/v2/notifications?expand_accounts=partial_avatars", alice.token());
        MastodonSchemas.assertValid("GroupedNotificationsResults", partial.body());
        assertThat(ids(partial.json().path("accounts"), "id")).containsExactlyInAnyOrder(frank.sid(), dave.sid(),
                carol.sid(), bob.sid());
        assertThat(ids(partial.json().path("partial_accounts"), "id")).containsExactly(erin.sid());
        MastodonSchemas.assertValidArray("PartialAccountWithAvatar", partial.json().path("partial_accounts"));
        assertThat(http.get("/api/v2/notifications?expand_accounts=all", alice.token()).status()).isEqualTo(400);

        // Dismissing a group dismisses every notification in it; an unknown group is nothing to dismiss.
        Http.Response dismissed = http.postJson("/api/v2/notifications/" + key + "/dismiss", alice.token(), "");
        assertThat(dismissed.status()).isEqualTo(200);
        assertThat(dismissed.body()).isEqualTo("{}");
        assertThat(ids(groups(alice, "").path("notification_groups"), "type")).containsExactly("follow", "mention",
                "favourite", "reblog");
        assertThat(list(alice, "").size()).isEqualTo(5);
        assertThat(http.postJson("/api/v2/notifications/" + key + "/dismiss", alice.token(), "").status()).isEqualTo(200);
        assertThat(http.postJson("/api/v2/notifications/ungrouped-" + ids.get(2) + "/dismiss", alice.token(), "").status())
                .isEqualTo(200);
        assertThat(list(alice, "").size()).isEqualTo(4);
    }

    @Test
    void aGroupTakesNewNotificationsForTwelveHours() {
        Person alice = person("alice");
        Person gina = person("gina");
        Person bob = person("bob");
        Person carol = person("carol");
        long hour = Instant.now().getEpochSecond() / 3600;
        // An eleven-hour-old group is still open; a twelve-hour-old one is not.
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?), (?, ?)", bob.id(), alice.id(), bob.id(), gina.id());
        sql("INSERT INTO notifications (account_id, from_account_id, type, group_key) VALUES (?, ?, 'follow', ?)",
                alice.id(), bob.id(), "follow-" + (hour - 11));
        sql("INSERT INTO notifications (account_id, from_account_id, type, group_key) VALUES (?, ?, 'follow', ?)",
                gina.id(), bob.id(), "follow-" + (hour - 12));
        follow(carol, alice);
        follow(carol, gina);
        Assumptions.assumeTrue(Instant.now().getEpochSecond() / 3600 == hour, "the hour turned during the test");

        JsonNode open = groups(alice, "").path("notification_groups");
        assertThat(open.size()).isEqualTo(1);
        assertThat(open.get(0).path("group_key").asString()).isEqualTo("follow-" + (hour - 11));
        assertThat(open.get(0).path("notifications_count").asInt()).isEqualTo(2);
        JsonNode closed = groups(gina, "").path("notification_groups");
        assertThat(ids(closed, "group_key")).containsExactly("follow-" + hour, "follow-" + (hour - 12));
    }

    @Test
    void pagesLinkBothWaysAndEndEmpty() {
        Person alice = person("alice");
        Person bob = person("bob");
        for (int i = 1; i <= 5; i++) {
            post(bob, "@" + alice.name() + " page " + i);
        }
        List<String> all = ids(list(alice, ""), "id");

        Http.Response first = http.get("/api/v1/notifications?limit=2", alice.token());
        assertThat(ids(first.json(), "id")).containsExactly(all.get(0), all.get(1));
        assertThat(link(first, "next")).endsWith("/api/v1/notifications?limit=2&max_id=" + all.get(1));
        assertThat(link(first, "prev")).endsWith("/api/v1/notifications?limit=2&min_id=" + all.get(0));
        Http.Response second = http.get(link(first, "next"), alice.token());
        assertThat(ids(second.json(), "id")).containsExactly(all.get(2), all.get(3));
        Http.Response third = http.get(link(second, "next"), alice.token());
        assertThat(ids(third.json(), "id")).containsExactly(all.get(4));
        Http.Response end = http.get(link(third, "next"), alice.token());
        assertThat(end.json().size()).isZero();
        assertThat(end.header("Link")).as("an empty page has no links").isNull();
        Http.Response back = http.get(link(second, "prev"), alice.token());
        assertThat(ids(back.json(), "id")).as("prev round-trips to the newer page").containsExactly(all.get(0), all.get(1));

        Http.Response forward = http.get("/api/v1/notifications?min_id=" + all.get(4) + "&limit=2", alice.token());
        assertThat(ids(forward.json(), "id")).as("min_id: the oldest after it, newest first").containsExactly(all.get(2), all.get(3));
        assertThat(ids(http.get("/api/v1/notifications?since_id=" + all.get(2), alice.token()).json(), "id"))
                .containsExactly(all.get(0), all.get(1));
        assertThat(ids(http.get("/api/v1/notifications?types[]=mention&limit=2&max_id=" + all.get(3), alice.token()).json(), "id"))
                .containsExactly(all.get(4));
        Http.Response filtered = http.get("/api/v1/notifications?types[]=mention&limit=1", alice.token());
        assertThat(link(filtered, "next")).contains("types[]=mention");
        assertThat(http.get("/api/v1/notifications?max_id=abc", alice.token()).status()).isEqualTo(422);
        assertThat(http.get("/api/v1/notifications?limit=1000", alice.token()).json().size()).isEqualTo(5);
    }

    @Test
    void groupPagesCountUpToThePageAndLinkBothWays() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        Person dave = person("dave");
        String p = post(alice, "paged");
        act(bob, p, "favourite");
        for (int i = 1; i <= 3; i++) {
            post(dave, "@" + alice.name() + " m" + i);
        }
        act(carol, p, "favourite");
        List<String> n = ids(list(alice, ""), "id"); // f2, m3, m2, m1, f1

        Http.Response first = http.get("/api/v2/notifications?limit=2", alice.token());
        JsonNode g1 = first.json().path("notification_groups");
        assertThat(ids(g1, "type")).containsExactly("favourite", "mention");
        assertThat(g1.get(0).path("notifications_count").asInt()).isEqualTo(2);
        assertThat(g1.get(0).path("page_max_id").asString()).isEqualTo(n.get(0));
        assertThat(g1.get(0).path("page_min_id").asString()).as("the group's oldest on this page").isEqualTo(n.get(0));
        assertThat(link(first, "next")).endsWith("limit=2&max_id=" + n.get(1));

        Http.Response second = http.get(link(first, "next"), alice.token());
        assertThat(ids(second.json().path("notification_groups"), "group_key"))
                .containsExactly("ungrouped-" + n.get(2), "ungrouped-" + n.get(3));
        Http.Response third = http.get(link(second, "next"), alice.token());
        JsonNode g3 = third.json().path("notification_groups");
        assertThat(g3.size()).isEqualTo(1);
        assertThat(g3.get(0).path("group_key").asString()).isEqualTo(g1.get(0).path("group_key").asString());
        assertThat(g3.get(0).path("notifications_count").asInt()).as("counted up to this page").isEqualTo(1);
        assertThat(g3.get(0).path("page_min_id").asString()).isEqualTo(n.get(4));
        assertThat(g3.get(0).path("page_max_id").asString()).isEqualTo(n.get(4));
        Http.Response end = http.get(link(third, "next"), alice.token());
        MastodonSchemas.assertValid("GroupedNotificationsResults", end.body());
        assertThat(end.json().path("notification_groups").size()).isZero();
        assertThat(end.header("Link")).isNull();

        Http.Response up = http.get("/api/v2/notifications?limit=2&min_id=" + n.get(4), alice.token());
        assertThat(ids(up.json().path("notification_groups"), "group_key"))
                .containsExactly("ungrouped-" + n.get(2), "ungrouped-" + n.get(3));
        Http.Response newer = http.get(link(up, "prev"), alice.token());
        assertThat(ids(newer.json().path("notification_groups"), "type")).containsExactly("favourite", "mention");
        assertThat(newer.json().path("notification_groups").get(0).path("notifications_count").asInt()).isEqualTo(2);
    }

    @Test
    void notificationsAboutWhatCanNoLongerBeSeenOrWasUndoneDisappear() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        Person dave = person("dave");
        String mention = post(bob, "@" + alice.name() + " soon gone");
        String mentionId = list(alice, "").get(0).path("id").asString();
        delete(bob, mention);
        assertThat(list(alice, "").size()).isZero();
        assertThat(http.get("/api/v1/notifications/" + mentionId, alice.token()).status()).isEqualTo(404);
        assertThat(count("/api/v1/notifications/unread_count", alice)).isZero();
        assertThat(groups(alice, "").path("notification_groups").size()).isZero();

        // A followers-only post stops being visible when the follow ends.
        String secret = post(bob, Map.of("status", "followers only", "visibility", "private"));
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", alice.id(), bob.id());
        notify(alice, bob, NotificationService.STATUS, secret);
        assertThat(ids(list(alice, ""), "type")).containsExactly("status");
        sql("DELETE FROM follows WHERE account_id = ? AND target_account_id = ?", alice.id(), bob.id());
        assertThat(list(alice, "").size()).isZero();
        // A public post stops being visible to someone its author blocks.
        String open = post(bob, "public");
        notify(alice, bob, NotificationService.STATUS, open);
        assertThat(list(alice, "").size()).isEqualTo(1);
        sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", bob.id(), alice.id());
        assertThat(list(alice, "").size()).isZero();

        // Undone favourites, boosts and follows take their notifications with them; redone, they show once.
        String own = post(alice, "undo me");
        act(carol, own, "favourite");
        act(dave, own, "reblog");
        follow(carol, alice);
        assertThat(ids(list(alice, ""), "type")).containsExactly("follow", "reblog", "favourite");
        act(carol, own, "unfavourite");
        act(dave, own, "unreblog");
        sql("DELETE FROM follows WHERE account_id = ? AND target_account_id = ?", carol.id(), alice.id());
        assertThat(list(alice, "").size()).isZero();
        assertThat(groups(alice, "").path("notification_groups").size()).isZero();
        act(carol, own, "favourite");
        act(dave, own, "reblog");
        follow(carol, alice);
        assertThat(ids(list(alice, ""), "type")).containsExactly("follow", "reblog", "favourite");
        assertThat(groups(alice, "").path("notification_groups").get(2).path("notifications_count").asInt()).isEqualTo(1);
    }

    @Test
    void blockedAndMutedSendersAreHiddenWhileTheBlockOrMuteLasts() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        String own = post(alice, "who may notify me");
        act(bob, own, "favourite");
        act(carol, own, "favourite");
        post(carol, "@" + alice.name() + " muted soon");
        String bobsId = list(alice, "?account_id=" + bob.id()).get(0).path("id").asString();

        sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", alice.id(), bob.id());
        assertThat(list(alice, "?account_id=" + bob.id()).size()).isZero();
        assertThat(http.get("/api/v1/notifications/" + bobsId, alice.token()).status()).isEqualTo(404);
        assertThat(count("/api/v1/notifications/unread_count", alice)).isEqualTo(2);
        JsonNode favourites = groups(alice, "?types[]=favourite").path("notification_groups").get(0);
        assertThat(favourites.path("notifications_count").asInt()).isEqualTo(1);
        assertThat(favourites.path("sample_account_ids").toString()).isEqualTo("[\"" + carol.id() + "\"]");
        sql("DELETE FROM blocks WHERE account_id = ?", alice.id());
        assertThat(list(alice, "").size()).isEqualTo(3);

        sql("INSERT INTO mutes (account_id, target_account_id, hide_notifications) VALUES (?, ?, false)", alice.id(), carol.id());
        assertThat(list(alice, "").size()).as("a mute that keeps notifications").isEqualTo(3);
        sql("UPDATE mutes SET hide_notifications = true WHERE account_id = ?", alice.id());
        assertThat(ids(list(alice, ""), "id")).containsExactly(bobsId);
        assertThat(count("/api/v2/notifications/unread_count", alice)).isEqualTo(1);
        sql("UPDATE mutes SET expires_at = now() - interval '1 minute' WHERE account_id = ?", alice.id());
        assertThat(list(alice, "").size()).as("an expired mute hides nothing").isEqualTo(3);

        // A remote sender, while the recipient blocks its domain.
        long remoteId = server.app.database().jdbi().withHandle(h -> h.createQuery(
                "INSERT INTO accounts (username, domain, public_key) VALUES ('zed', 'far.example', 'key') RETURNING id")
                .mapTo(Long.class).one());
        Person remote = new Person(remoteId, "zed@far.example", null);
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", remoteId, alice.id());
        notify(alice, remote, NotificationService.FOLLOW, null);
        assertThat(list(alice, "?account_id=" + remoteId).size()).isEqualTo(1);
        sql("INSERT INTO account_domain_blocks (account_id, domain) VALUES (?, 'far.example')", alice.id());
        assertThat(list(alice, "?account_id=" + remoteId).size()).isZero();
        notify(alice, remote, NotificationService.FOLLOW, null);
        sql("DELETE FROM account_domain_blocks WHERE account_id = ?", alice.id());
        assertThat(list(alice, "?account_id=" + remoteId).size()).as("made while blocked: never made").isZero();
    }

    @Test
    void aMutedConversationNotifiesNoMore() {
        Person alice = person("alice");
        Person bob = person("bob");
        Person carol = person("carol");
        String root = post(alice, "a thread");
        String reply = post(bob, Map.of("status", "@" + alice.name() + " first reply", "in_reply_to_id", root));
        act(alice, root, "mute");
        post(bob, Map.of("status", "@" + alice.name() + " second reply", "in_reply_to_id", reply));
        act(carol, root, "favourite");
        post(bob, "@" + alice.name() + " elsewhere");
        assertThat(ids(list(alice, ""), "type")).containsExactly("mention", "mention");
        assertThat(list(alice, "").get(1).path("status").path("id").asString()).as("made before the mute").isEqualTo(reply);
    }
}
