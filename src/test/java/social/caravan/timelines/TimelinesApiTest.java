package social.caravan.timelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.timelines.TimelineFixture.User;
import tools.jackson.databind.JsonNode;

/** The timeline endpoints over HTTP: what each viewer sees, filters, pagination and Link headers. */
class TimelinesApiTest {
    static TimelineFixture f;

    @BeforeAll
    static void start() {
        f = new TimelineFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void homeRendersEntriesAndBoostsAsTheBoostWithItsOriginal() {
        User reader = f.reader("reader");
        User friend = f.user("friend");
        User other = f.user("other");
        f.follow(reader, friend);
        String post = f.post(friend, "hello");
        String boost = f.boost(friend, f.post(other, "worth a boost"));

        Http.Response r = f.http.get("/api/v1/timelines/home", reader.token());
        assertThat(f.ids(r)).containsExactly(boost, post);
        JsonNode first = r.json().get(0);
        assertThat(first.path("account").path("username").asString()).isEqualTo(friend.name());
        assertThat(first.path("reblog").path("account").path("username").asString()).isEqualTo(other.name());
        assertThat(first.path("reblog").path("content").asString()).contains("worth a boost");
    }

    @Test
    void pagesShowEditsProfileChangesRolesAndCountsMadeAfterTheyWereRendered() {
        User reader = f.reader("reader");
        User friend = f.user("friend");
        f.follow(reader, friend);
        String post = f.post(friend, "first words");
        String home = "/api/v1/timelines/home";
        JsonNode before = f.http.get(home, reader.token()).json().get(0);
        assertThat(before.path("content").asString()).contains("first words");
        assertThat(before.path("favourites_count").asInt()).isZero();
        assertThat(before.path("account").path("roles")).isEmpty();

        assertThat(f.http.send(f.http.request("/api/v1/statuses/" + post).header("Authorization", "Bearer " + friend.token())
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":\"second words #edited\"}")).build())
                .status()).isEqualTo(200);
        assertThat(f.http.patchJson("/api/v1/accounts/update_credentials", friend.token(),
                "{\"display_name\":\"Friend Renamed\"}").status()).isEqualTo(200);
        assertThat(f.http.postJson("/api/v1/statuses/" + post + "/favourite", reader.token(), "{}").status()).isEqualTo(200);
        f.server.app.accounts().modifyUser(friend.name(),
                new social.caravan.accounts.AccountService.UserChanges(null, null, social.caravan.accounts.Role.MODERATOR, null, null));

        JsonNode after = f.http.get(home, reader.token()).json().get(0);
        assertThat(after.path("content").asString()).contains("second words").doesNotContain("first words");
        assertThat(after.path("edited_at").isNull()).isFalse();
        assertThat(after.path("tags").get(0).path("name").asString()).isEqualTo("edited");
        assertThat(after.path("favourites_count").asInt()).isEqualTo(1);
        assertThat(after.path("favourited").asBoolean()).isTrue();
        assertThat(after.path("account").path("display_name").asString()).isEqualTo("Friend Renamed");
        assertThat(after.path("account").path("roles").get(0).path("name").asString()).isEqualTo("Moderator");
        assertThat(after.path("account").path("statuses_count").asInt()).isEqualTo(1);
    }

    @Test
    void changesMadeByAnotherProcessReachTheCachesThroughNotifications() throws InterruptedException {
        User reader = f.reader("reader");
        User friend = f.user("friend");
        f.follow(reader, friend);
        String post = f.post(friend, "cached words");
        String home = "/api/v1/timelines/home";
        for (int i = 0; i < 100 && !f.server.app.invalidations().listening(); i++) {
            Thread.sleep(20);
        }
        assertThat(f.http.get(home, reader.token()).json().get(0).path("favourites_count").asInt()).isZero();
        // With triggers off (as nothing in Caravan does), a change goes unheard: the page comes from the cache.
        f.jdbi.useHandle(h -> {
            h.execute("SET session_replication_role = replica");
            h.execute("UPDATE status_stats SET favourites_count = 7 WHERE status_id = ?", Long.parseLong(post));
            h.execute("RESET session_replication_role");
        });
        assertThat(f.http.get(home, reader.token()).json().get(0).path("favourites_count").asInt()).isZero();

        // Straight into the database, as a worker or another web process would: only the triggers tell this process.
        f.sql("UPDATE status_stats SET favourites_count = 42 WHERE status_id = ?", Long.parseLong(post));
        f.sql("UPDATE accounts SET display_name = 'Renamed Elsewhere' WHERE id = ?", friend.id());
        f.sql("UPDATE statuses SET content = '<p>edited elsewhere</p>', edited_at = now() WHERE id = ?", Long.parseLong(post));
        f.sql("INSERT INTO bookmarks (account_id, status_id) VALUES (?, ?)", reader.id(), Long.parseLong(post));
        JsonNode seen = null;
        for (int i = 0; i < 100; i++) {
            seen = f.http.get(home, reader.token()).json().get(0);
            if (seen.path("favourites_count").asInt() == 42 && seen.path("bookmarked").asBoolean()
                    && seen.path("account").path("display_name").asString().equals("Renamed Elsewhere")
                    && seen.path("content").asString().contains("edited elsewhere")) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(seen.path("favourites_count").asInt()).isEqualTo(42);
        assertThat(seen.path("bookmarked").asBoolean()).isTrue();
        assertThat(seen.path("account").path("display_name").asString()).isEqualTo("Renamed Elsewhere");
        assertThat(seen.path("content").asString()).contains("edited elsewhere");
    }

    @Test
    void homeNeedsAUserTokenThatReadsStatuses() {
        User reader = f.reader("reader");
        assertThat(f.http.get("/api/v1/timelines/home").status()).isEqualTo(401);
        String writeOnly = f.server.token(reader.name(), "write");
        assertThat(f.http.get("/api/v1/timelines/home", writeOnly).status()).isEqualTo(403);
        assertThat(f.http.get("/api/v1/timelines/home", f.server.token(reader.name(), "read:statuses")).status()).isEqualTo(200);
        assertThat(f.http.get("/api/v1/favourites", f.server.token(reader.name(), "read:statuses")).status()).isEqualTo(403);
        assertThat(f.http.get("/api/v1/bookmarks", f.server.token(reader.name(), "read:bookmarks")).status()).isEqualTo(200);
    }

    @Test
    void homePagesByEntryIdWithLinksThatRoundTrip() {
        User reader = f.reader("reader");
        User friend = f.user("friend");
        f.follow(reader, friend);
        List<String> p = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            p.add(f.post(friend, "post " + i));
        }
        String home = "/api/v1/timelines/home";

        Http.Response first = f.http.get(home + "?limit=2", reader.token());
        assertThat(f.ids(first)).containsExactly(p.get(4), p.get(3));
        Map<String, String> links = links(first);
        assertThat(links.get("next")).isEqualTo(f.server.baseUrl + home + "?limit=2&max_id=" + p.get(3));
        assertThat(links.get("prev")).isEqualTo(f.server.baseUrl + home + "?limit=2&min_id=" + p.get(4));

        Http.Response second = f.http.get(links.get("next"), reader.token());
        assertThat(f.ids(second)).containsExactly(p.get(2), p.get(1));
        Http.Response third = f.http.get(links(second).get("next"), reader.token());
        assertThat(f.ids(third)).containsExactly(p.get(0));
        Http.Response end = f.http.get(links(third).get("next"), reader.token());
        assertThat(f.ids(end)).isEmpty();
        assertThat(end.header("Link")).as("an empty page has no Link").isNull();

        // Back again: prev pages forward from the newest item shown.
        assertThat(f.ids(f.http.get(links(second).get("prev"), reader.token()))).containsExactly(p.get(4), p.get(3));
        assertThat(f.http.get(links(first).get("prev"), reader.token()).header("Link")).isNull();

        // min_id pages forward from the cursor (the oldest after it first); since_id gives the newest after it.
        assertThat(f.ids(f.http.get(home + "?limit=2&min_id=" + p.get(0), reader.token()))).containsExactly(p.get(2), p.get(1));
        assertThat(f.ids(f.http.get(home + "?limit=2&since_id=" + p.get(0), reader.token()))).containsExactly(p.get(4), p.get(3));
        assertThat(f.ids(f.http.get(home + "?max_id=" + p.get(3) + "&since_id=" + p.get(0), reader.token())))
                .containsExactly(p.get(2), p.get(1));
        assertThat(f.http.get(home + "?max_id=nonsense", reader.token()).status()).isEqualTo(422);
    }

    @Test
    void limitsDefaultTo20AndStopAt40() {
        User chatty = f.user("chatty");
        f.sql("""
                WITH made AS (INSERT INTO statuses (account_id, content, visibility)
                              SELECT ?, '<p>again</p>', 'public' FROM generate_series(1, 45) RETURNING id)
                INSERT INTO status_stats (status_id) SELECT id FROM made""", chatty.id());
        String path = "/api/v1/accounts/" + chatty.sid() + "/statuses";
        assertThat(f.ids(path, null)).hasSize(20);
        Http.Response capped = f.http.get(path + "?limit=100");
        assertThat(f.ids(capped)).hasSize(40);
        assertThat(links(capped).get("next")).contains("limit=40");
        assertThat(f.ids(path + "?limit=0", null)).hasSize(1);
    }

    @Test
    void aReturningReaderGets206WhileTheFeedIsRebuilt() {
        User friend = f.user("friend");
        User back = f.user("back");
        f.follow(back, friend);
        String earlier = f.post(friend, "posted while away");
        String home = "/api/v1/timelines/home";

        Http.Response partial = f.http.get(home, back.token());
        assertThat(partial.status()).isEqualTo(206);
        assertThat(f.ids(partial)).isEmpty();
        assertThat(f.number("SELECT count(*) FROM jobs WHERE type = 'timelines.rebuild_home' AND payload LIKE ?",
                "%" + back.id() + "%")).isEqualTo(1);
        assertThat(f.http.get(home, back.token()).status()).as("until the rebuild is done").isEqualTo(206);

        f.feeds.rebuild(back.id());
        Http.Response rebuilt = f.http.get(home, back.token());
        assertThat(rebuilt.status()).isEqualTo(200);
        assertThat(f.ids(rebuilt)).containsExactly(earlier);

        // Read two days ago: still active, and the read is recorded; gone eight days: rebuilt again.
        f.sql("UPDATE home_feeds SET active_at = now() - interval '2 days' WHERE account_id = ?", back.id());
        assertThat(f.http.get(home, back.token()).status()).isEqualTo(200);
        assertThat(f.number("SELECT count(*) FROM home_feeds WHERE account_id = ? AND active_at > now() - interval '1 minute'",
                back.id())).isEqualTo(1);
        f.sql("UPDATE home_feeds SET active_at = now() - interval '8 days' WHERE account_id = ?", back.id());
        Http.Response again = f.http.get(home, back.token());
        assertThat(again.status()).isEqualTo(206);
        assertThat(f.ids(again)).as("the partial page is what the feed holds").containsExactly(earlier);
    }

    @Test
    void homeHonoursUnfollowsBlocksAndMutesMadeAfterFanOut() {
        User reader = f.reader("reader");
        User friend = f.user("friend");
        User pest = f.user("pest");
        User gone = f.user("gone");
        f.follow(reader, friend);
        f.follow(reader, pest);
        f.follow(reader, gone);
        String kept = f.post(friend, "stays");
        String mentionsPest = f.post(friend, "hi @" + pest.name());
        String byPest = f.post(pest, "noise");
        String boostOfPest = f.boost(friend, f.postOnly(pest, Map.of("status", "more noise")));
        String byGone = f.post(gone, "bye");
        assertThat(f.ids("/api/v1/timelines/home", reader)).contains(kept, mentionsPest, byPest, boostOfPest, byGone);

        f.sql("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", reader.id(), pest.id());
        f.sql("DELETE FROM follows WHERE account_id = ? AND target_account_id = ?", reader.id(), gone.id());
        assertThat(f.ids("/api/v1/timelines/home", reader)).containsExactly(kept);
    }

    @Test
    void publicTimelineShowsPublicPostsOnlyWithLocalRemoteAndMediaFilters() {
        User author = f.user("author");
        User other = f.user("other");
        String pub = f.post(author, "public");
        String unlisted = f.post(author, Map.of("status", "unlisted", "visibility", "unlisted"));
        String priv = f.post(author, Map.of("status", "private", "visibility", "private"));
        String direct = f.post(author, Map.of("status", "@" + other.name() + " direct", "visibility", "direct"));
        String boost = f.boost(other, pub);
        String replyToOther = f.post(author, Map.of("status", "reply", "in_reply_to_id", f.post(other, "root")));
        String selfReply = f.post(author, Map.of("status", "thread", "in_reply_to_id", pub));
        String remote = remoteStatus("from afar", null);

        List<String> anonymous = f.ids("/api/v1/timelines/public?limit=40", null);
        assertThat(anonymous).contains(pub, selfReply, remote)
                .doesNotContain(unlisted, priv, direct, boost, replyToOther);
        assertThat(f.ids("/api/v1/timelines/public?limit=40", other)).contains(pub).doesNotContain(priv, direct, boost);
        assertThat(f.ids("/api/v1/timelines/public?local=true&limit=40", null)).contains(pub).doesNotContain(remote);
        assertThat(f.ids("/api/v1/timelines/public?remote=true&limit=40", null)).contains(remote).doesNotContain(pub);
        assertThat(f.ids("/api/v1/timelines/public?local=true&remote=true&limit=40", null)).contains(pub, remote);
        assertThat(f.ids("/api/v1/timelines/public?only_media=true", null)).as("no media exists yet").isEmpty();
    }

    @Test
    void publicAndTagTimelinesHideAuthorsTheViewerBlocksOrMutes() {
        User loud = f.user("loud");
        User blocker = f.user("blocker");
        User muter = f.user("muter");
        User bystander = f.user("bystander");
        String post = f.post(loud, "look at me #spotlight");
        f.sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", blocker.id(), loud.id());
        f.sql("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", muter.id(), loud.id());
        for (String path : List.of("/api/v1/timelines/public?limit=40", "/api/v1/timelines/tag/spotlight")) {
            assertThat(f.ids(path, bystander)).contains(post);
            assertThat(f.ids(path, blocker)).doesNotContain(post);
            assertThat(f.ids(path, muter)).doesNotContain(post);
        }
    }

    @Test
    void tagTimelinesMatchAnyAllAndNoneInAnyCase() {
        User author = f.user("author");
        String hiking = f.post(author, "up the hill #Hiking");
        String both = f.post(author, "#hiking with the #dogs");
        String dogs = f.post(author, "#dogs only");
        String cats = f.post(author, "#cats");
        String hidden = f.post(author, Map.of("status", "#hiking quietly", "visibility", "unlisted"));
        String remote = remoteStatus("far #hiking", "hiking");

        assertThat(f.ids("/api/v1/timelines/tag/HIKING", null)).containsExactly(remote, both, hiking);
        assertThat(f.ids("/api/v1/timelines/tag/hiking?any[]=cats", null)).containsExactly(remote, cats, both, hiking);
        assertThat(f.ids("/api/v1/timelines/tag/hiking?all[]=dogs", null)).containsExactly(both);
        assertThat(f.ids("/api/v1/timelines/tag/hiking?none[]=Dogs", null)).containsExactly(remote, hiking);
        assertThat(f.ids("/api/v1/timelines/tag/hiking?local=true", null)).containsExactly(both, hiking);
        assertThat(f.ids("/api/v1/timelines/tag/hiking?remote=true", null)).containsExactly(remote);
        assertThat(f.ids("/api/v1/timelines/tag/dogs?any[]=hiking&none[]=cats&limit=1", null)).containsExactly(remote);
        assertThat(f.ids("/api/v1/timelines/tag/nosuchtag", null)).isEmpty();
        assertThat(f.ids("/api/v1/timelines/tag/hiking", null)).doesNotContain(hidden, dogs);
    }

    @Test
    void accountStatusesFilterRepliesBoostsPinsAndTags() {
        User author = f.user("author");
        User other = f.user("other");
        String plain = f.post(author, "plain #tagged");
        String thread = f.post(author, Map.of("status", "more", "in_reply_to_id", plain));
        String reply = f.post(author, Map.of("status", "answer", "in_reply_to_id", f.post(other, "question")));
        String boost = f.boost(author, f.post(other, "boostable"));
        f.sql("INSERT INTO status_pins (account_id, status_id) VALUES (?, ?)", author.id(), Long.parseLong(thread));
        f.sql("INSERT INTO status_pins (account_id, status_id) VALUES (?, ?)", author.id(), Long.parseLong(plain));
        String path = "/api/v1/accounts/" + author.sid() + "/statuses";

        assertThat(f.ids(path, null)).containsExactly(boost, reply, thread, plain);
        assertThat(f.ids(path + "?exclude_replies=true", null)).containsExactly(boost, thread, plain);
        assertThat(f.ids(path + "?exclude_reblogs=true", null)).containsExactly(reply, thread, plain);
        assertThat(f.ids(path + "?tagged=TAGGED", null)).containsExactly(plain);
        assertThat(f.ids(path + "?only_media=true", null)).isEmpty();
        Http.Response pinned = f.http.get(path + "?pinned=true", author.token());
        assertThat(f.ids(pinned)).as("newest pin first").containsExactly(plain, thread);
        assertThat(pinned.json().get(0).path("pinned").asBoolean()).isTrue();
        assertThat(f.http.get("/api/v1/accounts/123/statuses").status()).isEqualTo(404);
        assertThat(f.http.get("/api/v1/accounts/nope/statuses").status()).isEqualTo(404);
    }

    @Test
    void eachViewerSeesExactlyWhatTheyShouldEverywhere() {
        User author = f.user("author");
        User follower = f.reader("follower");
        User stranger = f.reader("stranger");
        User blocked = f.reader("blocked");
        User mentioned = f.reader("mentioned");
        f.follow(follower, author);
        f.follow(blocked, author);
        f.follow(mentioned, author);
        f.sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", author.id(), blocked.id());
        String pub = f.post(author, "public #vis");
        String unlisted = f.post(author, Map.of("status", "unlisted #vis", "visibility", "unlisted"));
        String priv = f.post(author, Map.of("status", "private #vis", "visibility", "private"));
        String direct = f.post(author, Map.of("status", "@" + mentioned.name() + " direct #vis", "visibility", "direct"));
        // Without the follow (as a block removes it), nothing private reaches the blocked account any more.
        f.sql("DELETE FROM follows WHERE account_id = ?", blocked.id());

        String profile = "/api/v1/accounts/" + author.sid() + "/statuses";
        assertThat(f.ids(profile, null)).containsExactly(unlisted, pub);
        assertThat(f.ids(profile, stranger)).containsExactly(unlisted, pub);
        assertThat(f.ids(profile, follower)).containsExactly(priv, unlisted, pub);
        assertThat(f.ids(profile, mentioned)).containsExactly(direct, priv, unlisted, pub);
        assertThat(f.ids(profile, author)).containsExactly(direct, priv, unlisted, pub);
        assertThat(f.ids(profile, blocked)).isEmpty();

        assertThat(f.ids("/api/v1/timelines/home", follower)).containsExactly(priv, unlisted, pub);
        assertThat(f.ids("/api/v1/timelines/home", mentioned)).containsExactly(direct, priv, unlisted, pub);
        assertThat(f.ids("/api/v1/timelines/home", stranger)).isEmpty();
        assertThat(f.ids("/api/v1/timelines/home", blocked)).as("fanned out before the block, hidden after").isEmpty();

        for (User viewer : new User[] {null, stranger, follower, mentioned, author}) {
            assertThat(f.ids("/api/v1/timelines/tag/vis", viewer)).containsExactly(pub);
            assertThat(f.ids("/api/v1/timelines/public?limit=40", viewer)).contains(pub).doesNotContain(unlisted, priv, direct);
        }
        assertThat(f.ids("/api/v1/timelines/tag/vis", blocked)).isEmpty();
        assertThat(f.ids("/api/v1/timelines/public?limit=40", blocked)).doesNotContain(pub);
    }

    @Test
    void favouritesAndBookmarksPageOnTheirHiddenIds() {
        User author = f.user("author");
        User fan = f.user("fan");
        User secretive = f.user("secret");
        String s1 = f.post(author, "one");
        String s2 = f.post(author, "two");
        String s3 = f.post(author, "three");
        String priv = f.post(secretive, Map.of("status", "for followers", "visibility", "private"));
        f.follow(fan, secretive);
        for (String action : List.of("favourite", "bookmark")) {
            for (String id : List.of(priv, s3, s1, s2)) {
                assertThat(f.http.postJson("/api/v1/statuses/" + id + "/" + action, fan.token(), "{}").status()).isEqualTo(200);
            }
        }
        // An unfollow makes the private one invisible, so it leaves the lists too.
        f.sql("DELETE FROM follows WHERE account_id = ?", fan.id());

        for (String list : List.of("favourites", "bookmarks")) {
            String path = "/api/v1/" + list;
            long newestKey = f.number("SELECT id FROM " + list + " WHERE account_id = ? AND status_id = ?", fan.id(), Long.parseLong(s2));
            long middleKey = f.number("SELECT id FROM " + list + " WHERE account_id = ? AND status_id = ?", fan.id(), Long.parseLong(s1));

            Http.Response first = f.http.get(path + "?limit=2", fan.token());
            assertThat(f.ids(first)).as("newest " + list + " first, not newest status").containsExactly(s2, s1);
            assertThat(links(first).get("next")).isEqualTo(f.server.baseUrl + path + "?limit=2&max_id=" + middleKey);
            assertThat(links(first).get("prev")).isEqualTo(f.server.baseUrl + path + "?limit=2&min_id=" + newestKey);

            Http.Response second = f.http.get(links(first).get("next"), fan.token());
            assertThat(f.ids(second)).containsExactly(s3);
            assertThat(f.ids(f.http.get(links(second).get("prev"), fan.token()))).containsExactly(s2, s1);
            Http.Response none = f.http.get(links(first).get("prev"), fan.token());
            assertThat(f.ids(none)).isEmpty();
            assertThat(none.header("Link")).isNull();
            assertThat(f.ids(f.http.get(path, author.token()))).isEmpty();
        }
    }

    @Test
    void everyListingIsAnArrayOfMastodonStatuses() {
        User author = f.reader("author");
        String post = f.post(author, "schema #schema");
        f.boost(author, f.post(f.user("other"), "boosted"));
        assertThat(f.http.postJson("/api/v1/statuses/" + post + "/favourite", author.token(), "{}").status()).isEqualTo(200);
        assertThat(f.http.postJson("/api/v1/statuses/" + post + "/bookmark", author.token(), "{}").status()).isEqualTo(200);
        for (String path : List.of("/api/v1/timelines/home", "/api/v1/timelines/public", "/api/v1/timelines/tag/schema",
                "/api/v1/accounts/" + author.sid() + "/statuses", "/api/v1/favourites", "/api/v1/bookmarks")) {
            Http.Response r = f.http.get(path, author.token());
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.json().size()).as(path).isPositive();
            MastodonSchemas.assertValidArray("Status", r.body());
        }
    }

    /** A public status by a remote account, written as federation will write it; tagged when {@code tag} is given. */
    private static String remoteStatus(String text, String tag) {
        f.sql("INSERT INTO accounts (username, domain, public_key) VALUES ('far', 'remote.example', 'k') ON CONFLICT DO NOTHING");
        long id = f.number("""
                INSERT INTO statuses (account_id, content, visibility)
                SELECT id, ?, 'public' FROM accounts WHERE username = 'far' AND domain = 'remote.example' RETURNING id""",
                "<p>" + text + "</p>");
        f.sql("INSERT INTO status_stats (status_id) VALUES (?)", id);
        if (tag != null) {
            f.sql("INSERT INTO statuses_tags (tag_id, status_id) SELECT id, ? FROM tags WHERE lower(name) = ?", id, tag);
        }
        return Long.toString(id);
    }

    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(\\w+)\"");

    private static Map<String, String> links(Http.Response r) {
        Map<String, String> links = new HashMap<>();
        String header = r.header("Link");
        assertThat(header).as("Link header").isNotNull();
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            links.put(m.group(2), m.group(1));
        }
        return links;
    }
}
