package social.caravan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.config.Config;
import social.caravan.support.Community;
import social.caravan.support.Community.User;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/** The profile directory over HTTP: who is listed, in which order, and for whom. */
class DirectoryApiTest {
    static Community c;

    @BeforeAll
    static void start() {
        c = new Community();
    }

    @AfterAll
    static void stop() {
        c.close();
    }

    private static List<String> directory(String query, String token) {
        JsonNode body = c.ok("/api/v1/directory?limit=80" + query, token);
        MastodonSchemas.assertValidArray("Account", body);
        return Community.ids(body);
    }

    @Test
    void discoverableAccountsMostRecentlyActiveFirstOrNewestFirst() {
        User early = c.user("early");
        User late = c.user("late");
        User silent = c.user("silent");
        User hidden = c.user("hidden");
        c.post(late, "posting first");
        c.post(early, "posting last");
        c.post(hidden, "posting but not discoverable");
        Http.Response r = c.http.patchJson("/api/v1/accounts/update_credentials", hidden.token(), "{\"discoverable\":false}");
        assertThat(r.status()).isEqualTo(200);

        List<String> active = directory("", null);
        assertThat(active).containsSubsequence(early.sid(), late.sid(), silent.sid()).doesNotContain(hidden.sid());
        assertThat(active.indexOf(early.sid())).as("the latest poster leads").isZero();
        assertThat(directory("&order=active", null)).isEqualTo(active);
        assertThat(directory("&order=whatever", null)).isEqualTo(active);

        List<String> newest = directory("&order=new", null);
        assertThat(newest).containsSubsequence(silent.sid(), late.sid(), early.sid()).doesNotContain(hidden.sid());
        assertThat(directory("&order=new&local=true", null)).isEqualTo(newest);

        // offset and limit page through the same order.
        assertThat(directory("&order=new&offset=1", null)).isEqualTo(newest.subList(1, newest.size()));
        assertThat(Community.ids(c.ok("/api/v1/directory?order=new&limit=2", null))).isEqualTo(newest.subList(0, 2));
        assertThat(c.ok("/api/v1/directory?limit=0", null)).isEmpty();
        assertThat(c.http.get("/api/v1/directory?offset=x").status()).isEqualTo(422);
    }

    @Test
    void aViewerDoesNotSeeWhomTheyBlockOrMuteOrWhoBlocksThem() {
        User viewer = c.user("viewer");
        User blocked = c.user("blocked");
        User blocker = c.user("blocker");
        User muted = c.user("muted");
        User other = c.user("other");
        c.act(viewer, blocked, "block");
        c.act(blocker, viewer, "block");
        c.act(viewer, muted, "mute");

        assertThat(directory("", viewer.token())).contains(viewer.sid(), other.sid())
                .doesNotContain(blocked.sid(), blocker.sid(), muted.sid());
        assertThat(directory("", null)).contains(blocked.sid(), blocker.sid(), muted.sid());
        assertThat(directory("", other.token())).contains(blocked.sid(), blocker.sid(), muted.sid());
        assertThat(c.http.get("/api/v1/directory", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void accountsAwaitingApprovalAreNotListed() {
        try (Community approval = new Community(Map.of("CARAVAN_REGISTRATIONS", "approval"))) {
            Http.Response signUp = approval.http.postJson("/api/v1/accounts", appToken(approval), """
                    {"username":"waiting","email":"waiting@example.com","password":"a long password","agreement":true,
                     "locale":"en"}""");
            assertThat(signUp.status()).as(signUp.toString()).isEqualTo(200);
            User approved = approval.user("approved");
            List<String> listed = Community.ids(approval.ok("/api/v1/directory", null));
            long waiting = approval.number("SELECT id FROM accounts WHERE username = 'waiting'");
            assertThat(listed).contains(approved.sid()).doesNotContain(Long.toString(waiting));
            assertThat(approval.server.app.config().registrations()).isEqualTo(Config.Registrations.APPROVAL);
        }
    }

    /** A client-credentials token, as an app signing someone up holds. */
    private static String appToken(Community community) {
        var auth = community.server.app.auth();
        long appId = auth.registerApp("signup", List.of("urn:ietf:wg:oauth:2.0:oob"), java.util.Set.of("read", "write"), null)
                .app().id();
        return auth.issueToken(appId, java.util.OptionalLong.empty(), java.util.Set.of("write")).accessToken();
    }
}
