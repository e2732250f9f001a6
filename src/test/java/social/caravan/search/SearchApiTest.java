package social.caravan.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.ApiFixture;
import social.caravan.support.ApiFixture.Person;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/** GET /api/v2/search and /api/v1/accounts/search: each kind, who may find what, paging, bad input. */
class SearchApiTest {
    static ApiFixture f;

    @BeforeAll
    static void start() {
        f = new ApiFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A search that succeeds, checked against Mastodon's Search schema. */
    static JsonNode search(String query, Person viewer) {
        Http.Response r = viewer == null ? f.http.get("/api/v2/search?q=" + query)
                : f.http.get("/api/v2/search?q=" + query, viewer.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Search", r.body());
        return r.json();
    }

    static List<String> field(JsonNode array, String name) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(name).asString()));
        return out;
    }

    static void error(Http.Response r, int status, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        MastodonSchemas.assertValid("Error", r.body());
        assertThat(r.json().path("error").asString()).isEqualTo(message);
    }

    @Test
    void accountsAreFoundByUsernameHandleAndDisplayName() {
        Person viewer = f.person("viewer");
        Person zed = f.person("zedonk");
        Person zeb = f.person("zebrafish");
        f.sql("UPDATE accounts SET display_name = 'Marie Zebulon' WHERE id = ?", zeb.id());
        String domain = f.server.app.config().localDomain();

        JsonNode r = search("zed&type=accounts", viewer);
        assertThat(field(r.path("accounts"), "id")).containsExactly(zed.sid());
        assertThat(r.path("statuses")).isEmpty();
        assertThat(r.path("hashtags")).isEmpty();
        assertThat(field(search(encode("@" + zed.name()), viewer).path("accounts"), "id")).containsExactly(zed.sid());
        assertThat(field(search(encode(zed.name() + "@" + domain), viewer).path("accounts"), "id")).containsExactly(zed.sid());
        assertThat(field(search(encode(zed.name() + "@elsewhere.example"), viewer).path("accounts"), "id")).isEmpty();
        assertThat(field(search("zebu", viewer).path("accounts"), "id")).as("a word of the display name").containsExactly(zeb.sid());
        assertThat(field(search("ze", viewer).path("accounts"), "id")).contains(zed.sid(), zeb.sid());
        assertThat(field(search("ze", null).path("accounts"), "id")).as("signed out too").contains(zed.sid(), zeb.sid());
        assertThat(field(search("%25", viewer).path("accounts"), "id")).as("% is no wildcard").isEmpty();
        assertThat(field(search(encode("#zed"), viewer).path("accounts"), "id")).as("#... looks for hashtags").isEmpty();
    }

    @Test
    void followingLimitsAccountsAndBlocksHideThemBothWays() {
        Person viewer = f.person("viewer");
        Person friend = f.person("quokkafriend");
        Person stranger = f.person("quokkastranger");
        Person blocked = f.person("quokkablocked");
        Person blocker = f.person("quokkablocker");
        f.follow(viewer, friend);
        f.block(viewer, blocked);
        f.block(blocker, viewer);

        assertThat(field(search("quokka&type=accounts", viewer).path("accounts"), "id"))
                .as("followed accounts first").containsExactly(friend.sid(), stranger.sid());
        assertThat(field(search("quokka&following=true", viewer).path("accounts"), "id")).containsExactly(friend.sid());
        assertThat(field(search("quokka", null).path("accounts"), "id"))
                .containsExactlyInAnyOrder(friend.sid(), stranger.sid(), blocked.sid(), blocker.sid());

        Http.Response v1 = f.http.get("/api/v1/accounts/search?q=quokka&following=true", viewer.token());
        assertThat(v1.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Account", v1.body());
        assertThat(field(v1.json(), "id")).containsExactly(friend.sid());
        assertThat(field(f.http.get("/api/v1/accounts/search?q=quokka&limit=1&offset=1", viewer.token()).json(), "id"))
                .containsExactly(stranger.sid());
        assertThat(f.http.get("/api/v1/accounts/search?q=", viewer.token()).json()).isEmpty();
    }

    @Test
    void hashtagsAreFoundByPrefixWithTheirHistory() {
        Person author = f.person("author");
        Person other = f.person("other");
        f.post(author, "#Wombatology is a field");
        f.post(author, "more #wombatology");
        f.post(other, "#wombatology again, #wombat");
        f.post(other, Map.of("status", "#wombatology in private", "visibility", "private"));

        JsonNode tags = search(encode("#wombat") + "&type=hashtags", null).path("hashtags");
        assertThat(field(tags, "name")).containsExactly("wombat", "wombatology");
        JsonNode tag = tags.get(1);
        MastodonSchemas.assertValid("Tag", tag);
        assertThat(tag.path("url").asString()).isEqualTo(f.server.baseUrl + "/tags/wombatology");
        assertThat(tag.path("history")).hasSize(7);
        JsonNode today = tag.path("history").get(0);
        assertThat(today.path("day").asString())
                .isEqualTo(Long.toString(LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
        assertThat(today.path("uses").asString()).as("public posts only").isEqualTo("3");
        assertThat(today.path("accounts").asString()).isEqualTo("2");
        assertThat(tag.path("history").get(1).path("uses").asString()).isEqualTo("0");

        assertThat(field(search("wombat&exclude_unreviewed=true", null).path("hashtags"), "name"))
                .as("only the exact name: no tag is reviewed here").containsExactly("wombat");
        assertThat(field(search(encode("wombat@example.com"), null).path("hashtags"), "name")).isEmpty();
        assertThat(field(search("wombat&type=hashtags&limit=1&offset=1", author).path("hashtags"), "name"))
                .containsExactly("wombatology");
    }

    @Test
    void statusesAreFoundOnlyWhereTheViewerMaySeeAndSearchThem() {
        Person viewer = f.person("viewer");
        Person author = f.person("author");
        String open = f.post(author, "Platypus sightings in the river");
        String secret = f.post(author, Map.of("status", "platypus secret for followers", "visibility", "private"));
        String direct = f.post(author, Map.of("status", "@" + viewer.name() + " platypus just for you", "visibility", "direct"));
        String own = f.post(viewer, Map.of("status", "my platypus notes", "visibility", "private"));

        JsonNode r = search("platypus&type=statuses", viewer);
        assertThat(field(r.path("statuses"), "id")).as("newest first").containsExactly(own, direct, open);
        assertThat(field(search("platypus&type=statuses", author).path("statuses"), "id")).contains(secret, open, direct)
                .doesNotContain(own);
        assertThat(search("platypus", null).path("statuses")).as("statuses need a signed-in account").isEmpty();
        assertThat(field(search(encode("\"sightings in the river\""), viewer).path("statuses"), "id")).containsExactly(open);
        assertThat(field(search(encode("platypus -river") + "&type=statuses", viewer).path("statuses"), "id"))
                .containsExactly(own, direct);

        // A follower sees the private post, and finds it once they have interacted with it, as on Mastodon.
        Person follower = f.person("follower");
        f.follow(follower, author);
        assertThat(field(search("platypus&type=statuses", follower).path("statuses"), "id")).containsExactly(open);
        f.http.postJson("/api/v1/statuses/" + secret + "/favourite", follower.token(), "{}");
        assertThat(field(search("platypus&type=statuses", follower).path("statuses"), "id")).containsExactly(secret, open);

        // Authors who opt out of search are found only by those who interacted with their posts.
        f.sql("UPDATE accounts SET indexable = false WHERE id = ?", author.id());
        assertThat(field(search("platypus&type=statuses", f.person("anyone")).path("statuses"), "id")).isEmpty();
        f.sql("UPDATE accounts SET indexable = true WHERE id = ?", author.id());

        // Blocked and muted authors are left out; so is everything of an author who blocks the viewer.
        Person blocking = f.person("blocking");
        f.block(blocking, author);
        assertThat(search("platypus&type=statuses", blocking).path("statuses")).isEmpty();
        Person muting = f.person("muting");
        f.mute(muting, author);
        assertThat(search("platypus&type=statuses", muting).path("statuses")).isEmpty();
        Person blocked = f.person("blocked");
        f.block(author, blocked);
        assertThat(search("platypus&type=statuses", blocked).path("statuses")).isEmpty();

        // A deleted status is gone from search.
        f.delete("/api/v1/statuses/" + open, author.token());
        assertThat(field(search("platypus&type=statuses", viewer).path("statuses"), "id")).doesNotContain(open);
    }

    @Test
    void statusesPageByIdByOffsetAndByAuthor() {
        Person viewer = f.person("viewer");
        Person author = f.person("author");
        Person other = f.person("other");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(f.post(author, "echidna number " + i));
        }
        String others = f.post(other, "echidna from someone else");
        String q = "echidna&type=statuses";

        assertThat(field(search(q + "&limit=2", viewer).path("statuses"), "id")).containsExactly(others, ids.get(4));
        assertThat(field(search(q + "&limit=2&offset=2", viewer).path("statuses"), "id")).containsExactly(ids.get(3), ids.get(2));
        assertThat(field(search(q + "&max_id=" + ids.get(2) + "&min_id=" + ids.get(0), viewer).path("statuses"), "id"))
                .containsExactly(ids.get(1));
        assertThat(field(search(q + "&account_id=" + other.sid(), viewer).path("statuses"), "id")).containsExactly(others);
        assertThat(search(q + "&account_id=nobody", viewer).path("statuses")).isEmpty();
        assertThat(search("echidna&limit=0", viewer).path("statuses")).isEmpty();
        // Without a type, offset is ignored, as on Mastodon.
        assertThat(field(search("echidna&offset=3", viewer).path("statuses"), "id")).hasSize(6);
    }

    @Test
    void limitsDefaultTo20AndStopAt40() {
        Person viewer = f.person("viewer");
        Person author = f.person("author");
        f.sql("""
                WITH made AS (INSERT INTO statuses (account_id, text, content, visibility)
                              SELECT ?, 'narwhal', '<p>narwhal</p>', 'public' FROM generate_series(1, 45) RETURNING id)
                INSERT INTO status_stats (status_id) SELECT id FROM made""", author.id());
        assertThat(search("narwhal&type=statuses", viewer).path("statuses")).hasSize(20);
        assertThat(search("narwhal&type=statuses&limit=100", viewer).path("statuses")).hasSize(40);
    }

    @Test
    void badInputGetsMastodonsAnswers() {
        Person viewer = f.person("viewer");
        error(f.http.get("/api/v2/search"), 400, "param is missing or the value is empty or invalid: q");
        error(f.http.get("/api/v2/search?q=%20%20", viewer.token()), 400, "param is missing or the value is empty or invalid: q");
        error(f.http.get("/api/v2/search?q=x&offset=1"), 401, "Search queries pagination is not supported without authentication");
        error(f.http.get("/api/v2/search?q=x&resolve=true"), 401,
                "Search queries that resolve remote resources are not supported without authentication");
        error(f.http.get("/api/v2/search?q=x&limit=-1", viewer.token()), 400,
                "Pagination values for `offset` and `limit` must be positive");
        error(f.http.get("/api/v2/search?q=x&offset=-5&type=accounts", viewer.token()), 400,
                "Pagination values for `offset` and `limit` must be positive");
        error(f.http.get("/api/v2/search?q=" + "a".repeat(2001), viewer.token()), 422,
                "Search query is too long (at most 2000 characters)");
        assertThat(f.http.get("/api/v2/search?q=" + "a".repeat(2000), viewer.token()).status()).isEqualTo(200);
        error(f.http.get("/api/v2/search?q=x&max_id=abc", viewer.token()), 422, "Parameter max_id must be an id");

        JsonNode unknownType = search("viewer&type=people", viewer);
        assertThat(unknownType.path("accounts")).as("an unknown type finds nothing, as on Mastodon").isEmpty();
        assertThat(unknownType.path("hashtags")).isEmpty();
        assertThat(search(encode("!!! & | :* ()"), viewer).path("statuses")).as("operators are only text").isEmpty();
        assertThat(f.http.get("/api/v2/search?q=x&resolve=true", viewer.token()).status()).as("accepted when signed in")
                .isEqualTo(200);
    }

    @Test
    void searchScopes() {
        Person viewer = f.person("viewer");
        error(f.http.get("/api/v2/search?q=x", "not-a-token"), 401, "The access token is invalid");
        error(f.http.get("/api/v2/search?q=x", f.token(viewer, "read:accounts")), 403,
                "This action is outside the authorized scopes");
        assertThat(f.http.get("/api/v2/search?q=x", f.token(viewer, "read:search")).status()).isEqualTo(200);
        assertThat(f.http.get("/api/v2/search?q=x", f.token(viewer, "read")).status()).isEqualTo(200);

        error(f.http.get("/api/v1/accounts/search?q=x"), 401, "The access token is invalid");
        error(f.http.get("/api/v1/accounts/search?q=x", f.token(viewer, "read:search")), 403,
                "This action is outside the authorized scopes");
        assertThat(f.http.get("/api/v1/accounts/search?q=x", f.token(viewer, "read:accounts")).status()).isEqualTo(200);
        error(f.http.get("/api/v1/accounts/search?q=x&offset=-1", viewer.token()), 400,
                "Pagination values for `offset` and `limit` must be positive");
    }

    @Test
    void searchResultsCarryTheViewersFilters() {
        Person viewer = f.person("viewer");
        Person author = f.person("author");
        String found = f.post(author, "an axolotl spoiler");
        f.http.postJson("/api/v2/filters", viewer.token(), """
                {"title": "no spoilers", "context": ["public"], "filter_action": "hide",
                 "keywords_attributes": [{"keyword": "spoiler"}]}""");
        JsonNode status = search("axolotl&type=statuses", viewer).path("statuses").get(0);
        assertThat(status.path("id").asString()).isEqualTo(found);
        MastodonSchemas.assertValid("FilterResult", status.path("filtered").get(0));
        assertThat(status.path("filtered").get(0).path("keyword_matches").get(0).asString()).isEqualTo("spoiler");
    }
}
