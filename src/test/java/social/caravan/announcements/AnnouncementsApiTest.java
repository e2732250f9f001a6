package social.caravan.announcements;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Announcements: made with `caravan announcements`, read, dismissed and reacted to over HTTP. */
class AnnouncementsApiTest {
    static TestServer server;
    static Http http;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        server.createAccount("alice");
        server.createAccount("bob");
        alice = server.token("alice", "read write");
        bob = server.token("bob", "read write");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AnnouncementsCommand(chore -> chore.applyAsInt(server.app.announcements())));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String add(String... args) {
        Run run = cli(args);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Published announcement ");
        return run.out().strip().substring("Published announcement ".length());
    }

    static JsonNode list(String token) {
        Http.Response r = http.get("/api/v1/announcements", token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValidArray("Announcement", r.body());
        return r.json();
    }

    static JsonNode find(String token, String id) {
        for (JsonNode a : list(token)) {
            if (a.path("id").asString().equals(id)) {
                return a;
            }
        }
        return null;
    }

    static Http.Response put(String path, String token) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token)
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    }

    static Http.Response delete(String path, String token) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token).DELETE().build());
    }

    static String reaction(String id, String name) {
        return "/api/v1/announcements/" + id + "/reactions/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    @Test
    void anAnnouncementRendersItsLinksMentionsAndTags() {
        String id = add("add", "Welcome! Ask @alice, read https://example.com/guide #News");
        JsonNode a = find(bob, id);
        assertThat(a).isNotNull();
        assertThat(a.path("content").asString())
                .startsWith("<p>Welcome! Ask <span class=\"h-card\" translate=\"no\"><a href=\"" + server.baseUrl + "/@alice\"")
                .contains("href=\"https://example.com/guide\"")
                .contains("href=\"" + server.baseUrl + "/tags/news\"");
        assertThat(a.path("mentions").get(0).path("acct").asString()).isEqualTo("alice");
        assertThat(a.path("mentions").get(0).path("url").asString()).isEqualTo(server.baseUrl + "/@alice");
        assertThat(a.path("tags").get(0).path("name").asString()).isEqualTo("news");
        assertThat(a.path("read").asBoolean()).isFalse();
        assertThat(a.path("all_day").asBoolean()).isFalse();
        assertThat(a.path("starts_at").isNull()).isTrue();
        assertThat(a.path("reactions").size()).isZero();
        assertThat(a.path("statuses").size()).isZero();
        assertThat(a.path("emojis").size()).isZero();
    }

    @Test
    void eventsShowTheirTimesAndEndedOnesAreGone() {
        Instant start = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.DAYS);
        String event = add("add", "Maintenance", "--starts-at", start.toString(), "--ends-at", start.plus(Duration.ofDays(1)).toString(),
                "--all-day");
        String ended = add("add", "Old news", "--starts-at", "2020-01-01", "--ends-at", "2020-01-02");
        JsonNode a = find(alice, event);
        assertThat(Instant.parse(a.path("starts_at").asString())).isEqualTo(start);
        assertThat(a.path("all_day").asBoolean()).isTrue();
        assertThat(find(alice, ended)).as("ended").isNull();
        assertThat(cli("list").out()).contains(ended + "\t").contains("ended").contains("Maintenance");
        assertThat(http.postJson("/api/v1/announcements/" + ended + "/dismiss", alice, "").status()).isEqualTo(404);
    }

    @Test
    void dismissingMarksItReadForThatUserOnly() {
        String id = add("add", "Please read me");
        Http.Response dismissed = http.postJson("/api/v1/announcements/" + id + "/dismiss", bob, "");
        assertThat(dismissed.status()).isEqualTo(200);
        assertThat(dismissed.body()).isEqualTo("{}");
        assertThat(http.postJson("/api/v1/announcements/" + id + "/dismiss", bob, "").status()).as("twice is fine").isEqualTo(200);
        assertThat(find(bob, id).path("read").asBoolean()).as("still listed, as on Mastodon").isTrue();
        assertThat(find(alice, id).path("read").asBoolean()).isFalse();
        Http.Response withDismissed = http.get("/api/v1/announcements?with_dismissed=false", bob);
        assertThat(withDismissed.json().toString()).as("accepted and ignored, as on Mastodon").contains("Please read me");
        assertThat(http.postJson("/api/v1/announcements/999999/dismiss", bob, "").status()).isEqualTo(404);
    }

    @Test
    void reactionsCountPerEmojiAndSayWhetherTheReaderReacted() {
        String id = add("add", "React to me");
        assertThat(put(reaction(id, "👍"), bob).status()).isEqualTo(200);
        assertThat(put(reaction(id, "🎉"), alice).status()).isEqualTo(200);
        assertThat(put(reaction(id, "👍"), alice).status()).isEqualTo(200);
        JsonNode reactions = find(bob, id).path("reactions");
        assertThat(reactions.size()).isEqualTo(2);
        assertThat(reactions.get(0).path("name").asString()).as("first chosen first").isEqualTo("👍");
        assertThat(reactions.get(0).path("count").asInt()).isEqualTo(2);
        assertThat(reactions.get(0).path("me").asBoolean()).isTrue();
        assertThat(reactions.get(1).path("me").asBoolean()).isFalse();

        Http.Response again = put(reaction(id, "👍"), bob);
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.json().path("error").asString()).isEqualTo("Duplicate record");

        Http.Response removed = delete(reaction(id, "👍"), bob);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body()).isEqualTo("{}");
        assertThat(find(bob, id).path("reactions").get(0).path("count").asInt()).isEqualTo(1);
        assertThat(find(bob, id).path("reactions").get(0).path("me").asBoolean()).isFalse();
        assertThat(delete(reaction(id, "👍"), bob).status()).isEqualTo(404);
        assertThat(put(reaction("999999", "👍"), bob).status()).isEqualTo(404);
    }

    @Test
    void onlyUnicodeEmojiAndAtMostEightDifferentOnes() {
        String id = add("add", "Emoji only");
        for (String name : new String[] {"blobcat", "👍👍", "1", "a", "‍👍"}) {
            Http.Response r = put(reaction(id, name), alice);
            assertThat(r.status()).as(name).isEqualTo(422);
            assertThat(r.json().path("error").asString()).isEqualTo("Validation failed: Name is not a recognized emoji");
        }
        String[] fine = {"👩‍👩‍👧", "🇫🇷", "1️⃣", "❤️", "👍🏽", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "😀", "🎉"};
        for (String name : fine) {
            assertThat(put(reaction(id, name), alice).status()).as(name).isEqualTo(200);
        }
        Http.Response ninth = put(reaction(id, "🚀"), bob);
        assertThat(ninth.status()).isEqualTo(422);
        assertThat(ninth.json().path("error").asString()).isEqualTo("Validation failed: Limit of different reactions reached");
        assertThat(put(reaction(id, "😀"), bob).status()).as("joining an existing one is fine").isEqualTo(200);
        assertThat(find(bob, id).path("reactions").size()).isEqualTo(8);
    }

    @Test
    void readingNeedsAUserAndActingNeedsTheRightScope() {
        String id = add("add", "Scopes");
        Http.Response anonymous = http.get("/api/v1/announcements");
        assertThat(anonymous.status()).as("Mastodon's answer without a user").isEqualTo(422);
        assertThat(anonymous.json().path("error").asString()).isEqualTo("This method requires an authenticated user");
        assertThat(http.get("/api/v1/announcements", server.token("alice", "write:favourites")).status())
                .as("any user token reads them").isEqualTo(200);
        assertThat(http.postJson("/api/v1/announcements/" + id + "/dismiss", null, "").status()).isEqualTo(401);
        assertThat(http.postJson("/api/v1/announcements/" + id + "/dismiss", server.token("alice", "read"), "").status())
                .isEqualTo(403);
        assertThat(http.postJson("/api/v1/announcements/" + id + "/dismiss", server.token("alice", "write:accounts"), "")
                .status()).isEqualTo(200);
        assertThat(put(reaction(id, "👍"), server.token("alice", "write:accounts")).status()).isEqualTo(403);
        assertThat(put(reaction(id, "👍"), server.token("alice", "write:favourites")).status()).isEqualTo(200);
        assertThat(http.send(http.request(reaction(id, "👍")).PUT(java.net.http.HttpRequest.BodyPublishers.noBody()).build())
                .status()).isEqualTo(401);
    }

    @Test
    void operatorsAddListAndRemoveFromTheCommandLine() {
        String id = add("add", "Short-lived");
        assertThat(cli("list").out()).contains(id + "\t").contains("Short-lived");
        Run removed = cli("remove", id);
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).contains("Removed announcement " + id);
        assertThat(find(alice, id)).isNull();
        assertThat(cli("remove", id).exit()).as("no such announcement").isEqualTo(1);

        assertThat(cli("add", "Half a range", "--starts-at", "2030-01-01").exit()).isEqualTo(1);
        Run badTime = cli("add", "When?", "--starts-at", "tomorrow", "--ends-at", "2030-01-01");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.err()).contains("--starts-at must be a time");
        assertThat(cli("add", "Backwards", "--starts-at", "2030-01-02", "--ends-at", "2030-01-01").exit()).isEqualTo(1);
        assertThat(cli("add", "  ").exit()).isEqualTo(1);
        assertThat(cli("list").out()).doesNotContain("Half a range").doesNotContain("Backwards").doesNotContain("When?");
    }
}
