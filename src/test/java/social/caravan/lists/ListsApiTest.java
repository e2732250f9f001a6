package social.caravan.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import social.caravan.timelines.FeedService;
import tools.jackson.databind.JsonNode;

/**
 * Lists over HTTP: CRUD, members, who may touch a list, and list feeds as fan-out, merges and
 * rebuilds fill them by Mastodon's rules. The server runs no worker: tests run the feed jobs
 * themselves, in order, except the last, which lets a worker run them.
 */
class ListsApiTest {
    static TestServer server;
    static Http http;
    static Jdbi jdbi;
    static FeedService feeds;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(next|prev)\"");

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        jdbi = server.app.database().jdbi();
        feeds = new FeedService(jdbi, server.app.notifications(), server.app.queue(), 7, server.app.bus());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    record User(long id, String name, String token) {
        String sid() {
            return Long.toString(id);
        }
    }

    /** A new account with a read/write token whose home feed is active, so fan-out fills its feeds. */
    static User user(String prefix) {
        String name = prefix + NAMES.incrementAndGet();
        long id = server.createAccount(name);
        sql("INSERT INTO home_feeds (account_id, active_at) VALUES (?, now())", id);
        return new User(id, name, server.token(name, "read write"));
    }

    static void sql(String sql, Object... args) {
        jdbi.useHandle(h -> h.execute(sql, args));
    }

    static long number(String sql, Object... args) {
        return jdbi.withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
    }

    static void follow(User follower, User target) {
        Http.Response r = http.postJson("/api/v1/accounts/" + target.id() + "/follow", follower.token(), "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("following").asBoolean()).isTrue();
    }

    static String postOnly(User u, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", u.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    /** Posts and fans the status out, as the fan-out job would. */
    static String post(User u, Map<String, Object> body) {
        String id = postOnly(u, body);
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    static String post(User u, String text) {
        return post(u, Map.of("status", text));
    }

    static String reply(User u, String text, String inReplyTo) {
        return post(u, Map.of("status", text, "in_reply_to_id", inReplyTo));
    }

    static String boost(User u, String statusId) {
        Http.Response r = http.postJson("/api/v1/statuses/" + statusId + "/reblog", u.token(), "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    /** Creates a list and checks it against Mastodon's List schema; returns it. */
    static JsonNode createList(User owner, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/lists", owner.token(), Json.write(body));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("List", r.body());
        return r.json();
    }

    static String list(User owner, String title) {
        return createList(owner, Map.of("title", title)).path("id").asString();
    }

    static String list(User owner, String title, String repliesPolicy, boolean exclusive) {
        return createList(owner, Map.of("title", title, "replies_policy", repliesPolicy, "exclusive", exclusive))
                .path("id").asString();
    }

    static String accountIds(User... users) {
        List<String> ids = new ArrayList<>();
        for (User u : users) {
            ids.add(u.sid());
        }
        return Json.write(Map.of("account_ids", ids));
    }

    static Http.Response send(String method, String path, String token, String json) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Adds members and runs the merge jobs the request queued. */
    static void add(User owner, String listId, User... members) {
        Http.Response r = http.postJson("/api/v1/lists/" + listId + "/accounts", owner.token(), accountIds(members));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{}");
        for (User m : members) {
            feeds.mergeList(Long.parseLong(listId), m.id());
        }
    }

    static Http.Response remove(User owner, String listId, User... members) {
        return send("DELETE", "/api/v1/lists/" + listId + "/accounts", owner.token(), accountIds(members));
    }

    /** The list timeline as the owner reads it, checked against the Status schema; the ids in order. */
    static List<String> timeline(User owner, String listId) {
        return ids(http.get("/api/v1/timelines/list/" + listId, owner.token()));
    }

    static List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Status", r.body());
        List<String> ids = new ArrayList<>();
        r.json().forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    /** The entries of a list feed as stored, newest first. */
    static List<String> stored(String listId) {
        return jdbi.withHandle(h -> h.select("SELECT entry_id FROM list_feed_entries WHERE list_id = ? ORDER BY entry_id DESC",
                Long.parseLong(listId)).mapTo(Long.class).list()).stream().map(String::valueOf).toList();
    }

    static List<String> home(User u) {
        return jdbi.withHandle(h -> h.select("SELECT entry_id FROM home_feed_entries WHERE account_id = ? ORDER BY entry_id DESC",
                u.id()).mapTo(Long.class).list()).stream().map(String::valueOf).toList();
    }

    /** Member usernames of a list, checked against the Account schema. */
    static List<String> members(User owner, String listId, String query) {
        Http.Response r = http.get("/api/v1/lists/" + listId + "/accounts" + query, owner.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Account", r.body());
        List<String> names = new ArrayList<>();
        r.json().forEach(a -> names.add(a.path("username").asString()));
        return names;
    }

    static Map<String, String> links(Http.Response r) {
        Map<String, String> links = new HashMap<>();
        String header = r.header("Link");
        if (header != null) {
            Matcher m = LINK.matcher(header);
            while (m.find()) {
                links.put(m.group(2), m.group(1));
            }
        }
        return links;
    }

    static void assertError(Http.Response r, int status, String error) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json().path("error").asString()).isEqualTo(error);
    }

    // ---------------------------------------------------------------------------------------------
    // The lists themselves

    @Test
    void createShowUpdateAndDeleteAListWithMastodonsFields() {
        User owner = user("owner");
        JsonNode created = createList(owner, Map.of("title", "Friends"));
        String id = created.path("id").asString();
        assertThat(created.path("title").asString()).isEqualTo("Friends");
        assertThat(created.path("replies_policy").asString()).as("Mastodon's default").isEqualTo("list");
        assertThat(created.path("exclusive").asBoolean()).isFalse();

        JsonNode second = createList(owner, Map.of("title", "Work", "replies_policy", "none", "exclusive", true));
        assertThat(second.path("replies_policy").asString()).isEqualTo("none");
        assertThat(second.path("exclusive").asBoolean()).isTrue();

        Http.Response index = http.get("/api/v1/lists", owner.token());
        MastodonSchemas.assertValidArray("List", index.body());
        assertThat(index.json().findValuesAsString("title")).containsExactly("Friends", "Work");

        Http.Response shown = http.get("/api/v1/lists/" + id, owner.token());
        MastodonSchemas.assertValid("List", shown.body());
        assertThat(shown.json()).isEqualTo(created);

        // A form works as JSON does; what is not sent stays as it was.
        Http.Response renamed = send("PUT", "/api/v1/lists/" + id, owner.token(), "{\"title\":\"Close friends\"}");
        MastodonSchemas.assertValid("List", renamed.body());
        assertThat(renamed.json().path("title").asString()).isEqualTo("Close friends");
        assertThat(renamed.json().path("replies_policy").asString()).isEqualTo("list");
        Http.Response changed = http.send(http.request("/api/v1/lists/" + id).header("Authorization", "Bearer " + owner.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("replies_policy=followed&exclusive=true")).build());
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("title").asString()).isEqualTo("Close friends");
        assertThat(changed.json().path("replies_policy").asString()).isEqualTo("followed");
        assertThat(changed.json().path("exclusive").asBoolean()).isTrue();

        Http.Response patched = http.patchJson("/api/v1/lists/" + id, owner.token(), "{\"exclusive\":false}");
        assertThat(patched.status()).as("PATCH updates as PUT does, as Rails routes it").isEqualTo(200);
        assertThat(patched.json().path("exclusive").asBoolean()).isFalse();
        assertThat(patched.json().path("replies_policy").asString()).isEqualTo("followed");

        Http.Response deleted = send("DELETE", "/api/v1/lists/" + id, owner.token(), "");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{}");
        assertError(http.get("/api/v1/lists/" + id, owner.token()), 404, "Record not found");
        assertThat(http.get("/api/v1/lists", owner.token()).json().findValuesAsString("title")).containsExactly("Work");
    }

    @Test
    void badInputIsRefusedWithMastodonsMessages() {
        User owner = user("owner");
        assertError(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"\"}"), 422,
                "Validation failed: Title can't be blank");
        assertError(http.postJson("/api/v1/lists", owner.token(), "{}"), 422, "Validation failed: Title can't be blank");
        assertError(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"   \"}"), 422,
                "Validation failed: Title can't be blank");
        assertError(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"x\",\"replies_policy\":\"everyone\"}"), 422,
                "Validation failed: Replies policy is not included in the list");
        assertError(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"\",\"replies_policy\":\"all\"}"), 422,
                "Validation failed: Replies policy is not included in the list, Title can't be blank");
        assertError(http.postJson("/api/v1/lists", owner.token(), Json.write(Map.of("title", "t".repeat(257)))), 422,
                "Validation failed: Title is too long (maximum is 256 characters)");
        assertThat(http.postJson("/api/v1/lists", owner.token(), "{\"title\":[\"a\"]}").status()).isEqualTo(422);
        assertThat(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"x\",\"exclusive\":{}}").status()).isEqualTo(422);
        assertThat(http.get("/api/v1/lists", owner.token()).json()).as("nothing was made").isEmpty();

        String id = list(owner, "Kept");
        assertError(send("PUT", "/api/v1/lists/" + id, owner.token(), "{\"title\":\"\"}"), 422,
                "Validation failed: Title can't be blank");
        assertError(send("PUT", "/api/v1/lists/" + id, owner.token(), "{\"replies_policy\":\"LIST\"}"), 422,
                "Validation failed: Replies policy is not included in the list");
        assertThat(http.get("/api/v1/lists/" + id, owner.token()).json().path("title").asString()).isEqualTo("Kept");

        for (String unknown : List.of("1", "999999999999", "nope", "-5")) {
            assertError(http.get("/api/v1/lists/" + unknown, owner.token()), 404, "Record not found");
            assertError(send("PUT", "/api/v1/lists/" + unknown, owner.token(), "{\"title\":\"x\"}"), 404, "Record not found");
            assertError(send("DELETE", "/api/v1/lists/" + unknown, owner.token(), ""), 404, "Record not found");
            assertError(http.get("/api/v1/lists/" + unknown + "/accounts", owner.token()), 404, "Record not found");
            assertError(http.get("/api/v1/timelines/list/" + unknown, owner.token()), 404, "Record not found");
        }
        assertThat(http.get("/api/v1/timelines/list/" + id + "?max_id=abc", owner.token()).status()).isEqualTo(422);
    }

    @Test
    void anAccountHasAtMostFiftyLists() {
        User owner = user("owner");
        for (int i = 1; i <= ListService.MAX_LISTS; i++) {
            list(owner, "List " + i);
        }
        assertError(http.postJson("/api/v1/lists", owner.token(), "{\"title\":\"one more\"}"), 422,
                "Validation failed: You have reached the maximum number of lists");
        assertThat(http.get("/api/v1/lists", owner.token()).json()).hasSize(ListService.MAX_LISTS);
        assertThat(http.postJson("/api/v1/lists", user("other").token(), "{\"title\":\"mine\"}").status()).isEqualTo(200);
    }

    @Test
    void onlyTheOwnerSeesOrTouchesAList() {
        User owner = user("owner");
        User other = user("other");
        User friend = user("friend");
        follow(owner, friend);
        follow(other, friend);
        String id = list(owner, "Private matters");
        add(owner, id, friend);
        String base = "/api/v1/lists/" + id;

        assertError(http.get(base, other.token()), 404, "Record not found");
        assertError(send("PUT", base, other.token(), "{\"title\":\"mine now\"}"), 404, "Record not found");
        assertError(send("DELETE", base, other.token(), ""), 404, "Record not found");
        assertError(http.get(base + "/accounts", other.token()), 404, "Record not found");
        assertError(http.postJson(base + "/accounts", other.token(), accountIds(friend)), 404, "Record not found");
        assertError(send("DELETE", base + "/accounts", other.token(), accountIds(friend)), 404, "Record not found");
        assertError(http.get("/api/v1/timelines/list/" + id, other.token()), 404, "Record not found");
        assertThat(http.get("/api/v1/lists", other.token()).json()).isEmpty();
        assertThat(http.get("/api/v1/accounts/" + friend.id() + "/lists", other.token()).json())
                .as("another owner's lists never show").isEmpty();
        assertThat(http.get(base, owner.token()).json().path("title").asString()).isEqualTo("Private matters");
        assertThat(members(owner, id, "")).containsExactly(friend.name());

        // A blocked account fares no better.
        http.postJson("/api/v1/accounts/" + other.id() + "/block", owner.token(), "{}");
        assertError(http.get(base, other.token()), 404, "Record not found");
    }

    @Test
    void everyEndpointNeedsAUserTokenWithTheListScopes() {
        User owner = user("owner");
        String id = list(owner, "Scoped");
        String readOnly = server.token(owner.name(), "read:lists");
        String writeOnly = server.token(owner.name(), "write:lists");
        String statusesOnly = server.token(owner.name(), "read:statuses write:statuses");
        List<String> reads = List.of("/api/v1/lists", "/api/v1/lists/" + id, "/api/v1/lists/" + id + "/accounts",
                "/api/v1/accounts/" + owner.id() + "/lists", "/api/v1/timelines/list/" + id);
        for (String path : reads) {
            assertThat(http.get(path).status()).as(path).isEqualTo(401);
            assertThat(http.get(path, statusesOnly).status()).as(path).isEqualTo(403);
            assertThat(http.get(path, writeOnly).status()).as(path).isEqualTo(403);
            assertThat(http.get(path, readOnly).status()).as(path).isEqualTo(200);
        }
        assertThat(http.postJson("/api/v1/lists", null, "{\"title\":\"x\"}").status()).isEqualTo(401);
        assertThat(http.postJson("/api/v1/lists", readOnly, "{\"title\":\"x\"}").status()).isEqualTo(403);
        assertThat(send("PUT", "/api/v1/lists/" + id, readOnly, "{\"title\":\"x\"}").status()).isEqualTo(403);
        assertThat(send("DELETE", "/api/v1/lists/" + id, statusesOnly, "").status()).isEqualTo(403);
        assertThat(http.postJson("/api/v1/lists/" + id + "/accounts", readOnly, accountIds(owner)).status()).isEqualTo(403);
        assertThat(send("DELETE", "/api/v1/lists/" + id + "/accounts", readOnly, accountIds(owner)).status()).isEqualTo(403);
        assertThat(http.postJson("/api/v1/lists", writeOnly, "{\"title\":\"x\"}").status()).isEqualTo(200);
        assertThat(send("PUT", "/api/v1/lists/" + id, server.token(owner.name(), "write"), "{\"title\":\"y\"}").status())
                .as("write grants write:lists").isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------
    // Members

    @Test
    void membersAreFollowedAccountsAddedAllOrNone() {
        User owner = user("owner");
        User followed = user("followed");
        User stranger = user("stranger");
        follow(owner, followed);
        String id = list(owner, "Members");
        String accounts = "/api/v1/lists/" + id + "/accounts";

        assertError(http.postJson(accounts, owner.token(), accountIds(followed, stranger)), 422,
                "Validation failed: Account must be a followed account");
        assertThat(members(owner, id, "")).as("nothing half-written").isEmpty();
        assertError(http.postJson(accounts, owner.token(), "{\"account_ids\":[\"" + followed.id() + "\",\"404404404\"]}"), 404,
                "Record not found");
        assertError(http.postJson(accounts, owner.token(), "{\"account_ids\":[\"abc\"]}"), 404, "Record not found");
        assertThat(members(owner, id, "")).isEmpty();

        add(owner, id, followed, owner);
        assertThat(members(owner, id, "")).as("the owner may be a member of its own list")
                .containsExactlyInAnyOrder(followed.name(), owner.name());
        assertError(http.postJson(accounts, owner.token(), accountIds(followed)), 422,
                "Validation failed: Account is already on the list");
        assertThat(number("SELECT count(*) FROM jobs WHERE type = ? AND unique_key LIKE 'merge_list:' || ? || ':%'",
                FeedService.MERGE_LIST_JOB, id))
                .as("a merge job per added member").isEqualTo(2);

        Http.Response lists = http.get("/api/v1/accounts/" + followed.id() + "/lists", owner.token());
        MastodonSchemas.assertValidArray("List", lists.body());
        assertThat(lists.json().findValuesAsString("id")).containsExactly(id);
        assertThat(http.get("/api/v1/accounts/" + stranger.id() + "/lists", owner.token()).json()).isEmpty();
        assertError(http.get("/api/v1/accounts/404404404/lists", owner.token()), 404, "Record not found");

        Http.Response removed = remove(owner, id, followed, stranger);
        assertThat(removed.status()).as("accounts that are not members are passed over").isEqualTo(200);
        assertThat(removed.body()).isEqualTo("{}");
        assertThat(members(owner, id, "")).containsExactly(owner.name());
        assertThat(http.get("/api/v1/accounts/" + followed.id() + "/lists", owner.token()).json()).isEmpty();

        // Rails-style form parameters work as well.
        Http.Response form = http.postForm(accounts, owner.token(), Map.of("account_ids[]", followed.sid()));
        assertThat(form.status()).as(form.toString()).isEqualTo(200);
        assertThat(members(owner, id, "")).contains(followed.name());
    }

    @Test
    void unfollowingABlockOrADeletedListTakesMembersOff() {
        User owner = user("owner");
        User leaving = user("leaving");
        User blocked = user("blocked");
        User staying = user("staying");
        for (User u : List.of(leaving, blocked, staying)) {
            follow(owner, u);
        }
        String a = list(owner, "A");
        String b = list(owner, "B");
        add(owner, a, leaving, blocked, staying);
        add(owner, b, leaving);
        String before = post(leaving, "before the unfollow");
        assertThat(timeline(owner, a)).contains(before);

        http.postJson("/api/v1/accounts/" + leaving.id() + "/unfollow", owner.token(), "{}");
        http.postJson("/api/v1/accounts/" + blocked.id() + "/block", owner.token(), "{}");
        assertThat(members(owner, a, "")).containsExactly(staying.name());
        assertThat(members(owner, b, "")).isEmpty();
        assertThat(timeline(owner, a)).as("read-time checks drop what a former member posted").doesNotContain(before);

        // Following again does not put the account back.
        follow(owner, leaving);
        assertThat(members(owner, a, "")).containsExactly(staying.name());

        send("DELETE", "/api/v1/lists/" + a, owner.token(), "");
        assertThat(number("SELECT count(*) FROM list_accounts WHERE list_id = ?", Long.parseLong(a))).isZero();
        assertThat(number("SELECT count(*) FROM list_feed_entries WHERE list_id = ?", Long.parseLong(a))).isZero();
    }

    @Test
    void membersPageByAccountIdWithLinksAndLimitZeroListsThemAll() {
        User owner = user("owner");
        List<User> people = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            User u = user("member");
            follow(owner, u);
            people.add(u);
        }
        String id = list(owner, "Paged");
        add(owner, id, people.toArray(User[]::new));
        String path = "/api/v1/lists/" + id + "/accounts";

        Http.Response first = http.get(path + "?limit=2", owner.token());
        MastodonSchemas.assertValidArray("Account", first.body());
        assertThat(first.json().findValuesAsString("username")).containsExactly(people.get(4).name(), people.get(3).name());
        Map<String, String> links = links(first);
        assertThat(links.get("next")).isEqualTo(server.baseUrl + path + "?limit=2&max_id=" + people.get(3).id());
        assertThat(links.get("prev")).isEqualTo(server.baseUrl + path + "?limit=2&min_id=" + people.get(4).id());
        Http.Response second = http.get(links.get("next"), owner.token());
        assertThat(second.json().findValuesAsString("username")).containsExactly(people.get(2).name(), people.get(1).name());
        Http.Response back = http.get(links(second).get("prev"), owner.token());
        assertThat(back.json().findValuesAsString("username")).containsExactly(people.get(4).name(), people.get(3).name());
        assertThat(members(owner, id, "?since_id=" + people.get(2).id())).hasSize(2);

        Http.Response all = http.get(path + "?limit=0", owner.token());
        assertThat(all.json()).hasSize(5);
        assertThat(all.header("Link")).as("no paging when everything is listed").isNull();
        assertThat(members(owner, id, "")).as("default page of 40").hasSize(5);
        assertThat(members(owner, id, "?limit=500")).hasSize(5);
    }

    // ---------------------------------------------------------------------------------------------
    // List feeds

    @Test
    void membersPostsReachTheListFeedByFanOut() {
        User owner = user("owner");
        User member = user("member");
        User other = user("other");
        follow(owner, member);
        follow(owner, other);
        String id = list(owner, "Feed");
        add(owner, id, member);

        String pub = post(member, "public");
        String priv = post(member, Map.of("status", "followers only", "visibility", "private"));
        String unlisted = post(member, Map.of("status", "quiet", "visibility", "unlisted"));
        post(member, Map.of("status", "@" + owner.name() + " just us", "visibility", "direct"));
        post(other, "not a member");
        String original = post(other, "boost-worthy");
        String boost = boost(member, original);

        assertThat(timeline(owner, id)).containsExactly(boost, unlisted, priv, pub);
        assertThat(stored(id)).as("direct posts never enter lists").hasSize(4);
        Http.Response page = http.get("/api/v1/timelines/list/" + id, owner.token());
        assertThat(page.json().get(0).path("reblog").path("id").asString()).isEqualTo(original);

        // A fan-out run twice changes nothing.
        feeds.fanout(Long.parseLong(pub));
        assertThat(stored(id)).hasSize(4);
        assertThat(number("SELECT entries FROM list_feeds WHERE list_id = ?", Long.parseLong(id))).isEqualTo(4);

        // Pages by entry id with Link headers, as home does.
        String path = "/api/v1/timelines/list/" + id;
        Http.Response first = http.get(path + "?limit=2", owner.token());
        assertThat(ids(first)).containsExactly(boost, unlisted);
        assertThat(links(first).get("next")).isEqualTo(server.baseUrl + path + "?limit=2&max_id=" + unlisted);
        assertThat(ids(http.get(links(first).get("next"), owner.token()))).containsExactly(priv, pub);
        assertThat(ids(http.get(path + "?min_id=" + pub + "&limit=1", owner.token()))).containsExactly(priv);

        // An owner who has not read home lately has its lists filled when it comes back, not before.
        sql("UPDATE home_feeds SET active_at = now() - interval '30 days' WHERE account_id = ?", owner.id());
        String away = post(member, "while away");
        assertThat(stored(id)).doesNotContain(away);
        feeds.rebuild(owner.id());
        assertThat(stored(id)).contains(away);
    }

    @Test
    void repliesPolicyDecidesWhichRepliesToOthersEnter() {
        User owner = user("owner");
        User member = user("member");
        User otherMember = user("othermember");
        User followedOnly = user("followedonly");
        User stranger = user("stranger");
        for (User u : List.of(member, otherMember, followedOnly)) {
            follow(owner, u);
        }
        String followed = list(owner, "followed", "followed", false);
        String listed = list(owner, "list", "list", false);
        String none = list(owner, "none", "none", false);
        for (String l : List.of(followed, listed, none)) {
            add(owner, l, member, otherMember);
        }

        String toMember = reply(member, "to a member", post(otherMember, "q1"));
        String toFollowed = reply(member, "to someone followed", post(followedOnly, "q2"));
        String toStranger = reply(member, "to a stranger", post(stranger, "q3"));
        String toOwner = reply(member, "to the owner", post(owner, "q4"));
        String toSelf = reply(member, "to itself", post(member, "q5"));

        assertThat(timeline(owner, followed)).contains(toMember, toFollowed, toOwner, toSelf).doesNotContain(toStranger);
        assertThat(timeline(owner, listed)).contains(toMember, toOwner, toSelf).doesNotContain(toFollowed, toStranger);
        assertThat(timeline(owner, none)).contains(toOwner, toSelf).doesNotContain(toMember, toFollowed, toStranger);

        // A merge applies the same rules.
        sql("DELETE FROM list_feed_entries");
        for (String l : List.of(followed, listed, none)) {
            feeds.mergeList(Long.parseLong(l), member.id());
        }
        assertThat(stored(followed)).contains(toMember, toFollowed, toOwner, toSelf).doesNotContain(toStranger);
        assertThat(stored(listed)).contains(toMember, toOwner, toSelf).doesNotContain(toFollowed, toStranger);
        assertThat(stored(none)).contains(toOwner, toSelf).doesNotContain(toMember, toFollowed, toStranger);
    }

    @Test
    void exclusiveListsKeepTheirMembersOutOfHome() {
        User owner = user("owner");
        User separate = user("separate");
        User shared = user("shared");
        follow(owner, separate);
        follow(owner, shared);
        String exclusive = list(owner, "Only here", "list", true);
        String inclusive = list(owner, "Also home", "list", false);
        add(owner, exclusive, separate);
        add(owner, inclusive, shared);

        String fromSeparate = post(separate, "only in the list");
        String fromShared = post(shared, "everywhere");
        String own = post(owner, "mine");
        assertThat(stored(exclusive)).containsExactly(fromSeparate);
        assertThat(stored(inclusive)).containsExactly(fromShared);
        assertThat(home(owner)).contains(fromShared, own).doesNotContain(fromSeparate);

        // A rebuild of home leaves them out too; when the list stops being exclusive they are back.
        sql("DELETE FROM home_feed_entries WHERE account_id = ?", owner.id());
        feeds.rebuild(owner.id());
        assertThat(home(owner)).contains(fromShared, own).doesNotContain(fromSeparate);
        send("PUT", "/api/v1/lists/" + exclusive, owner.token(), "{\"exclusive\":false}");
        String later = post(separate, "after the change");
        assertThat(home(owner)).contains(later);
    }

    @Test
    void blocksMutesAndHiddenBoostsKeepPostsOutOfLists() {
        User owner = user("owner");
        User member = user("member");
        User muted = user("muted");
        User annoying = user("annoying");
        User hider = user("hider");
        follow(owner, member);
        follow(owner, muted);
        follow(owner, hider);
        http.postJson("/api/v1/accounts/" + hider.id() + "/follow", owner.token(), "{\"reblogs\":false}");
        String id = list(owner, "Filtered");
        add(owner, id, member, muted, hider);

        String before = post(muted, "said before the mute");
        http.postJson("/api/v1/accounts/" + muted.id() + "/mute", owner.token(), "{}");
        http.postJson("/api/v1/accounts/" + annoying.id() + "/block", owner.token(), "{}");
        post(muted, "said after the mute");
        String mention = post(member, "hey @" + annoying.name());
        String boostOfBlocked = boost(member, post(annoying, "blocked voice"));
        String boostHidden = boost(hider, post(member, "boosted by hider"));
        String plain = post(member, "plain");

        assertThat(stored(id)).doesNotContain(mention, boostOfBlocked, boostHidden).contains(plain);
        assertThat(stored(id)).as("the earlier post stays stored").contains(before);
        assertThat(timeline(owner, id)).as("but is hidden when read").doesNotContain(before).contains(plain);

        // The member blocking the owner ends the follow, so the member leaves the list.
        http.postJson("/api/v1/accounts/" + owner.id() + "/block", member.token(), "{}");
        assertThat(timeline(owner, id)).doesNotContain(plain);
        assertThat(members(owner, id, "")).doesNotContain(member.name());
    }

    @Test
    void addingAMemberMergesItsRecentPostsAndRemovingTakesThemOut() {
        User owner = user("owner");
        User member = user("member");
        User stays = user("stays");
        follow(owner, member);
        follow(owner, stays);
        String earlier = post(member, "before joining the list");
        String boostEarlier = boost(member, post(stays, "an old one"));
        String id = list(owner, "Merged");
        add(owner, id, stays);
        String fromStays = post(stays, "stays");

        Http.Response added = http.postJson("/api/v1/lists/" + id + "/accounts", owner.token(), accountIds(member));
        assertThat(added.status()).isEqualTo(200);
        assertThat(stored(id)).as("merged by the job, not the request").doesNotContain(earlier);
        feeds.mergeList(Long.parseLong(id), member.id());
        assertThat(timeline(owner, id)).contains(earlier, fromStays);
        assertThat(stored(id)).as("a boost of what is already there is not added twice").doesNotContain(boostEarlier);

        assertThat(remove(owner, id, member).status()).isEqualTo(200);
        assertThat(stored(id)).doesNotContain(earlier).contains(fromStays);
        assertThat(number("SELECT entries FROM list_feeds WHERE list_id = ?", Long.parseLong(id)))
                .isEqualTo(stored(id).size());

        // A merge that runs after the account left (its job was late) adds nothing.
        feeds.mergeList(Long.parseLong(id), member.id());
        assertThat(stored(id)).doesNotContain(earlier);
    }

    @Test
    void aListFeedIsCutBackToItsNewest400() {
        User owner = user("owner");
        User member = user("member");
        follow(owner, member);
        String id = list(owner, "Busy");
        add(owner, id, member);
        sql("""
                WITH made AS (INSERT INTO statuses (account_id, content, visibility)
                              SELECT ?, 'old', 'public' FROM generate_series(1, 439) RETURNING id)
                INSERT INTO list_feed_entries (list_id, entry_id) SELECT ?, id FROM made""", member.id(), Long.parseLong(id));
        sql("UPDATE list_feeds SET entries = 439 WHERE list_id = ?", Long.parseLong(id));

        String fresh = post(member, "the 440th");
        List<String> feed = stored(id);
        assertThat(feed).hasSize(400);
        assertThat(feed.get(0)).isEqualTo(fresh);
        assertThat(number("SELECT entries FROM list_feeds WHERE list_id = ?", Long.parseLong(id))).isEqualTo(400);
    }

    @Test
    void theWorkerFillsListFeedsFromFanOutAndMergeJobs() throws InterruptedException {
        try (TestServer withWorker = TestServer.startWithWorker()) {
            withWorker.createAccount("owner");
            withWorker.createAccount("writer");
            String owner = withWorker.token("owner", "read write");
            String writer = withWorker.token("writer", "read write");
            long writerId = withWorker.app.accounts().findLocal("writer").orElseThrow().id();
            Http web = withWorker.http;
            assertThat(web.postJson("/api/v1/accounts/" + writerId + "/follow", owner, "{}").status()).isEqualTo(200);
            // Reading home makes the owner active.
            assertThat(web.get("/api/v1/timelines/home", owner).status()).isIn(200, 206);
            String earlier = web.postJson("/api/v1/statuses", writer, "{\"status\":\"before the list\"}").json().path("id").asString();

            String listId = web.postJson("/api/v1/lists", owner, "{\"title\":\"Watched\"}").json().path("id").asString();
            assertThat(web.postJson("/api/v1/lists/" + listId + "/accounts", owner, "{\"account_ids\":[\"" + writerId + "\"]}")
                    .status()).isEqualTo(200);
            until(web, owner, listId, earlier);

            String later = web.postJson("/api/v1/statuses", writer, "{\"status\":\"after the list\"}").json().path("id").asString();
            assertThat(until(web, owner, listId, later)).containsExactly(later, earlier);
        }
    }

    /** Reads the list timeline until it shows the status; returns its ids. */
    private static List<String> until(Http web, String token, String listId, String statusId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            List<String> ids = ids(web.get("/api/v1/timelines/list/" + listId, token));
            if (ids.contains(statusId)) {
                return ids;
            }
            assertThat(Instant.now()).as("the list never showed " + statusId).isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
