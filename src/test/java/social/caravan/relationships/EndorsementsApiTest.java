package social.caravan.relationships;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Featured accounts: endorse (and its older names pin/unpin), the listings, and Relationship.endorsed. */
class EndorsementsApiTest {
    static TestServer server;
    static Http http;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(next|prev)\"");

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record User(long id, String name, String token) {
        String path(String verb) {
            return "/api/v1/accounts/" + id + "/" + verb;
        }
    }

    static User user(String prefix) {
        String name = prefix + NAMES.incrementAndGet();
        long id = server.createAccount(name);
        return new User(id, name, server.token(name, "read write"));
    }

    /** POSTs a relationship verb; returns the Relationship, checked against Mastodon's schema. */
    static JsonNode act(User actor, User target, String verb) {
        Http.Response r = http.postJson(target.path(verb), actor.token(), "{}");
        assertThat(r.status()).as("%s: %s", verb, r).isEqualTo(200);
        MastodonSchemas.assertValid("Relationship", r.body());
        assertThat(r.json().path("id").asString()).isEqualTo(Long.toString(target.id()));
        return r.json();
    }

    static boolean endorsed(User viewer, User target) {
        Http.Response r = http.get("/api/v1/accounts/relationships?id[]=" + target.id(), viewer.token());
        MastodonSchemas.assertValidArray("Relationship", r.body());
        return r.json().get(0).path("endorsed").asBoolean();
    }

    static List<String> names(Http.Response r) {
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

    @Test
    void endorsingAFollowedAccountShowsInTheRelationshipAndTheListings() {
        User me = user("me");
        User friend = user("friend");
        User other = user("other");
        act(me, friend, "follow");
        act(other, friend, "follow");

        assertThat(act(me, friend, "endorse").path("endorsed").asBoolean()).isTrue();
        assertThat(act(me, friend, "endorse").path("endorsed").asBoolean()).as("again: no change").isTrue();
        assertThat(endorsed(me, friend)).isTrue();
        assertThat(endorsed(other, friend)).as("endorsements are the viewer's own").isFalse();

        assertThat(names(http.get("/api/v1/endorsements", me.token()))).containsExactly(friend.name());
        assertThat(names(http.get("/api/v1/endorsements", other.token()))).isEmpty();
        assertThat(names(http.get(me.path("endorsements")))).as("public, without a token").containsExactly(friend.name());
        assertThat(names(http.get(me.path("endorsements"), other.token()))).containsExactly(friend.name());

        assertThat(act(me, friend, "unendorse").path("endorsed").asBoolean()).isFalse();
        assertThat(act(me, friend, "unendorse").path("endorsed").asBoolean()).as("again: no change").isFalse();
        assertThat(names(http.get("/api/v1/endorsements", me.token()))).isEmpty();

        // The names Mastodon kept from before 4.4.
        assertThat(act(me, friend, "pin").path("endorsed").asBoolean()).isTrue();
        assertThat(names(http.get(me.path("endorsements")))).containsExactly(friend.name());
        assertThat(act(me, friend, "unpin").path("endorsed").asBoolean()).isFalse();
        assertThat(names(http.get(me.path("endorsements")))).isEmpty();
    }

    @Test
    void onlyFollowedAccountsCanBeEndorsed() {
        User me = user("me");
        User stranger = user("stranger");
        User locked = user("locked");
        http.patchJson("/api/v1/accounts/update_credentials", locked.token(), "{\"locked\":true}");
        String notFollowing = "Validation failed: You must be already following the person you want to endorse";

        assertError(http.postJson(stranger.path("endorse"), me.token(), "{}"), 422, notFollowing);
        assertError(http.postJson(stranger.path("pin"), me.token(), "{}"), 422, notFollowing);
        assertError(http.postJson(me.path("endorse"), me.token(), "{}"), 422, notFollowing);
        assertThat(act(me, locked, "follow").path("requested").asBoolean()).isTrue();
        assertError(http.postJson(locked.path("endorse"), me.token(), "{}"), 422, notFollowing);
        assertError(http.postJson("/api/v1/accounts/404404404/endorse", me.token(), "{}"), 404, "Record not found");
        assertError(http.postJson("/api/v1/accounts/nope/unendorse", me.token(), "{}"), 404, "Record not found");
        assertError(http.get("/api/v1/accounts/404404404/endorsements"), 404, "Record not found");
        assertThat(names(http.get("/api/v1/endorsements", me.token()))).isEmpty();
        assertThat(act(me, stranger, "unendorse").path("endorsed").asBoolean()).as("nothing to undo").isFalse();
    }

    @Test
    void anEndorsementEndsWithTheFollow() {
        User me = user("me");
        User unfollowed = user("unfollowed");
        User blocked = user("blocked");
        User blocker = user("blocker");
        for (User u : List.of(unfollowed, blocked, blocker)) {
            act(me, u, "follow");
            act(me, u, "endorse");
        }
        assertThat(names(http.get("/api/v1/endorsements", me.token())))
                .containsExactlyInAnyOrder(unfollowed.name(), blocked.name(), blocker.name());

        act(me, unfollowed, "unfollow");
        act(me, blocked, "block");
        act(blocker, me, "block");
        assertThat(names(http.get("/api/v1/endorsements", me.token()))).isEmpty();
        assertThat(act(me, unfollowed, "follow").path("endorsed").asBoolean()).as("following again does not endorse").isFalse();
    }

    @Test
    void endorsementsPageByAccountIdAndLimitZeroListsThemAll() {
        User me = user("me");
        List<User> featured = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            User u = user("featured");
            act(me, u, "follow");
            act(me, u, "endorse");
            featured.add(u);
        }
        String path = "/api/v1/endorsements";
        Http.Response first = http.get(path + "?limit=2", me.token());
        assertThat(names(first)).containsExactly(featured.get(4).name(), featured.get(3).name());
        Map<String, String> links = links(first);
        assertThat(links.get("next")).isEqualTo(server.baseUrl + path + "?limit=2&max_id=" + featured.get(3).id());
        assertThat(links.get("prev")).isEqualTo(server.baseUrl + path + "?limit=2&min_id=" + featured.get(4).id());
        Http.Response second = http.get(links.get("next"), me.token());
        assertThat(names(second)).containsExactly(featured.get(2).name(), featured.get(1).name());
        assertThat(names(http.get(links(second).get("next"), me.token()))).containsExactly(featured.get(0).name());
        assertThat(names(http.get(path + "?since_id=" + featured.get(3).id(), me.token()))).containsExactly(featured.get(4).name());

        Http.Response all = http.get(path + "?limit=0", me.token());
        assertThat(names(all)).hasSize(5);
        assertThat(all.header("Link")).isNull();

        String publicPath = me.path("endorsements");
        Http.Response publicPage = http.get(publicPath + "?limit=3");
        assertThat(names(publicPage)).containsExactly(featured.get(4).name(), featured.get(3).name(), featured.get(2).name());
        assertThat(links(publicPage).get("next")).isEqualTo(server.baseUrl + publicPath + "?limit=3&max_id=" + featured.get(2).id());
    }

    @Test
    void theEndpointsNeedTheAccountScopes() {
        User me = user("me");
        User friend = user("friend");
        act(me, friend, "follow");
        String readOnly = server.token(me.name(), "read:accounts");
        String writeOnly = server.token(me.name(), "write:accounts");
        String follows = server.token(me.name(), "read:follows write:follows");

        for (String verb : List.of("endorse", "unendorse", "pin", "unpin")) {
            assertThat(http.postJson(friend.path(verb), null, "{}").status()).as(verb).isEqualTo(401);
            assertThat(http.postJson(friend.path(verb), readOnly, "{}").status()).as(verb).isEqualTo(403);
            assertThat(http.postJson(friend.path(verb), follows, "{}").status()).as(verb).isEqualTo(403);
            assertThat(http.postJson(friend.path(verb), writeOnly, "{}").status()).as(verb).isEqualTo(200);
        }
        assertThat(http.get("/api/v1/endorsements").status()).isEqualTo(401);
        assertThat(http.get("/api/v1/endorsements", writeOnly).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/endorsements", readOnly).status()).isEqualTo(200);
        assertThat(http.get(me.path("endorsements"), writeOnly).status()).as("a token must read accounts").isEqualTo(403);
        assertThat(http.get(me.path("endorsements"), readOnly).status()).isEqualTo(200);
        assertThat(http.get(me.path("endorsements"), server.token(me.name(), "read")).status()).isEqualTo(200);
    }
}
