package social.caravan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
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

/**
 * Trends over HTTP. Trends are global, so the tag test posts no favourites and the status test
 * posts no hashtags: each listing is the one test's own.
 */
class TrendsApiTest {
    static Community c;
    /** Enough people for Mastodon's thresholds (five accounts, five interactions). */
    static List<User> crowd = new ArrayList<>();

    @BeforeAll
    static void start() {
        c = new Community();
        for (int i = 0; i < 8; i++) {
            crowd.add(c.user("crowd"));
        }
    }

    @AfterAll
    static void stop() {
        c.close();
    }

    /** {@code people} of the crowd post a public status with the tag, {@code ago} hours ago. */
    private static void use(String tag, int people, int hoursAgo, String visibility) {
        for (int i = 0; i < people; i++) {
            String id = c.post(crowd.get(i), "about #" + tag, visibility);
            if (hoursAgo > 0) {
                c.sql("UPDATE statuses SET created_at = now() - make_interval(hours => ?) WHERE id = ?", hoursAgo,
                        Long.parseLong(id));
            }
        }
    }

    private static List<String> names(JsonNode tags) {
        MastodonSchemas.assertValidArray("Tag", tags);
        List<String> names = new ArrayList<>();
        tags.forEach(t -> names.add(t.path("name").asString()));
        return names;
    }

    @Test
    void tagsTrendWhenMoreAccountsUseThemTodayThanYesterday() {
        use("rising", 6, 0, "public");
        use("surging", 8, 0, "public");
        use("steady", 6, 0, "public");
        use("steady", 6, 30, "public");
        use("fewpeople", 4, 0, "public");
        use("hidden", 7, 0, "private");
        use("quiet", 7, 0, "unlisted");
        use("yesterday", 7, 30, "public");
        use("oldnews", 7, 60, "public");
        // One account posting many times is still one account.
        for (int i = 0; i < 6; i++) {
            c.post(crowd.get(0), "again #spammy");
        }

        assertThat(names(c.ok("/api/v1/trends/tags", null))).containsExactly("surging", "rising");
        assertThat(names(c.ok("/api/v1/trends", null))).as("the older alias").containsExactly("surging", "rising");

        // Each tag's history shows today's use; a signed-in viewer sees whether they follow it.
        User fan = crowd.get(7);
        assertThat(c.http.postJson("/api/v1/tags/rising/follow", fan.token(), "{}").status()).isEqualTo(200);
        JsonNode signedIn = c.ok("/api/v1/trends/tags", fan.token());
        assertThat(signedIn.get(0).path("history").get(0).path("accounts").asString()).isEqualTo("8");
        assertThat(signedIn.get(0).path("following").asBoolean(true)).isFalse();
        assertThat(signedIn.get(1).path("following").asBoolean()).isTrue();
        assertThat(c.ok("/api/v1/trends/tags", null).get(0).has("following")).isFalse();

        // Offset paging with Mastodon's links.
        Http.Response first = c.http.get("/api/v1/trends/tags?limit=1");
        assertThat(names(first.json())).containsExactly("surging");
        Map<String, String> links = Community.links(first);
        assertThat(links).containsOnlyKeys("next");
        assertThat(links.get("next")).isEqualTo(c.server.baseUrl + "/api/v1/trends/tags?limit=1&offset=1");
        Http.Response second = c.http.get(links.get("next"));
        assertThat(names(second.json())).containsExactly("rising");
        assertThat(names(c.ok("/api/v1/trends/tags?offset=2", null))).isEmpty();
        assertThat(c.http.get("/api/v1/trends/tags?limit=0").json()).isEmpty();
        assertThat(c.http.get("/api/v1/trends/tags?offset=abc").status()).isEqualTo(422);
        assertThat(c.http.get("/api/v1/trends/tags?limit=abc").status()).isEqualTo(422);
        assertThat(c.http.get("/api/v1/trends/tags", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void statusesTrendByFavouritesAndBoostsDecayingWithAge() {
        User author = c.user("author");
        User quietAuthor = c.user("unlisted");
        c.http.patchJson("/api/v1/accounts/update_credentials", quietAuthor.token(), "{\"discoverable\":false}");
        String liked = c.post(author, "liked");
        String loved = c.post(author, "loved");
        String older = c.post(author, "older but loved");
        String tooFew = c.post(author, "four likes");
        String cw = c.post(author, Map.of("status", "behind a warning", "spoiler_text", "cw"));
        String sensitive = c.post(author, Map.of("status", "sensitive", "sensitive", true));
        String reply = c.post(author, Map.of("status", "a reply", "in_reply_to_id", liked));
        String undiscoverable = c.post(quietAuthor, "by someone not discoverable");
        String unlisted = c.post(author, "unlisted", "unlisted");
        String followersOnly = c.post(author, "followers only", "private");
        String ancient = c.post(author, "too old");
        for (int i = 0; i < 8; i++) {
            c.follow(crowd.get(i), author);
        }
        interact(liked, 5, "favourite");
        interact(loved, 6, "favourite");
        interact(loved, 2, "reblog");
        interact(older, 8, "favourite");
        interact(tooFew, 4, "favourite");
        for (String other : List.of(cw, sensitive, reply, undiscoverable, unlisted, followersOnly, ancient)) {
            interact(other, 8, "favourite");
        }
        // Twelve hours quarter the score: older's 7² / 4 = 12.25 falls below liked's 4² = 16.
        c.sql("UPDATE statuses SET created_at = now() - interval '12 hours' WHERE id = ?", Long.parseLong(older));
        c.sql("UPDATE statuses SET created_at = now() - interval '3 days' WHERE id = ?", Long.parseLong(ancient));

        JsonNode trending = c.ok("/api/v1/trends/statuses", null);
        MastodonSchemas.assertValidArray("Status", trending);
        assertThat(Community.ids(trending)).containsExactly(loved, liked, older);

        // What a viewer has excluded does not trend for them: their blocks and mutes, and blocks of them.
        User blocker = c.user("blocker");
        c.act(blocker, author, "block");
        assertThat(Community.ids(c.ok("/api/v1/trends/statuses", blocker.token()))).isEmpty();
        User muter = c.user("muter");
        c.act(muter, author, "mute");
        assertThat(Community.ids(c.ok("/api/v1/trends/statuses", muter.token()))).isEmpty();
        User blocked = c.user("blocked");
        c.act(author, blocked, "block");
        assertThat(Community.ids(c.ok("/api/v1/trends/statuses", blocked.token()))).isEmpty();
        JsonNode asFan = c.ok("/api/v1/trends/statuses", crowd.get(0).token());
        assertThat(Community.ids(asFan)).containsExactly(loved, liked, older);
        assertThat(asFan.get(0).path("favourited").asBoolean()).as("rendered for the viewer").isTrue();

        Http.Response paged = c.http.get("/api/v1/trends/statuses?limit=1&offset=2");
        assertThat(Community.ids(paged.json())).containsExactly(older);
        assertThat(Community.links(paged).get("prev")).isEqualTo(c.server.baseUrl + "/api/v1/trends/statuses?limit=1&offset=1");
        assertThat(Community.ids(c.ok("/api/v1/trends/statuses?limit=100", null))).hasSize(3);

        // A deleted post leaves the trends.
        c.http.send(c.http.request("/api/v1/statuses/" + loved).header("Authorization", "Bearer " + author.token())
                .DELETE().build());
        assertThat(Community.ids(c.ok("/api/v1/trends/statuses", null))).containsExactly(liked, older);
    }

    private static void interact(String statusId, int people, String verb) {
        for (int i = 0; i < people; i++) {
            c.onStatus(crowd.get(i), statusId, verb);
        }
    }

    @Test
    void linksAreAnEmptyListUntilPreviewCardsExist() {
        Http.Response r = c.http.get("/api/v1/trends/links");
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("TrendsLink", r.body());
        assertThat(r.json()).isEmpty();
        assertThat(Community.links(r).get("next")).isEqualTo(c.server.baseUrl + "/api/v1/trends/links?offset=10");
        assertThat(c.http.get("/api/v1/trends/links?limit=5&offset=20").header("Link"))
                .isEqualTo("<" + c.server.baseUrl + "/api/v1/trends/links?limit=5&offset=25>; rel=\"next\", <"
                        + c.server.baseUrl + "/api/v1/trends/links?limit=5&offset=15>; rel=\"prev\"");
        assertThat(c.http.get("/api/v1/trends/links?limit=x").status()).isEqualTo(422);
    }
}
