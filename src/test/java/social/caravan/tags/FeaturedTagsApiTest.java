package social.caravan.tags;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Community;
import social.caravan.support.Community.User;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/** Featured tags over HTTP: featuring, the limit of ten, counts, removal, suggestions, and who may do what. */
class FeaturedTagsApiTest {
    static Community c;

    @BeforeAll
    static void start() {
        c = new Community();
    }

    @AfterAll
    static void stop() {
        c.close();
    }

    private static Http.Response feature(User u, String name) {
        return c.http.postJson("/api/v1/featured_tags", u.token(), "{\"name\":\"" + name + "\"}");
    }

    private static JsonNode featured(User u, String name) {
        Http.Response r = feature(u, name);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("FeaturedTag", r.body());
        return r.json();
    }

    private static Http.Response delete(String path, String token) {
        HttpRequest.Builder b = c.http.request(path).DELETE();
        return c.http.send((token == null ? b : b.header("Authorization", "Bearer " + token)).build());
    }

    private static JsonNode list(User u) {
        JsonNode list = c.ok("/api/v1/featured_tags", u.token());
        MastodonSchemas.assertValidArray("FeaturedTag", list);
        return list;
    }

    @Test
    void aFeaturedTagCountsTheAccountsPublicAndUnlistedPosts() {
        User ann = c.user("ann");
        User bob = c.user("bob");
        JsonNode made = featured(ann, "#Caravan");
        assertThat(made.path("name").asString()).isEqualTo("Caravan");
        assertThat(made.path("statuses_count").asString()).isEqualTo("0");
        assertThat(made.path("last_status_at").isNull()).isTrue();
        assertThat(made.path("url").asString()).isEqualTo(c.server.baseUrl + "/@" + ann.name() + "/tagged/caravan");

        c.post(ann, "on the road #caravan");
        c.post(ann, "quietly #caravan", "unlisted");
        c.post(ann, "friends only #caravan", "private");
        c.post(bob, "someone else's #caravan");
        c.onStatus(bob, c.post(ann, "boosted #caravan"), "reblog");

        JsonNode listed = list(ann);
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("id").asString()).isEqualTo(made.path("id").asString());
        assertThat(listed.get(0).path("statuses_count").asString()).isEqualTo("3");
        assertThat(listed.get(0).path("last_status_at").asString()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());

        // Anyone may see an account's featured tags, without a token.
        JsonNode theirs = c.ok("/api/v1/accounts/" + ann.id() + "/featured_tags", null);
        MastodonSchemas.assertValidArray("FeaturedTag", theirs);
        assertThat(theirs).isEqualTo(listed);
        assertThat(c.ok("/api/v1/accounts/" + bob.id() + "/featured_tags", null)).isEmpty();
        assertThat(c.http.get("/api/v1/accounts/99999999/featured_tags").status()).isEqualTo(404);
        assertThat(c.http.get("/api/v1/accounts/nonsense/featured_tags").status()).isEqualTo(404);
    }

    @Test
    void featuredTagsComeMostUsedFirst() {
        User u = c.user("ordered");
        featured(u, "rarely");
        featured(u, "often");
        c.post(u, "#often");
        c.post(u, "#often again");
        c.post(u, "#rarely");
        List<String> names = new ArrayList<>();
        list(u).forEach(t -> names.add(t.path("name").asString()));
        assertThat(names).containsExactly("often", "rarely");
    }

    @Test
    void tenAtMostEachOnceWithMastodonsMessages() {
        User u = c.user("collector");
        JsonNode first = featured(u, "tag0");
        for (int i = 1; i < 10; i++) {
            featured(u, "tag" + i);
        }
        Http.Response eleventh = feature(u, "tag10");
        assertThat(eleventh.status()).isEqualTo(422);
        assertThat(eleventh.json().path("error").asString())
                .isEqualTo("Validation failed: You have already featured the maximum number of hashtags");
        assertThat(featured(u, "tag0").path("id").asString()).as("the same name again is the one there is")
                .isEqualTo(first.path("id").asString());
        Http.Response otherCase = feature(u, "TAG0");
        assertThat(otherCase.status()).isEqualTo(422);
        assertThat(otherCase.json().path("error").asString()).isEqualTo("Validation failed: Name has already been taken");
        assertThat(list(u)).hasSize(10);

        User v = c.user("bad");
        Http.Response invalid = feature(v, "not-a-tag");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().path("error").asString()).isEqualTo("Validation failed: Name is invalid");
        assertThat(feature(v, "#").json().path("error").asString()).isEqualTo("Validation failed: Name can't be blank");
        Http.Response missing = c.http.postJson("/api/v1/featured_tags", v.token(), "{}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("error").asString()).isEqualTo("Missing required parameter: name");
        assertThat(list(v)).isEmpty();
        assertThat(c.number("SELECT count(*) FROM tags WHERE name = 'not-a-tag'")).isZero();
    }

    @Test
    void onlyTheOwnerRemovesAFeaturedTag() {
        User owner = c.user("owner");
        User other = c.user("other");
        String id = featured(owner, "mine").path("id").asString();
        Http.Response notTheirs = delete("/api/v1/featured_tags/" + id, other.token());
        assertThat(notTheirs.status()).isEqualTo(404);
        assertThat(notTheirs.json().path("error").asString()).isEqualTo("Record not found");
        assertThat(list(owner)).hasSize(1);

        Http.Response removed = delete("/api/v1/featured_tags/" + id, owner.token());
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body()).isEqualTo("{}");
        assertThat(list(owner)).isEmpty();
        assertThat(delete("/api/v1/featured_tags/" + id, owner.token()).status()).isEqualTo(404);
        assertThat(delete("/api/v1/featured_tags/abc", owner.token()).status()).isEqualTo(404);
    }

    @Test
    void suggestionsAreRecentlyUsedTagsNotYetFeatured() {
        User u = c.user("suggested");
        c.post(u, "#alpha #beta");
        c.post(u, "#beta #gamma", "private");
        c.post(u, "#beta");
        c.post(c.user("stranger"), "#delta");
        featured(u, "gamma");

        JsonNode suggestions = c.ok("/api/v1/featured_tags/suggestions", u.token());
        MastodonSchemas.assertValidArray("Tag", suggestions);
        List<String> names = new ArrayList<>();
        suggestions.forEach(t -> names.add(t.path("name").asString()));
        assertThat(names).containsExactly("beta", "alpha");
        assertThat(suggestions.get(0).path("featuring").asBoolean(true)).isFalse();
    }

    @Test
    void featuringThroughTheTagsRoutes() {
        User u = c.user("tagfeature");
        Http.Response r = c.http.postJson("/api/v1/tags/Photography/feature", u.token(), "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        MastodonSchemas.assertValid("Tag", r.body());
        assertThat(r.json().path("featuring").asBoolean()).isTrue();
        assertThat(c.http.postJson("/api/v1/tags/photography/feature", u.token(), "{}").json().path("featuring").asBoolean())
                .as("again, in any case").isTrue();
        assertThat(list(u)).hasSize(1);
        Http.Response off = c.http.postJson("/api/v1/tags/photography/unfeature", u.token(), "{}");
        assertThat(off.json().path("featuring").asBoolean()).isFalse();
        assertThat(list(u)).isEmpty();
        assertThat(c.http.postJson("/api/v1/tags/no-tag/feature", u.token(), "{}").status()).isEqualTo(404);
        assertThat(c.http.postJson("/api/v1/tags/photography/feature", c.token(u, "read"), "{}").status()).isEqualTo(403);
    }

    @Test
    void scopesAndTokens() {
        User u = c.user("scopes");
        String id = featured(u, "scoped").path("id").asString();
        assertThat(c.http.get("/api/v1/featured_tags").status()).isEqualTo(401);
        assertThat(c.http.get("/api/v1/featured_tags", c.token(u, "write")).status()).isEqualTo(403);
        assertThat(c.http.get("/api/v1/featured_tags", c.token(u, "read:accounts")).status()).isEqualTo(200);
        assertThat(c.http.get("/api/v1/featured_tags/suggestions").status()).isEqualTo(401);
        assertThat(c.http.get("/api/v1/featured_tags/suggestions", c.token(u, "read:statuses")).status()).isEqualTo(403);
        assertThat(c.http.postJson("/api/v1/featured_tags", null, "{\"name\":\"x\"}").status()).isEqualTo(401);
        assertThat(c.http.postJson("/api/v1/featured_tags", c.token(u, "read"), "{\"name\":\"x\"}").status()).isEqualTo(403);
        assertThat(c.http.postJson("/api/v1/featured_tags", c.token(u, "write:accounts"), "{\"name\":\"x\"}").status())
                .isEqualTo(200);
        assertThat(delete("/api/v1/featured_tags/" + id, null).status()).isEqualTo(401);
        assertThat(delete("/api/v1/featured_tags/" + id, c.token(u, "read")).status()).isEqualTo(403);
        assertThat(list(u)).hasSize(2);
    }
}
