package social.caravan.filters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.ApiFixture;
import social.caravan.support.ApiFixture.Person;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/**
 * Filters at work: {@code filtered} on statuses wherever they are shown to their owner, and
 * {@code hide} filters removing statuses from the places their context names.
 */
class FilterApplyTest {
    static ApiFixture f;

    @BeforeAll
    static void start() {
        f = new ApiFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** Creates a filter with one keyword; returns its id. */
    static String filter(Person p, String keyword, boolean wholeWord, String action, String... contexts) {
        Http.Response r = f.http.postJson("/api/v2/filters", p.token(), Json.write(Map.of("title", "about " + keyword,
                "context", List.of(contexts), "filter_action", action,
                "keywords_attributes", List.of(Map.of("keyword", keyword, "whole_word", wholeWord)))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static JsonNode find(Http.Response listing, String id) {
        for (JsonNode s : listing.json()) {
            if (s.path("id").asString().equals(id)) {
                return s;
            }
        }
        throw new AssertionError(id + " not in " + listing.body());
    }

    /** The filter results of a rendered status, each checked against Mastodon's FilterResult schema. */
    static JsonNode filtered(JsonNode status) {
        MastodonSchemas.assertValid("Status", status);
        JsonNode results = status.path("filtered");
        assertThat(results.isArray()).as(status.toString()).isTrue();
        results.forEach(r -> MastodonSchemas.assertValid("FilterResult", r));
        return results;
    }

    static List<String> matches(JsonNode status) {
        List<String> out = new ArrayList<>();
        filtered(status).forEach(r -> r.path("keyword_matches").forEach(m -> out.add(m.asString())));
        return out;
    }

    @Test
    void warnMarksStatusesInHomeAndEverywhereElseTheOwnerSeesThem() {
        Person reader = f.person("reader");
        Person friend = f.person("friend");
        f.follow(reader, friend);
        String id = filter(reader, "finale", true, "warn", "home");
        String spoiler = f.post(friend, "The FINALE was something!");
        String plain = f.post(friend, "nothing to see");

        Http.Response home = f.http.get("/api/v1/timelines/home", reader.token());
        assertThat(ApiFixture.ids(home)).containsExactly(plain, spoiler);
        JsonNode result = filtered(find(home, spoiler)).get(0);
        assertThat(result.path("filter").path("id").asString()).isEqualTo(id);
        assertThat(result.path("filter").path("filter_action").asString()).isEqualTo("warn");
        assertThat(result.path("filter").has("keywords")).as("rules are left out of a FilterResult").isFalse();
        assertThat(result.path("keyword_matches").get(0).asString()).as("the text as written").isEqualTo("FINALE");
        assertThat(result.path("status_matches").isNull()).isTrue();
        assertThat(filtered(find(home, plain))).isEmpty();

        // As on Mastodon, results are not limited to the filter's contexts: apps check the context.
        assertThat(matches(f.http.get("/api/v1/statuses/" + spoiler, reader.token()).json())).containsExactly("FINALE");
        assertThat(matches(find(f.http.get("/api/v1/accounts/" + friend.sid() + "/statuses", reader.token()), spoiler)))
                .containsExactly("FINALE");
        // Nobody else's view, and no signed-out view, carries the reader's filters.
        assertThat(filtered(f.http.get("/api/v1/statuses/" + spoiler, friend.token()).json())).isEmpty();
        assertThat(filtered(f.http.get("/api/v1/statuses/" + spoiler).json())).isEmpty();
    }

    @Test
    void hideRemovesStatusesOnlyWhereItsContextApplies() {
        Person reader = f.person("reader");
        Person friend = f.person("friend");
        f.follow(reader, friend);
        filter(reader, "crypto", false, "hide", "home");
        String hidden = f.post(friend, "all about #cryptocurrency");
        String kept = f.post(friend, "about gardens");

        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/home", reader.token()))).containsExactly(kept);
        Http.Response pub = f.http.get("/api/v1/timelines/public", reader.token());
        assertThat(filtered(find(pub, hidden)).get(0).path("filter").path("filter_action").asString()).isEqualTo("hide");
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/tag/cryptocurrency", reader.token()))).containsExactly(hidden);

        filter(reader, "cryptocurrency", true, "hide", "public");
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/public?limit=40", reader.token()))).doesNotContain(hidden)
                .contains(kept);
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/tag/cryptocurrency", reader.token()))).isEmpty();
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/tag/cryptocurrency", friend.token()))).containsExactly(hidden);
        // A status asked for by id is marked, never removed.
        assertThat(f.http.get("/api/v1/statuses/" + hidden, reader.token()).json().path("filtered").size()).isEqualTo(2);

        filter(reader, "gardens", true, "hide", "account");
        assertThat(ApiFixture.ids(f.http.get("/api/v1/accounts/" + friend.sid() + "/statuses", reader.token())))
                .containsExactly(hidden);
    }

    @Test
    void wholeWordKeywordsMatchOnlyWholeWordsAndMatchingIgnoresCase() {
        Person reader = f.person("reader");
        Person friend = f.person("friend");
        f.follow(reader, friend);
        filter(reader, "cat", true, "warn", "home");
        filter(reader, "dog", false, "warn", "home");
        filter(reader, "#tv", true, "warn", "home");
        String concatenate = f.post(friend, "concatenate the strings");
        String cat = f.post(friend, "my CAT!");
        String hotdog = f.post(friend, "hotdogs for lunch");
        String tvShow = f.post(friend, "tonight on #tv");
        String tvWord = f.post(friend, "the tv is off");
        String fish = f.post(friend, "fish & chips <b>please</b>");
        filter(reader, "fish & chips <b>", false, "warn", "home");

        Http.Response home = f.http.get("/api/v1/timelines/home?limit=40", reader.token());
        assertThat(matches(find(home, concatenate))).isEmpty();
        assertThat(matches(find(home, cat))).containsExactly("CAT");
        assertThat(matches(find(home, hotdog))).containsExactly("dog");
        assertThat(matches(find(home, tvShow))).containsExactly("#tv");
        assertThat(matches(find(home, tvWord))).as("#tv is not tv").isEmpty();
        assertThat(matches(find(home, fish))).as("matched on the text, not its HTML").containsExactly("fish & chips <b>");
    }

    @Test
    void contentWarningsAreMatchedAndExpiredFiltersDoNothing() {
        Person reader = f.person("reader");
        Person friend = f.person("friend");
        f.follow(reader, friend);
        String id = filter(reader, "spiders", true, "hide", "home");
        String warned = f.post(friend, Map.of("status", "look at this", "spoiler_text", "Spiders"));
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/home", reader.token()))).doesNotContain(warned);

        f.sql("UPDATE custom_filters SET expires_at = now() - interval '1 minute' WHERE id = ?", Long.parseLong(id));
        Http.Response home = f.http.get("/api/v1/timelines/home", reader.token());
        assertThat(ApiFixture.ids(home)).contains(warned);
        assertThat(filtered(find(home, warned))).isEmpty();
        assertThat(f.http.get("/api/v2/filters/" + id, reader.token()).json().path("expires_at").isString())
                .as("still listed").isTrue();

        assertThat(f.put("/api/v2/filters/" + id, reader.token(), "{\"expires_in\": 3600}").status()).isEqualTo(200);
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/home", reader.token()))).doesNotContain(warned);
    }

    @Test
    void boostsAreMatchedOnTheirOriginal() {
        Person reader = f.person("reader");
        Person friend = f.person("friend");
        Person stranger = f.person("stranger");
        f.follow(reader, friend);
        String original = f.post(stranger, "a thread about tax returns");
        String boost = f.boost(friend, original);
        filter(reader, "tax", true, "warn", "home");

        JsonNode shown = find(f.http.get("/api/v1/timelines/home", reader.token()), boost);
        assertThat(matches(shown)).containsExactly("tax");
        assertThat(matches(shown.path("reblog"))).containsExactly("tax");

        // A status filter on the original matches its boosts too.
        Http.Response made = f.http.postJson("/api/v2/filters", reader.token(),
                "{\"title\": \"that one\", \"context\": [\"home\"], \"filter_action\": \"hide\"}");
        String fid = made.json().path("id").asString();
        f.http.postJson("/api/v2/filters/" + fid + "/statuses", reader.token(), "{\"status_id\": \"" + original + "\"}");
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/home", reader.token()))).doesNotContain(boost);
        JsonNode alone = f.http.get("/api/v1/statuses/" + boost, reader.token()).json();
        JsonNode statusResult = null;
        for (JsonNode r : filtered(alone)) {
            if (r.path("filter").path("id").asString().equals(fid)) {
                statusResult = r;
            }
        }
        assertThat(statusResult).isNotNull();
        assertThat(statusResult.path("status_matches").get(0).asString()).isEqualTo(original);
        assertThat(statusResult.path("keyword_matches").isNull()).isTrue();
    }

    @Test
    void threadsApplyTheThreadContext() {
        Person reader = f.person("reader");
        Person author = f.person("author");
        String root = f.post(author, "a question");
        String rude = f.post(author, Map.of("status", "a rude answer", "in_reply_to_id", root));
        String kind = f.post(author, Map.of("status", "a kind answer", "in_reply_to_id", root));
        filter(reader, "rude", true, "hide", "thread");
        filter(reader, "kind", true, "warn", "thread");

        Http.Response context = f.http.get("/api/v1/statuses/" + root + "/context", reader.token());
        assertThat(context.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Context", context.body());
        List<String> descendants = new ArrayList<>();
        context.json().path("descendants").forEach(s -> descendants.add(s.path("id").asString()));
        assertThat(descendants).containsExactly(kind);
        assertThat(matches(context.json().path("descendants").get(0))).containsExactly("kind");

        Http.Response up = f.http.get("/api/v1/statuses/" + rude + "/context", reader.token());
        assertThat(up.json().path("ancestors").get(0).path("id").asString()).isEqualTo(root);
        // Others see the whole thread.
        assertThat(f.http.get("/api/v1/statuses/" + root + "/context", author.token()).json().path("descendants").size())
                .isEqualTo(2);
    }

    @Test
    void notificationsApplyTheNotificationsContext() {
        Person reader = f.person("reader");
        Person sender = f.person("sender");
        filter(reader, "buy now", false, "hide", "notifications");
        filter(reader, "meeting", true, "warn", "notifications");
        f.post(sender, "@" + reader.name() + " BUY NOW!");
        String invite = f.post(sender, "@" + reader.name() + " meeting at noon?");

        Http.Response v1 = f.http.get("/api/v1/notifications", reader.token());
        assertThat(v1.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Notification", v1.body());
        List<String> statusIds = new ArrayList<>();
        v1.json().forEach(n -> statusIds.add(n.path("status").path("id").asString()));
        assertThat(statusIds).containsExactly(invite);
        assertThat(matches(v1.json().get(0).path("status"))).containsExactly("meeting");

        Http.Response v2 = f.http.get("/api/v2/notifications", reader.token());
        MastodonSchemas.assertValid("GroupedNotificationsResults", v2.body());
        List<String> grouped = new ArrayList<>();
        v2.json().path("notification_groups").forEach(g -> grouped.add(g.path("status_id").asString()));
        assertThat(grouped).containsExactly(invite);
        assertThat(matches(v2.json().path("statuses").get(0))).containsExactly("meeting");

        // The hidden mention still reaches home, where that filter does not apply.
        f.follow(reader, sender);
        String again = f.post(sender, "@" + reader.name() + " buy now, last chance");
        assertThat(ApiFixture.ids(f.http.get("/api/v1/timelines/home", reader.token()))).contains(again);
    }
}
