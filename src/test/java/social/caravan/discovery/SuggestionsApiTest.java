package social.caravan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Follow suggestions over HTTP: friends of friends, the most followed, what is never suggested, dismissal. */
class SuggestionsApiTest {
    static Community c;

    @BeforeAll
    static void start() {
        c = new Community();
    }

    @AfterAll
    static void stop() {
        c.close();
    }

    private static JsonNode v2(User viewer) {
        JsonNode body = c.ok("/api/v2/suggestions?limit=80", viewer.token());
        MastodonSchemas.assertValidArray("Suggestion", body);
        return body;
    }

    private static List<String> accountIds(JsonNode suggestions) {
        List<String> ids = new ArrayList<>();
        suggestions.forEach(s -> ids.add(s.path("account").path("id").asString()));
        return ids;
    }

    private static JsonNode find(JsonNode suggestions, User u) {
        for (JsonNode s : suggestions) {
            if (s.path("account").path("id").asString().equals(u.sid())) {
                return s;
            }
        }
        throw new AssertionError(u.name() + " is not suggested: " + suggestions);
    }

    @Test
    void friendsOfFriendsComeFirstThenTheMostFollowed() {
        User viewer = c.user("viewer");
        User f1 = c.user("friend");
        User f2 = c.user("friend");
        User both = c.user("both");
        User one = c.user("one");
        User popular = c.user("popular");
        User nobody = c.user("nobody");
        c.follow(viewer, f1);
        c.follow(viewer, f2);
        c.follow(f1, both);
        c.follow(f2, both);
        c.follow(f1, one);
        for (User fan : List.of(c.user("fan"), c.user("fan"), c.user("fan"))) {
            c.follow(fan, popular);
        }

        JsonNode suggestions = v2(viewer);
        List<String> ids = accountIds(suggestions);
        assertThat(ids.subList(0, 2)).as("followed by two of the viewer's follows, then by one").containsExactly(both.sid(), one.sid());
        assertThat(ids).contains(popular.sid())
                .doesNotContain(viewer.sid(), f1.sid(), f2.sid(), nobody.sid());
        assertThat(ids.indexOf(popular.sid())).isGreaterThan(1);

        JsonNode first = find(suggestions, both);
        assertThat(first.path("source").asString()).isEqualTo("past_interactions");
        List<String> sources = new ArrayList<>();
        first.path("sources").forEach(s -> sources.add(s.asString()));
        assertThat(sources).containsExactly("friends_of_friends", "most_followed");
        assertThat(find(suggestions, popular).path("source").asString()).isEqualTo("global");
        assertThat(find(suggestions, popular).path("sources").get(0).asString()).isEqualTo("most_followed");

        // The v1 shape: the accounts alone, in the same order; and the limit.
        JsonNode v1 = c.ok("/api/v1/suggestions?limit=80", viewer.token());
        MastodonSchemas.assertValidArray("Account", v1);
        assertThat(Community.ids(v1)).isEqualTo(ids);
        assertThat(accountIds(c.ok("/api/v2/suggestions?limit=1", viewer.token()))).containsExactly(both.sid());
        assertThat(c.ok("/api/v2/suggestions?limit=0", viewer.token())).isEmpty();
    }

    @Test
    void blockedMutedRequestedHiddenAndDismissedAccountsAreNeverSuggested() {
        User viewer = c.user("viewer");
        User friend = c.user("friend");
        c.follow(viewer, friend);
        User blocked = c.user("blocked");
        User blocking = c.user("blocking");
        User muted = c.user("muted");
        User undiscoverable = c.user("undiscoverable");
        User requested = c.user("requested");
        User dismissed = c.user("dismissed");
        User fine = c.user("fine");
        for (User u : List.of(blocked, blocking, muted, undiscoverable, requested, dismissed, fine)) {
            c.follow(friend, u);
        }
        c.act(viewer, blocked, "block");
        c.act(blocking, viewer, "block");
        c.act(viewer, muted, "mute");
        Http.Response hide = c.http.patchJson("/api/v1/accounts/update_credentials", undiscoverable.token(),
                "{\"discoverable\":false}");
        assertThat(hide.status()).isEqualTo(200);
        Http.Response lock = c.http.patchJson("/api/v1/accounts/update_credentials", requested.token(), "{\"locked\":true}");
        assertThat(lock.status()).isEqualTo(200);
        c.follow(viewer, requested);

        assertThat(accountIds(v2(viewer))).contains(dismissed.sid(), fine.sid());
        Http.Response dismiss = c.http.send(c.http.request("/api/v1/suggestions/" + dismissed.id())
                .header("Authorization", "Bearer " + viewer.token()).DELETE().build());
        assertThat(dismiss.status()).isEqualTo(200);
        assertThat(dismiss.body()).isEqualTo("{}");

        List<String> ids = accountIds(v2(viewer));
        assertThat(ids).contains(fine.sid())
                .doesNotContain(blocked.sid(), blocking.sid(), muted.sid(), undiscoverable.sid(), requested.sid(),
                        dismissed.sid());
        assertThat(accountIds(v2(c.user("someone")))).as("a dismissal is the viewer's own").contains(dismissed.sid());

        // Dismissing an account that does not exist answers as Mastodon does, and writes nothing.
        Http.Response unknown = c.http.send(c.http.request("/api/v1/suggestions/12345")
                .header("Authorization", "Bearer " + viewer.token()).DELETE().build());
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(c.number("SELECT count(*) FROM suggestion_dismissals WHERE account_id = ?", viewer.id())).isEqualTo(1);
    }

    @Test
    void suggestionsNeedAUserTokenWithTheReadScope() {
        User u = c.user("scopes");
        for (String path : List.of("/api/v2/suggestions", "/api/v1/suggestions")) {
            assertThat(c.http.get(path).status()).isEqualTo(401);
            assertThat(c.http.get(path, c.token(u, "write")).status()).isEqualTo(403);
            assertThat(c.http.get(path, c.token(u, "read:accounts")).status()).as("Mastodon asks for read itself").isEqualTo(403);
            assertThat(c.http.get(path, c.token(u, "read")).status()).isEqualTo(200);
        }
        Http.Response noToken = c.http.send(c.http.request("/api/v1/suggestions/" + u.id()).DELETE().build());
        assertThat(noToken.status()).isEqualTo(401);
        Http.Response writeOnly = c.http.send(c.http.request("/api/v1/suggestions/" + u.id())
                .header("Authorization", "Bearer " + c.token(u, "write")).DELETE().build());
        assertThat(writeOnly.status()).isEqualTo(403);
        assertThat(c.http.get("/api/v2/suggestions?limit=many", u.token()).status()).isEqualTo(422);
    }
}
