package social.caravan.tags;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Community;
import social.caravan.support.Community.User;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/** Hashtags over HTTP: showing one with its history, following and unfollowing, followed tags in home feeds. */
class TagsApiTest {
    static Community c;

    @BeforeAll
    static void start() {
        c = new Community();
    }

    @AfterAll
    static void stop() {
        c.close();
    }

    private static JsonNode tag(String name, String token) {
        JsonNode tag = c.ok("/api/v1/tags/" + name, token);
        MastodonSchemas.assertValid("Tag", tag);
        return tag;
    }

    private static JsonNode act(User u, String name, String verb) {
        Http.Response r = c.http.postJson("/api/v1/tags/" + name + "/" + verb, u.token(), "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Tag", r.body());
        return r.json();
    }

    @Test
    void aTagShowsSevenDaysOfPublicUseNewestFirst() {
        User ann = c.user("ann");
        User bob = c.user("bob");
        c.post(ann, "first #Weather");
        c.post(ann, "second #weather");
        c.post(bob, "#weather here too");
        c.post(bob, "not counted: unlisted #weather", "unlisted");
        c.post(bob, "not counted: private #weather", "private");
        String old = c.post(bob, "two days ago #weather");
        c.sql("UPDATE statuses SET created_at = now() - interval '2 days' WHERE id = ?", Long.parseLong(old));
        String deleted = c.post(ann, "deleted #weather");
        assertThat(c.http.send(c.http.request("/api/v1/statuses/" + deleted).header("Authorization", "Bearer " + ann.token())
                .DELETE().build()).status()).isEqualTo(200);

        JsonNode tag = tag("weather", null);
        assertThat(tag.path("name").asString()).isEqualTo("weather");
        assertThat(tag.path("url").asString()).isEqualTo(c.server.baseUrl + "/tags/weather");
        assertThat(tag.path("id").asString()).isEqualTo(Long.toString(c.number("SELECT id FROM tags WHERE name = 'weather'")));
        assertThat(tag.has("following")).as("only for a signed-in viewer").isFalse();
        JsonNode history = tag.path("history");
        assertThat(history).hasSize(7);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int i = 0; i < 7; i++) {
            assertThat(history.get(i).path("day").asString())
                    .isEqualTo(Long.toString(today.minusDays(i).atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
        }
        assertThat(history.get(0).path("uses").asString()).isEqualTo("3");
        assertThat(history.get(0).path("accounts").asString()).isEqualTo("2");
        assertThat(history.get(2).path("uses").asString()).isEqualTo("1");
        assertThat(history.get(1).path("uses").asString()).isEqualTo("0");

        // Any case, a leading #, and with a token the viewer's following and featuring.
        JsonNode signedIn = tag("%23WEATHER", ann.token());
        assertThat(signedIn.path("name").asString()).isEqualTo("weather");
        assertThat(signedIn.path("following").asBoolean(true)).isFalse();
        assertThat(signedIn.path("featuring").asBoolean(true)).isFalse();
    }

    @Test
    void aTagInOtherLettersLinksToItsPercentEncodedPageEverywhere() {
        User ann = c.user("ann_tokyo");
        String id = c.post(ann, "rain in #東京");
        String page = c.server.baseUrl + "/tags/%E6%9D%B1%E4%BA%AC";

        JsonNode status = c.ok("/api/v1/statuses/" + id, ann.token());
        assertThat(status.path("tags").get(0).path("name").asString()).isEqualTo("東京");
        assertThat(status.path("tags").get(0).path("url").asString()).isEqualTo(page);
        assertThat(status.path("content").asString()).contains("href=\"" + page + "\"");
        assertThat(tag("%E6%9D%B1%E4%BA%AC", null).path("url").asString()).isEqualTo(page);
        JsonNode found = c.ok("/api/v2/search?type=hashtags&q=%E6%9D%B1%E4%BA%AC", ann.token());
        assertThat(found.path("hashtags").get(0).path("url").asString()).isEqualTo(page);
    }

    @Test
    void anUnusedNameIsATagWithoutIdOrUseAndANonTagIsNotFound() {
        JsonNode unused = tag("neverusedyet", null);
        assertThat(unused.path("id").asString()).isEmpty();
        assertThat(unused.path("history")).hasSize(7);
        unused.path("history").forEach(day -> assertThat(day.path("uses").asString()).isEqualTo("0"));
        assertThat(c.number("SELECT count(*) FROM tags WHERE name = 'neverusedyet'")).as("showing makes no tag").isZero();

        for (String bad : List.of("not-a-tag", "12345", "%20")) {
            Http.Response r = c.http.get("/api/v1/tags/" + bad);
            assertThat(r.status()).as(bad).isEqualTo(404);
            assertThat(r.json().path("error").asString()).isEqualTo("Record not found");
        }
        assertThat(c.http.get("/api/v1/tags/cats", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void followingATagMakesItAndListsItUntilUnfollowed() {
        User fan = c.user("fan");
        JsonNode followed = act(fan, "Gardening", "follow");
        assertThat(followed.path("name").asString()).isEqualTo("gardening");
        assertThat(followed.path("following").asBoolean()).isTrue();
        assertThat(followed.path("id").asString()).isNotEmpty();
        assertThat(act(fan, "gardening", "follow").path("following").asBoolean()).as("following twice is fine").isTrue();
        assertThat(tag("gardening", fan.token()).path("following").asBoolean()).isTrue();
        assertThat(tag("gardening", c.user("other").token()).path("following").asBoolean()).isFalse();

        JsonNode list = c.ok("/api/v1/followed_tags", fan.token());
        MastodonSchemas.assertValidArray("Tag", list);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("name").asString()).isEqualTo("gardening");

        assertThat(act(fan, "gardening", "unfollow").path("following").asBoolean()).isFalse();
        assertThat(c.ok("/api/v1/followed_tags", fan.token())).isEmpty();
        assertThat(act(fan, "nevertouched", "unfollow").path("following").asBoolean()).as("unfollowing an unused name").isFalse();
        assertThat(c.http.postJson("/api/v1/tags/no-such/follow", fan.token(), "{}").status()).isEqualTo(404);
    }

    @Test
    void followingNeedsAUserTokenThatWritesFollows() {
        User u = c.user("scoped");
        assertThat(c.http.postJson("/api/v1/tags/cats/follow", null, "{}").status()).isEqualTo(401);
        Http.Response readOnly = c.http.postJson("/api/v1/tags/cats/follow", c.token(u, "read"), "{}");
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");
        assertThat(c.http.postJson("/api/v1/tags/cats/follow", c.token(u, "write:follows"), "{}").status()).isEqualTo(200);
        assertThat(c.http.postJson("/api/v1/tags/cats/unfollow", c.token(u, "follow"), "{}").status()).isEqualTo(200);

        assertThat(c.http.get("/api/v1/followed_tags").status()).isEqualTo(401);
        assertThat(c.http.get("/api/v1/followed_tags", c.token(u, "write")).status()).isEqualTo(403);
        assertThat(c.http.get("/api/v1/followed_tags", c.token(u, "read:follows")).status()).isEqualTo(200);
        var auth = c.server.app.auth();
        long appId = auth.registerApp("app", List.of("urn:ietf:wg:oauth:2.0:oob"), java.util.Set.of("read"), null).app().id();
        String appToken = auth.issueToken(appId, java.util.OptionalLong.empty(), java.util.Set.of("read")).accessToken();
        assertThat(c.http.get("/api/v1/followed_tags", appToken).status()).as("an app token has no account").isEqualTo(422);
    }

    @Test
    void followedTagsPageNewestFollowFirstWithLinks() {
        User fan = c.user("pager");
        for (String name : List.of("one", "two", "three")) {
            act(fan, name, "follow");
        }
        Http.Response first = c.http.get("/api/v1/followed_tags?limit=2", fan.token());
        assertThat(names(first.json())).containsExactly("three", "two");
        Map<String, String> links = Community.links(first);
        assertThat(links.get("next")).startsWith(c.server.baseUrl + "/api/v1/followed_tags?limit=2&max_id=");
        Http.Response second = c.http.get(links.get("next"), fan.token());
        assertThat(names(second.json())).containsExactly("one");
        assertThat(names(c.http.get(Community.links(second).get("prev"), fan.token()).json())).containsExactly("three", "two");
        assertThat(c.http.get("/api/v1/followed_tags?max_id=abc", fan.token()).status()).isEqualTo(422);
    }

    private static List<String> names(JsonNode tags) {
        MastodonSchemas.assertValidArray("Tag", tags);
        List<String> names = new java.util.ArrayList<>();
        tags.forEach(t -> names.add(t.path("name").asString()));
        return names;
    }

    @Test
    void publicPostsWithAFollowedTagReachHomeByTheHomeRules() {
        User reader = c.reader("reader");
        User stranger = c.user("stranger");
        User friend = c.user("friend");
        User pest = c.user("pest");
        User noisy = c.user("noisy");
        c.follow(reader, friend);
        act(reader, "Knitting", "follow");
        c.act(reader, pest, "block");
        c.act(reader, noisy, "mute");

        String tagged = c.post(stranger, "socks #knitting");
        String unlisted = c.post(stranger, "quiet #knitting", "unlisted");
        String untagged = c.post(stranger, "no tag here");
        String fromBlocked = c.post(pest, "#knitting from someone blocked");
        String fromMuted = c.post(noisy, "#knitting from someone muted");
        String mentioningBlocked = c.post(stranger, "#knitting with @" + pest.name());
        String byFriend = c.post(friend, "a friend's #knitting");
        c.onStatus(friend, tagged, "reblog");
        String mine = c.post(reader, "my own #knitting");

        List<String> home = c.home(reader);
        assertThat(home).contains(tagged, byFriend, mine)
                .doesNotContain(unlisted, untagged, fromBlocked, fromMuted, mentioningBlocked);
        assertThat(home.stream().filter(byFriend::equals)).as("one entry when both the author and the tag are followed").hasSize(1);
        assertThat(c.number("SELECT count(*) FROM home_feed_entries WHERE account_id = ? AND entry_id = ?",
                reader.id(), Long.parseLong(tagged))).isEqualTo(1);

        // The author blocking the reader keeps it out too, and running fan-out again changes nothing.
        c.act(stranger, reader, "block");
        String afterBlock = c.post(stranger, "more #knitting");
        c.feeds.fanout(Long.parseLong(tagged));
        assertThat(c.number("SELECT count(*) FROM home_feed_entries WHERE account_id = ? AND entry_id = ?",
                reader.id(), Long.parseLong(afterBlock))).isZero();
        assertThat(c.number("SELECT entries FROM home_feeds WHERE account_id = ?", reader.id()))
                .isEqualTo(c.number("SELECT count(*) FROM home_feed_entries WHERE account_id = ?", reader.id()));

        // Unfollowing the tag takes its posts out of home; a followed author's stay.
        act(reader, "knitting", "unfollow");
        c.act(stranger, reader, "unblock");
        assertThat(c.home(reader)).contains(byFriend, mine).doesNotContain(tagged);
    }

    @Test
    void aFollowedTagDoesNotReachFeedsThatAreNotKept() {
        User away = c.user("away");
        User author = c.user("author");
        act(away, "sailing", "follow");
        String post = c.post(author, "#sailing today");
        assertThat(c.number("SELECT count(*) FROM home_feed_entries WHERE account_id = ? AND entry_id = ?",
                away.id(), Long.parseLong(post))).isZero();
    }
}
