package social.caravan.statuses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

class StatusesApiTest {
    static TestServer server;
    static Http http;
    static String alice;
    static String bob;
    static String carol;
    static long aliceId;
    static long bobId;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        aliceId = server.createAccount("alice");
        bobId = server.createAccount("bob");
        server.createAccount("carol");
        alice = server.token("alice", "read write");
        bob = server.token("bob", "read write");
        carol = server.token("carol", "read write");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode post(String token, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", token, Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", r.body());
        return r.json();
    }

    @Test
    void postRendersLinksMentionsAndTagsAndCountsForTheAuthor() {
        JsonNode status = post(alice, Map.of("status", "Hello @bob, see https://example.com/a/long/path/that/goes/on/and/on #Caravan\nbye",
                "language", "en"));
        String content = status.path("content").asString();
        assertThat(content).startsWith("<p>Hello <span class=\"h-card\" translate=\"no\"><a href=\"" + server.baseUrl
                + "/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>");
        assertThat(content).contains("<span class=\"invisible\">https://</span><span class=\"ellipsis\">")
                .contains("class=\"mention hashtag\" rel=\"tag\">#<span>Caravan</span></a><br />bye</p>");
        assertThat(status.path("mentions").get(0).path("acct").asString()).isEqualTo("bob");
        assertThat(status.path("tags").get(0).path("name").asString()).isEqualTo("caravan");
        assertThat(status.path("visibility").asString()).isEqualTo("public");
        assertThat(status.path("application").path("name").asString()).isEqualTo("Caravan command line");
        assertThat(status.has("text")).isFalse();
        assertThat(status.path("pinned").asBoolean()).isFalse();

        JsonNode me = http.get("/api/v1/accounts/verify_credentials", alice).json();
        assertThat(me.path("statuses_count").asInt()).isPositive();
        assertThat(me.path("last_status_at").asString()).matches("\\d{4}-\\d{2}-\\d{2}");
    }

    @Test
    void anyoneMaySeeAPublicStatusButOnlyTheRightPeopleSeePrivateAndDirectOnes() {
        String pub = post(alice, Map.of("status", "for everyone")).path("id").asString();
        String priv = post(alice, Map.of("status", "followers only", "visibility", "private")).path("id").asString();
        String direct = post(alice, Map.of("status", "just @bob", "visibility", "direct")).path("id").asString();

        assertThat(http.get("/api/v1/statuses/" + pub).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/statuses/" + pub, carol).status()).isEqualTo(200);
        for (String id : new String[] {priv, direct}) {
            Http.Response anonymous = http.get("/api/v1/statuses/" + id);
            assertThat(anonymous.status()).isEqualTo(404);
            assertThat(anonymous.json().path("error").asString()).isEqualTo("Record not found");
            assertThat(http.get("/api/v1/statuses/" + id, carol).status()).isEqualTo(404);
            assertThat(http.get("/api/v1/statuses/" + id, alice).status()).isEqualTo(200);
        }
        assertThat(http.get("/api/v1/statuses/" + direct, bob).status()).as("mentioned").isEqualTo(200);
        assertThat(http.get("/api/v1/statuses/" + priv, bob).status()).as("not a follower").isEqualTo(404);

        JsonNode many = http.get("/api/v1/statuses?id[]=" + priv + "&id[]=" + pub + "&id[]=" + direct, carol).json();
        assertThat(many.size()).isEqualTo(1);
        assertThat(many.get(0).path("id").asString()).isEqualTo(pub);
        // Nobody can reply to, favourite or boost what they cannot see.
        Http.Response reply = http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", "hi", "in_reply_to_id", priv)));
        assertThat(reply.status()).isEqualTo(422);
        assertThat(http.postJson("/api/v1/statuses/" + priv + "/favourite", carol, "{}").status()).isEqualTo(404);
        assertThat(http.postJson("/api/v1/statuses/" + direct + "/reblog", bob, "{}").status()).isEqualTo(422);
    }

    @Test
    void threadsCountsAndDeleteAndRedraft() {
        String root = post(alice, Map.of("status", "root")).path("id").asString();
        String reply = post(bob, Map.of("status", "@alice a reply", "in_reply_to_id", root)).path("id").asString();
        String hidden = post(bob, Map.of("status", "@alice secret", "in_reply_to_id", reply, "visibility", "direct")).path("id").asString();
        String deeper = post(alice, Map.of("status", "and on", "in_reply_to_id", reply)).path("id").asString();

        JsonNode context = http.get("/api/v1/statuses/" + reply + "/context", carol).json();
        MastodonSchemas.assertValid("Context", context);
        assertThat(context.path("ancestors").get(0).path("id").asString()).isEqualTo(root);
        assertThat(context.path("descendants").size()).as("the direct reply is not carol's to see").isEqualTo(1);
        assertThat(context.path("descendants").get(0).path("id").asString()).isEqualTo(deeper);
        assertThat(http.get("/api/v1/statuses/" + reply + "/context", alice).json().path("descendants").size()).isEqualTo(2);

        JsonNode rootView = http.get("/api/v1/statuses/" + root, carol).json();
        assertThat(rootView.path("replies_count").asInt()).isEqualTo(1);

        Http.Response notMine = http.send(http.request("/api/v1/statuses/" + reply).header("Authorization", "Bearer " + alice).DELETE().build());
        assertThat(notMine.status()).isEqualTo(404);
        Http.Response deleted = http.send(http.request("/api/v1/statuses/" + hidden).header("Authorization", "Bearer " + bob).DELETE().build());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().path("text").asString()).isEqualTo("@alice secret");
        assertThat(http.get("/api/v1/statuses/" + hidden, bob).status()).isEqualTo(404);
    }

    @Test
    void favouritesBoostsAndBookmarksKeepCountsAndFlagsRight() {
        String id = post(alice, Map.of("status", "like me")).path("id").asString();
        JsonNode fav = http.postJson("/api/v1/statuses/" + id + "/favourite", bob, "").json();
        assertThat(fav.path("favourited").asBoolean()).isTrue();
        assertThat(fav.path("favourites_count").asInt()).isEqualTo(1);
        assertThat(http.postJson("/api/v1/statuses/" + id + "/favourite", bob, "").json().path("favourites_count").asInt())
                .as("favouriting twice counts once").isEqualTo(1);
        assertThat(http.get("/api/v1/statuses/" + id, carol).json().path("favourited").asBoolean()).isFalse();

        JsonNode boost = http.postJson("/api/v1/statuses/" + id + "/reblog", bob, "{\"visibility\":\"unlisted\"}").json();
        MastodonSchemas.assertValid("Status", boost);
        assertThat(boost.path("reblog").path("id").asString()).isEqualTo(id);
        assertThat(boost.path("reblog").path("reblogged").asBoolean()).isTrue();
        assertThat(boost.path("reblog").path("reblogs_count").asInt()).isEqualTo(1);
        assertThat(boost.path("visibility").asString()).isEqualTo("unlisted");
        assertThat(http.postJson("/api/v1/statuses/" + id + "/reblog", bob, "").json().path("id").asString())
                .as("boosting twice returns the same boost").isEqualTo(boost.path("id").asString());

        JsonNode bookmarked = http.postJson("/api/v1/statuses/" + id + "/bookmark", carol, "").json();
        assertThat(bookmarked.path("bookmarked").asBoolean()).isTrue();

        JsonNode unboosted = http.postJson("/api/v1/statuses/" + id + "/unreblog", bob, "").json();
        assertThat(unboosted.path("reblogged").asBoolean()).isFalse();
        assertThat(unboosted.path("reblogs_count").asInt()).isZero();
        JsonNode unfav = http.postJson("/api/v1/statuses/" + id + "/unfavourite", bob, "").json();
        assertThat(unfav.path("favourites_count").asInt()).isZero();
        assertThat(http.get("/api/v1/statuses/" + boost.path("id").asString(), carol).status()).isEqualTo(404);
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() {
        long before = http.get("/api/v1/accounts/verify_credentials", carol).json().path("statuses_count").asLong();
        String tooLong = "x".repeat(478) + " https://example.com/" + "y".repeat(100);
        assertThat(TextFormatter.length(tooLong)).isEqualTo(502);
        Http.Response over = http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", tooLong)));
        assertThat(over.status()).isEqualTo(422);
        assertThat(over.json().path("error").asString()).contains("character limit of 500");
        String fits = "x".repeat(476) + " https://example.com/" + "y".repeat(1000);
        assertThat(http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", fits))).status())
                .as("a URL counts as 23 characters however long").isEqualTo(200);

        assertThat(http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", "  "))).status()).isEqualTo(422);
        Http.Response visibility = http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", "x", "visibility", "friends")));
        assertThat(visibility.status()).isEqualTo(422);
        assertThat(visibility.json().path("error").asString()).contains("Visibility");
        assertThat(http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", "x", "in_reply_to_id", "999"))).status())
                .isEqualTo(422);
        assertThat(http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", "x", "media_ids", java.util.List.of("1"))))
                .status()).isEqualTo(422);
        assertThat(http.postJson("/api/v1/statuses", server.token("carol", "read"), "{\"status\":\"x\"}").status()).isEqualTo(403);
        assertThat(http.get("/api/v1/statuses/abc").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/accounts/verify_credentials", carol).json().path("statuses_count").asLong())
                .isEqualTo(before + 1);
    }

    @Test
    void aPostMentioningMoreThanFiftyAccountsIsRefused() {
        // Profiles only (no sign-in, no key pair to make): all a mention needs.
        server.app.database().jdbi().useHandle(h -> h.execute(
                "INSERT INTO accounts (username, public_key) SELECT 'm' || i, '' FROM generate_series(0, ?) AS i",
                StatusService.MAX_MENTIONS));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= StatusService.MAX_MENTIONS; i++) {
            text.append("@m").append(i).append(' ');
        }
        long before = http.get("/api/v1/accounts/verify_credentials", carol).json().path("statuses_count").asLong();
        Http.Response refused = http.postJson("/api/v1/statuses", carol, Json.write(Map.of("status", text.toString())));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().path("error").asString()).contains("too many mentions");
        String fifty = text.substring(0, text.indexOf("@m" + StatusService.MAX_MENTIONS));
        JsonNode accepted = post(carol, Map.of("status", fifty));
        assertThat(accepted.path("mentions")).hasSize(StatusService.MAX_MENTIONS);
        assertThat(put("/api/v1/statuses/" + accepted.path("id").asString(), carol, Json.write(Map.of("status", text.toString())))
                .status()).as("an edit cannot add the fifty-first").isEqualTo(422);
        assertThat(http.get("/api/v1/accounts/verify_credentials", carol).json().path("statuses_count").asLong())
                .isEqualTo(before + 1);
    }

    @Test
    void theSameIdempotencyKeyPostsOnce() {
        var request = http.request("/api/v1/statuses").header("Authorization", "Bearer " + bob)
                .header("Content-Type", "application/json").header("Idempotency-Key", "abc-123")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":\"once\"}")).build();
        String first = http.send(request).json().path("id").asString();
        String second = http.send(request).json().path("id").asString();
        assertThat(second).isEqualTo(first);
    }

    static Http.Response put(String path, String token, String json) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void editsKeepAHistoryAndTheSource() {
        String id = post(alice, Map.of("status", "first draft", "spoiler_text", "cw")).path("id").asString();
        assertThat(http.get("/api/v1/statuses/" + id + "/history", carol).json().size()).as("never edited: one version").isEqualTo(1);

        Http.Response edited = put("/api/v1/statuses/" + id, alice, "{\"status\":\"second draft @bob\"}");
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", edited.body());
        assertThat(edited.json().path("edited_at").isNull()).isFalse();
        assertThat(edited.json().path("content").asString()).contains("second draft");
        assertThat(edited.json().path("spoiler_text").asString()).isEqualTo("cw");
        assertThat(edited.json().path("mentions").get(0).path("username").asString()).isEqualTo("bob");

        Http.Response history = http.get("/api/v1/statuses/" + id + "/history", carol);
        MastodonSchemas.assertValidArray("StatusEdit", history.body());
        assertThat(history.json().size()).isEqualTo(2);
        assertThat(history.json().get(0).path("content").asString()).contains("first draft");
        assertThat(history.json().get(1).path("content").asString()).contains("second draft");

        Http.Response source = http.get("/api/v1/statuses/" + id + "/source", alice);
        MastodonSchemas.assertValid("StatusSource", source.body());
        assertThat(source.json().path("text").asString()).isEqualTo("second draft @bob");
        assertThat(http.get("/api/v1/statuses/" + id + "/source", carol).status()).isEqualTo(404);
        assertThat(put("/api/v1/statuses/" + id, bob, "{\"status\":\"hijack\"}").status()).isEqualTo(404);
        assertThat(put("/api/v1/statuses/" + id, alice, "{\"status\":\"" + "z".repeat(501) + "\"}").status()).isEqualTo(422);
        assertThat(http.get("/api/v1/statuses/" + id, carol).json().path("content").asString())
                .as("a refused edit changes nothing").contains("second draft");
    }

    @Test
    void pinsAreLimitedToFiveOwnPosts() {
        String dave = "dave";
        server.createAccount(dave);
        String token = server.token(dave, "read write");
        String first = null;
        for (int i = 0; i < 6; i++) {
            String id = post(token, Map.of("status", "pin me " + i)).path("id").asString();
            if (first == null) {
                first = id;
            }
            Http.Response pin = http.postJson("/api/v1/statuses/" + id + "/pin", token, "");
            if (i < 5) {
                assertThat(pin.status()).as(pin.body()).isEqualTo(200);
                assertThat(pin.json().path("pinned").asBoolean()).isTrue();
            } else {
                assertThat(pin.status()).isEqualTo(422);
                assertThat(pin.json().path("error").asString()).contains("maximum number of posts");
            }
        }
        String others = post(alice, Map.of("status", "not yours")).path("id").asString();
        assertThat(http.postJson("/api/v1/statuses/" + others + "/pin", token, "").status()).isEqualTo(404);
        JsonNode unpinned = http.postJson("/api/v1/statuses/" + first + "/unpin", token, "").json();
        assertThat(unpinned.path("pinned").asBoolean()).isFalse();
        assertThat(http.get("/api/v1/statuses/" + first, carol).json().has("pinned"))
                .as("pinned is only shown to the author").isFalse();
    }

    @Test
    void participantsMuteAConversation() {
        String root = post(alice, Map.of("status", "a thread with @bob")).path("id").asString();
        String reply = post(bob, Map.of("status", "@alice sure", "in_reply_to_id", root)).path("id").asString();
        assertThat(http.postJson("/api/v1/statuses/" + reply + "/mute", carol, "").status()).isEqualTo(422);
        JsonNode muted = http.postJson("/api/v1/statuses/" + reply + "/mute", bob, "").json();
        assertThat(muted.path("muted").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/statuses/" + root, bob).json().path("muted").asBoolean())
                .as("the whole conversation is muted").isTrue();
        assertThat(http.get("/api/v1/statuses/" + root, alice).json().path("muted").asBoolean()).isFalse();
        assertThat(http.postJson("/api/v1/statuses/" + root + "/unmute", bob, "").json().path("muted").asBoolean()).isFalse();
    }

    @Test
    void favouritedByAndRebloggedByPageWithLinks() {
        String id = post(alice, Map.of("status", "popular")).path("id").asString();
        for (String name : new String[] {"fan1", "fan2", "fan3"}) {
            server.createAccount(name);
            String token = server.token(name, "read write");
            assertThat(http.postJson("/api/v1/statuses/" + id + "/favourite", token, "").status()).isEqualTo(200);
            assertThat(http.postJson("/api/v1/statuses/" + id + "/reblog", token, "").status()).isEqualTo(200);
        }
        Http.Response page = http.get("/api/v1/statuses/" + id + "/favourited_by?limit=2");
        MastodonSchemas.assertValidArray("Account", page.body());
        assertThat(page.json().size()).isEqualTo(2);
        assertThat(page.json().get(0).path("username").asString()).isEqualTo("fan3");
        String link = page.header("Link");
        String next = link.substring(1, link.indexOf('>'));
        Http.Response rest = http.get(next);
        assertThat(rest.json().size()).isEqualTo(1);
        assertThat(rest.json().get(0).path("username").asString()).isEqualTo("fan1");
        String prev = link.substring(link.indexOf("<", 1) + 1, link.lastIndexOf('>'));
        assertThat(http.get(prev).json().size()).as("nothing is newer than the first page").isZero();
        assertThat(http.get(next.replace("max_id", "min_id")).json().get(0).path("username").asString())
                .as("min_id pages forward").isEqualTo("fan3");

        JsonNode boosters = http.get("/api/v1/statuses/" + id + "/reblogged_by").json();
        assertThat(boosters.size()).isEqualTo(3);
        String priv = post(alice, Map.of("status", "hidden", "visibility", "private")).path("id").asString();
        assertThat(http.get("/api/v1/statuses/" + priv + "/favourited_by").status()).isEqualTo(404);
    }
}
