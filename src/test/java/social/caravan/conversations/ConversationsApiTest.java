package social.caravan.conversations;

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
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Direct conversations over HTTP: who gets a row, read and unread, replies, deletes, paging and permissions. */
class ConversationsApiTest {
    static TestServer server;
    static Http http;
    static int counter;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record User(String name, long id, String token) {}

    /** A fresh account per use, so tests do not see each other's conversations. */
    static User user(String prefix) {
        String name = prefix + (++counter);
        long id = server.createAccount(name);
        return new User(name, id, server.token(name, "read write"));
    }

    static String dm(User from, String text) {
        return post(from, Map.of("status", text, "visibility", "direct"));
    }

    static String post(User from, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", from.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static JsonNode list(User u, String query) {
        Http.Response r = http.get("/api/v1/conversations" + query, u.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Conversation", r.body());
        return r.json();
    }

    static JsonNode list(User u) {
        return list(u, "");
    }

    static List<String> accts(JsonNode conversation) {
        List<String> names = new ArrayList<>();
        conversation.path("accounts").forEach(a -> names.add(a.path("acct").asString()));
        return names;
    }

    static Http.Response delete(String path, String token) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token).DELETE().build());
    }

    @Test
    void aDirectMessageBetweenTwoIsReadForTheSenderAndUnreadForTheRecipient() {
        User alice = user("alice");
        User bob = user("bob");
        String first = dm(alice, "@" + bob.name() + " psst");

        JsonNode mine = list(alice);
        assertThat(mine.size()).isEqualTo(1);
        assertThat(mine.get(0).path("unread").asBoolean()).isFalse();
        assertThat(accts(mine.get(0))).containsExactly(bob.name());
        assertThat(mine.get(0).path("last_status").path("id").asString()).isEqualTo(first);
        JsonNode theirs = list(bob);
        assertThat(theirs.size()).isEqualTo(1);
        assertThat(theirs.get(0).path("unread").asBoolean()).isTrue();
        assertThat(accts(theirs.get(0))).containsExactly(alice.name());
        assertThat(theirs.get(0).path("id").asString()).as("each participant has a row of their own")
                .isNotEqualTo(mine.get(0).path("id").asString());

        // The reply joins the same conversation: now alice has something unread, bob does not.
        String reply = post(bob, Map.of("status", "@" + alice.name() + " what?", "visibility", "direct", "in_reply_to_id", first));
        mine = list(alice);
        theirs = list(bob);
        assertThat(mine.size()).isEqualTo(1);
        assertThat(mine.get(0).path("unread").asBoolean()).isTrue();
        assertThat(mine.get(0).path("last_status").path("id").asString()).isEqualTo(reply);
        assertThat(theirs.size()).isEqualTo(1);
        assertThat(theirs.get(0).path("unread").asBoolean()).isFalse();

        Http.Response read = http.postJson("/api/v1/conversations/" + mine.get(0).path("id").asString() + "/read",
                alice.token(), "");
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Conversation", read.body());
        assertThat(read.json().path("unread").asBoolean()).isFalse();
        assertThat(read.json().path("last_status").path("id").asString()).isEqualTo(reply);
        assertThat(list(alice).get(0).path("unread").asBoolean()).isFalse();
    }

    @Test
    void threeParticipantsEachSeeTheOtherTwoAndAReplyToOneIsAConversationOfItsOwn() {
        User alice = user("alice");
        User bob = user("bob");
        User carol = user("carol");
        String first = dm(alice, "@" + bob.name() + " @" + carol.name() + " plans?");
        assertThat(accts(list(alice).get(0))).containsExactlyInAnyOrder(bob.name(), carol.name());
        assertThat(accts(list(bob).get(0))).containsExactlyInAnyOrder(alice.name(), carol.name());
        assertThat(accts(list(carol).get(0))).containsExactlyInAnyOrder(alice.name(), bob.name());

        // Bob answers alice alone: as on Mastodon, other participants make another conversation.
        String aside = post(bob, Map.of("status", "@" + alice.name() + " between us", "visibility", "direct",
                "in_reply_to_id", first));
        JsonNode mine = list(alice);
        assertThat(mine.size()).isEqualTo(2);
        assertThat(mine.get(0).path("last_status").path("id").asString()).isEqualTo(aside);
        assertThat(accts(mine.get(0))).containsExactly(bob.name());
        assertThat(accts(mine.get(1))).containsExactlyInAnyOrder(bob.name(), carol.name());
        JsonNode carols = list(carol);
        assertThat(carols.size()).as("carol is not in the aside").isEqualTo(1);
        assertThat(carols.get(0).path("last_status").path("id").asString()).isEqualTo(first);
    }

    @Test
    void nonParticipantsNeverSeeItAndCannotTouchIt() {
        User alice = user("alice");
        User bob = user("bob");
        User eve = user("eve");
        dm(alice, "@" + bob.name() + " secret");
        post(alice, Map.of("status", "@" + eve.name() + " a public mention is no conversation"));
        post(alice, Map.of("status", "@" + eve.name() + " nor a private one", "visibility", "private"));
        assertThat(list(eve).size()).isZero();

        String bobs = list(bob).get(0).path("id").asString();
        Http.Response read = http.postJson("/api/v1/conversations/" + bobs + "/read", eve.token(), "");
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.json().path("error").asString()).isEqualTo("Record not found");
        assertThat(delete("/api/v1/conversations/" + bobs, eve.token()).status()).isEqualTo(404);
        assertThat(list(bob).get(0).path("unread").asBoolean()).as("untouched").isTrue();
        assertThat(http.postJson("/api/v1/conversations/nonsense/read", bob.token(), "").status()).isEqualTo(404);
    }

    @Test
    void aRecipientWhoBlocksOrMutesTheSenderGetsNoConversation() {
        User alice = user("alice");
        User blocker = user("blocker");
        User muter = user("muter");
        assertThat(http.postJson("/api/v1/accounts/" + alice.id() + "/block", blocker.token(), "").status()).isEqualTo(200);
        assertThat(http.postJson("/api/v1/accounts/" + alice.id() + "/mute", muter.token(), "").status()).isEqualTo(200);
        dm(alice, "@" + blocker.name() + " @" + muter.name() + " hello?");
        assertThat(list(blocker).size()).isZero();
        assertThat(list(muter).size()).isZero();
        assertThat(accts(list(alice).get(0))).containsExactlyInAnyOrder(blocker.name(), muter.name());
    }

    @Test
    void deletingStatusesMovesTheLastStatusBackAndTheLastOneRemovesTheConversation() {
        User alice = user("alice");
        User bob = user("bob");
        String first = dm(alice, "@" + bob.name() + " one");
        String second = post(alice, Map.of("status", "@" + bob.name() + " two", "visibility", "direct", "in_reply_to_id", first));
        assertThat(list(bob).get(0).path("last_status").path("id").asString()).isEqualTo(second);

        assertThat(delete("/api/v1/statuses/" + second, alice.token()).status()).isEqualTo(200);
        assertThat(list(bob).get(0).path("last_status").path("id").asString()).isEqualTo(first);
        assertThat(list(alice).get(0).path("last_status").path("id").asString()).isEqualTo(first);

        assertThat(delete("/api/v1/statuses/" + first, alice.token()).status()).isEqualTo(200);
        assertThat(list(bob).size()).isZero();
        assertThat(list(alice).size()).isZero();
    }

    @Test
    void removingAConversationHidesItUntilTheThreadGoesOn() {
        User alice = user("alice");
        User bob = user("bob");
        String first = dm(alice, "@" + bob.name() + " hi");
        String id = list(bob).get(0).path("id").asString();

        Http.Response removed = delete("/api/v1/conversations/" + id, bob.token());
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body()).isEqualTo("{}");
        assertThat(list(bob).size()).isZero();
        assertThat(list(alice).size()).as("only bob's row went").isEqualTo(1);
        assertThat(delete("/api/v1/conversations/" + id, bob.token()).status()).isEqualTo(404);

        String more = post(alice, Map.of("status", "@" + bob.name() + " still there?", "visibility", "direct", "in_reply_to_id", first));
        JsonNode back = list(bob);
        assertThat(back.size()).isEqualTo(1);
        assertThat(back.get(0).path("last_status").path("id").asString()).isEqualTo(more);
        assertThat(back.get(0).path("unread").asBoolean()).isTrue();
    }

    @Test
    void pagesByLastStatusWithLinkHeaders() {
        User me = user("pager");
        List<String> lastStatuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            User other = user("friend");
            lastStatuses.add(dm(other, "@" + me.name() + " message " + i));
        }
        Http.Response first = http.get("/api/v1/conversations?limit=2", me.token());
        JsonNode page = first.json();
        assertThat(page.size()).isEqualTo(2);
        assertThat(page.get(0).path("last_status").path("id").asString()).isEqualTo(lastStatuses.get(2));
        assertThat(page.get(1).path("last_status").path("id").asString()).isEqualTo(lastStatuses.get(1));
        Map<String, String> links = links(first);
        String path = server.baseUrl + "/api/v1/conversations";
        assertThat(links.get("next")).isEqualTo(path + "?limit=2&max_id=" + lastStatuses.get(1));
        assertThat(links.get("prev")).isEqualTo(path + "?limit=2&min_id=" + lastStatuses.get(2));

        Http.Response second = http.get(links.get("next"), me.token());
        assertThat(second.json().size()).isEqualTo(1);
        assertThat(second.json().get(0).path("last_status").path("id").asString()).isEqualTo(lastStatuses.get(0));
        Http.Response end = http.get(links(second).get("next"), me.token());
        assertThat(end.json().size()).isZero();
        assertThat(end.header("Link")).isNull();
        JsonNode forward = list(me, "?limit=1&min_id=" + lastStatuses.get(0));
        assertThat(forward.get(0).path("last_status").path("id").asString()).isEqualTo(lastStatuses.get(1));
        assertThat(http.get("/api/v1/conversations?max_id=nope", me.token()).status()).isEqualTo(422);
    }

    @Test
    void tokensNeedTheRightScopes() {
        User alice = user("alice");
        User bob = user("bob");
        dm(alice, "@" + bob.name() + " scopes");
        String id = list(bob).get(0).path("id").asString();

        Http.Response anonymous = http.get("/api/v1/conversations");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("error").asString()).isEqualTo("The access token is invalid");
        assertThat(http.postJson("/api/v1/conversations/" + id + "/read", null, "").status()).isEqualTo(401);
        assertThat(http.get("/api/v1/conversations", server.token(bob.name(), "write")).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/conversations", server.token(bob.name(), "read:statuses")).status()).isEqualTo(200);
        String readOnly = server.token(bob.name(), "read");
        assertThat(http.postJson("/api/v1/conversations/" + id + "/read", readOnly, "").status()).isEqualTo(403);
        assertThat(delete("/api/v1/conversations/" + id, readOnly).status()).isEqualTo(403);
        assertThat(http.postJson("/api/v1/conversations/" + id + "/read", server.token(bob.name(), "write:conversations"), "")
                .status()).isEqualTo(200);
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
