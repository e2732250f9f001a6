package social.caravan.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** GET /api/v1/accounts?id[]=: several accounts at once. */
class AccountsManyApiTest {
    static TestServer server;
    static Http http;
    static long alice;
    static long bob;
    static long pending;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        alice = server.createAccount("alice");
        bob = server.createAccount("bob");
        pending = server.createAccount("pending");
        // A sign-up still waiting for a moderator, as CARAVAN_REGISTRATIONS=approval leaves it.
        server.app.database().jdbi().useHandle(h -> h.execute("UPDATE users SET approved = false WHERE account_id = ?",
                pending));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<String> ids(JsonNode accounts) {
        List<String> ids = new ArrayList<>();
        accounts.forEach(a -> ids.add(a.path("id").asString()));
        return ids;
    }

    @Test
    void returnsTheAccountsAskedForInTheirOrder() {
        Http.Response r = http.get("/api/v1/accounts?id[]=" + bob + "&id[]=" + alice + "&id[]=" + bob);
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Account", r.body());
        assertThat(ids(r.json())).containsExactly(Long.toString(bob), Long.toString(alice));
        assertThat(r.json().get(0).path("username").asString()).isEqualTo("bob");
    }

    @Test
    void unknownIdsAndPendingSignUpsAreLeftOut() {
        Http.Response r = http.get("/api/v1/accounts?id[]=" + alice + "&id[]=999&id[]=nonsense&id[]=" + pending);
        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r.json())).containsExactly(Long.toString(alice));
        Http.Response none = http.get("/api/v1/accounts");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json()).isEmpty();
    }

    @Test
    void atMostFortyAccounts() {
        StringBuilder query = new StringBuilder("?id[]=" + alice);
        for (int i = 1; i <= 40; i++) {
            query.append("&id[]=").append(1000 + i);
        }
        Http.Response r = http.get("/api/v1/accounts" + query);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("error").asString()).isEqualTo("Mastodon::ValidationError");
        assertThat(http.get("/api/v1/accounts" + query.substring(query.indexOf("&") + 1).replaceFirst("^", "?"))
                .status()).isEqualTo(200);
    }

    @Test
    void aTokenMustReadAccountsAndBlocksHideNothing() {
        String path = "/api/v1/accounts?id[]=" + alice;
        assertThat(http.get(path, server.token("bob", "read:accounts")).status()).isEqualTo(200);
        assertThat(http.get(path, server.token("bob", "read")).status()).isEqualTo(200);
        Http.Response wrongScope = http.get(path, server.token("bob", "read:statuses"));
        assertThat(wrongScope.status()).isEqualTo(403);
        assertThat(wrongScope.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");
        assertThat(http.get(path, "no-such-token").status()).isEqualTo(401);

        String aliceToken = server.token("alice", "read follow");
        assertThat(http.postJson("/api/v1/accounts/" + bob + "/block", aliceToken, "").status()).isEqualTo(200);
        Http.Response blocked = http.get("/api/v1/accounts?id[]=" + alice, server.token("bob", "read"));
        assertThat(ids(blocked.json())).as("profiles are public, as with /api/v1/accounts/:id")
                .containsExactly(Long.toString(alice));
    }
}
