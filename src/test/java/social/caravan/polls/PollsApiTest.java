package social.caravan.polls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.notifications.NotificationService;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Polls: made with statuses, shown in them, voted on, edited, and announced when they end. */
class PollsApiTest {
    static TestServer server;
    static Http http;
    static final AtomicInteger PEOPLE = new AtomicInteger();

    record Person(long id, String token) {}

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Person person() {
        return person("read write follow");
    }

    static Person person(String scopes) {
        String name = "voter" + PEOPLE.incrementAndGet();
        long id = server.createAccount(name);
        return new Person(id, server.token(name, scopes));
    }

    static JsonNode post(Person who, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", who.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", r.body());
        return r.json();
    }

    static Map<String, Object> poll(List<String> options, Object expiresIn, Object... more) {
        Map<String, Object> poll = new java.util.LinkedHashMap<>();
        poll.put("options", options);
        poll.put("expires_in", expiresIn);
        for (int i = 0; i < more.length; i += 2) {
            poll.put((String) more[i], more[i + 1]);
        }
        return poll;
    }

    /** A public status of {@code who} with a poll; returns the poll's id. */
    static String pollOf(Person who, Map<String, Object> poll) {
        return post(who, Map.of("status", "which?", "poll", poll)).path("poll").path("id").asString();
    }

    static Http.Response vote(Person who, String pollId, String json) {
        return http.postJson("/api/v1/polls/" + pollId + "/votes", who.token(), json);
    }

    static JsonNode voted(Person who, String pollId, String json) {
        Http.Response r = vote(who, pollId, json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Poll", r.body());
        return r.json();
    }

    static JsonNode show(Person who, String pollId) {
        Http.Response r = who == null ? http.get("/api/v1/polls/" + pollId) : http.get("/api/v1/polls/" + pollId, who.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Poll", r.body());
        return r.json();
    }

    static Http.Response put(Person who, String statusId, Map<String, Object> body) {
        return http.send(http.request("/api/v1/statuses/" + statusId).header("Authorization", "Bearer " + who.token())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    }

    static void sql(String statement, Object... args) {
        server.app.database().jdbi().useHandle(h -> h.execute(statement, args));
    }

    static long number(String query, Object... args) {
        return server.app.database().jdbi().withHandle(h -> {
            var q = h.createQuery(query);
            for (int i = 0; i < args.length; i++) {
                q.bind(i, args[i]);
            }
            return q.mapTo(Long.class).one();
        });
    }

    static void endNow(String pollId) {
        sql("UPDATE polls SET expires_at = now() - interval '1 second' WHERE id = ?", Long.parseLong(pollId));
    }

    static List<String> titles(JsonNode poll) {
        List<String> titles = new ArrayList<>();
        poll.path("options").forEach(o -> titles.add(o.path("title").asString()));
        return titles;
    }

    static List<Integer> tallies(JsonNode poll) {
        List<Integer> counts = new ArrayList<>();
        poll.path("options").forEach(o -> counts.add(o.path("votes_count").isNull() ? null : o.path("votes_count").asInt()));
        return counts;
    }

    static List<Integer> ownVotes(JsonNode poll) {
        List<Integer> own = new ArrayList<>();
        poll.path("own_votes").forEach(v -> own.add(v.asInt()));
        return own;
    }

    @Test
    void aPollMadeWithJsonRendersInTheStatusAsMastodonsPoll() {
        Person alice = person();
        Instant before = Instant.now();
        JsonNode status = post(alice, Map.of("status", "Tea or coffee?",
                "poll", poll(List.of(" tea ", "", "coffee", "\u3000"), 3600, "multiple", true)));
        JsonNode poll = status.path("poll");
        MastodonSchemas.assertValid("Poll", poll);
        assertThat(titles(poll)).as("stripped, blanks dropped").containsExactly("tea", "coffee");
        assertThat(tallies(poll)).containsExactly(0, 0);
        assertThat(poll.path("multiple").asBoolean()).isTrue();
        assertThat(poll.path("expired").asBoolean()).isFalse();
        assertThat(poll.path("votes_count").asInt()).isZero();
        assertThat(poll.path("voters_count").isInt()).as("a local poll counts its voters").isTrue();
        assertThat(poll.path("voters_count").asInt()).isZero();
        assertThat(poll.path("emojis").isArray()).isTrue();
        assertThat(poll.path("emojis").size()).isZero();
        assertThat(poll.path("voted").asBoolean()).as("the author counts as having voted").isTrue();
        assertThat(poll.path("own_votes").size()).isZero();
        Instant expiresAt = Instant.parse(poll.path("expires_at").asString());
        assertThat(expiresAt).isBetween(before.plusSeconds(3600).minusSeconds(1), Instant.now().plusSeconds(3601));
        assertThat(status.path("content").asString()).isEqualTo("<p>Tea or coffee?</p>");

        JsonNode anonymous = show(null, poll.path("id").asString());
        assertThat(anonymous.has("voted")).as("only for a signed-in viewer").isFalse();
        assertThat(anonymous.has("own_votes")).isFalse();
        assertThat(anonymous.path("id").asString()).isEqualTo(poll.path("id").asString());
        JsonNode shown = http.get("/api/v1/statuses/" + status.path("id").asString()).json();
        MastodonSchemas.assertValid("Status", shown);
        assertThat(shown.path("poll").path("id").asString()).isEqualTo(poll.path("id").asString());
        assertThat(shown.path("poll").has("voted")).isFalse();
    }

    @Test
    void aPollMadeWithAFormAndRailsBrackets() {
        Person alice = person();
        Map<String, String> form = new java.util.LinkedHashMap<>();
        form.put("status", "pick one");
        form.put("poll[options][]", "red");
        String body = Http.form(form) + "&poll%5Boptions%5D%5B%5D=green&poll%5Boptions%5D%5B%5D=blue"
                + "&poll%5Bexpires_in%5D=300&poll%5Bhide_totals%5D=true&poll%5Bmultiple%5D=0";
        Http.Response r = http.send(http.request("/api/v1/statuses").header("Authorization", "Bearer " + alice.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", r.body());
        JsonNode poll = r.json().path("poll");
        assertThat(titles(poll)).containsExactly("red", "green", "blue");
        assertThat(poll.path("multiple").asBoolean()).isFalse();
        assertThat(tallies(poll)).as("hide_totals: no option counts while it runs").containsExactly(null, null, null);
        assertThat(poll.path("options").get(0).has("votes_count")).as("present, as null").isTrue();
    }

    @Test
    void theLimitsAreTheOnesTheInstanceAnnounces() {
        JsonNode limits = http.get("/api/v2/instance").json().path("configuration").path("polls");
        assertThat(limits.path("max_options").asInt()).isEqualTo(PollService.MAX_OPTIONS).isEqualTo(4);
        assertThat(limits.path("max_characters_per_option").asInt()).isEqualTo(PollService.MAX_CHARACTERS_PER_OPTION).isEqualTo(50);
        assertThat(limits.path("min_expiration").asInt()).isEqualTo(PollService.MIN_EXPIRATION).isEqualTo(300);
        assertThat(limits.path("max_expiration").asInt()).isEqualTo(PollService.MAX_EXPIRATION).isEqualTo(2_629_746);
        assertThat(http.get("/api/v1/instance").json().path("configuration").path("polls")).isEqualTo(limits);

        Person alice = person();
        // Fifty user-perceived characters, one of them a family emoji of several code points.
        String longest = "a".repeat(49) + "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
        JsonNode atMost = post(alice, Map.of("status", "edges", "poll",
                poll(List.of(longest, "b", "c", "d"), PollService.MAX_EXPIRATION)));
        assertThat(titles(atMost.path("poll"))).hasSize(4).startsWith(longest);
        post(alice, Map.of("status", "short", "poll", poll(List.of("a", "b"), "300")));
        // Option text counts toward nothing else: a status at its limit still takes a poll.
        post(alice, Map.of("status", "x".repeat(500), "poll", poll(List.of("y".repeat(50), "z".repeat(50)), 600)));
    }

    @Test
    void everyBadPollIsA422WithMastodonsWordsAndWritesNothing() {
        Person alice = person();
        Map<Object, String> cases = new java.util.LinkedHashMap<>();
        cases.put(poll(List.of("only"), 3600), "Validation failed: Choices must have more than one item");
        cases.put(poll(List.of("a", " "), 3600), "Validation failed: Choices must have more than one item");
        cases.put(poll(List.of(), 60),
                "Validation failed: Choices can't be blank, Choices must have more than one item, Deadline is too soon");
        cases.put(Map.of("options", List.of("a", "a", "b", "c", "d")),
                "Validation failed: Deadline can't be blank, Choices can't contain more than 4 items, Choices contain duplicate items");
        cases.put(poll(List.of("x".repeat(51), "b"), 3600), "Validation failed: Choices cannot be longer than 50 characters each");
        cases.put(poll(List.of("a", "b"), 299), "Validation failed: Deadline is too soon");
        cases.put(poll(List.of("a", "b"), "soon"), "Validation failed: Deadline is too soon");
        cases.put(poll(List.of("a", "b"), -3600), "Validation failed: Deadline is too soon");
        cases.put(poll(List.of("a", "b"), PollService.MAX_EXPIRATION + 1), "Validation failed: Deadline is too far into the future");
        cases.put(poll(List.of("a", "b"), "99999999999999999999999"), "Validation failed: Deadline is too far into the future");
        cases.put(poll(List.of("a", "b"), ""), "Validation failed: Deadline can't be blank");
        cases.put("a poll", "Parameter poll must be an object");
        long statusesBefore = number("SELECT count(*) FROM statuses WHERE account_id = ?", alice.id());
        long endJobsBefore = number("SELECT count(*) FROM jobs WHERE type = 'polls.end'");
        cases.forEach((poll, message) -> {
            Http.Response r = http.postJson("/api/v1/statuses", alice.token(), Json.write(Map.of("status", "bad", "poll", poll)));
            assertThat(r.status()).as(poll + ": " + r.body()).isEqualTo(422);
            assertThat(r.json().path("error").asString()).as(poll.toString()).isEqualTo(message);
        });
        assertThat(number("SELECT count(*) FROM statuses WHERE account_id = ?", alice.id())).isEqualTo(statusesBefore);
        assertThat(number("SELECT count(*) FROM polls WHERE account_id = ?", alice.id())).isZero();
        assertThat(number("SELECT count(*) FROM jobs WHERE type = 'polls.end'")).isEqualTo(endJobsBefore);

        // A poll does not stand in for the text.
        Http.Response noText = http.postJson("/api/v1/statuses", alice.token(),
                Json.write(Map.of("poll", poll(List.of("a", "b"), 3600))));
        assertThat(noText.status()).isEqualTo(422);
        assertThat(noText.json().path("error").asString()).isEqualTo("Validation failed: Text can't be blank");
        // An empty poll asks for none, as in Mastodon.
        assertThat(post(alice, Map.of("status", "no poll", "poll", Map.of())).path("poll").isNull()).isTrue();
    }

    @Test
    void votingOnASingleChoicePoll() {
        Person alice = person();
        Person bob = person();
        Person carol = person();
        String id = pollOf(alice, poll(List.of("yes", "no", "maybe"), 3600));

        JsonNode afterBob = voted(bob, id, "{\"choices\":[1]}");
        assertThat(afterBob.path("voted").asBoolean()).isTrue();
        assertThat(ownVotes(afterBob)).containsExactly(1);
        assertThat(afterBob.path("votes_count").asInt()).isEqualTo(1);
        assertThat(afterBob.path("voters_count").asInt()).isEqualTo(1);
        assertThat(tallies(afterBob)).containsExactly(0, 1, 0);

        // Form-style choices[] work too.
        Http.Response form = http.postForm("/api/v1/polls/" + id + "/votes", carol.token(), Map.of("choices[]", "0"));
        assertThat(form.status()).as(form.body()).isEqualTo(200);
        assertThat(tallies(form.json())).containsExactly(1, 1, 0);

        Http.Response again = vote(bob, id, "{\"choices\":[0]}");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.json().path("error").asString()).isEqualTo("Validation failed: You have already voted on this poll");

        Person dave = person();
        Http.Response two = vote(dave, id, "{\"choices\":[0,2]}");
        assertThat(two.status()).as("several choices on a single-choice poll").isEqualTo(422);
        assertThat(two.json().path("error").asString()).isEqualTo("Validation failed: You have already voted on this poll");
        JsonNode daveSees = show(dave, id);
        assertThat(daveSees.path("voted").asBoolean()).as("nothing of a refused vote is kept").isFalse();
        assertThat(daveSees.path("votes_count").asInt()).isEqualTo(2);

        for (String bad : List.of("[3]", "[-1]", "[\"first\"]")) {
            Http.Response r = vote(dave, id, "{\"choices\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(422);
            assertThat(r.json().path("error").asString()).isEqualTo("Validation failed: The chosen vote option does not exist");
        }
        Http.Response own = vote(alice, id, "{\"choices\":[0]}");
        assertThat(own.status()).isEqualTo(422);
        assertThat(own.json().path("error").asString()).isEqualTo("Validation failed: You cannot vote in your own polls");
        Http.Response none = vote(dave, id, "{}");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.json().path("error").asString()).isEqualTo("Missing required parameter: choices");

        JsonNode status = http.get("/api/v1/statuses/" + number("SELECT status_id FROM polls WHERE id = ?", Long.parseLong(id)),
                bob.token()).json();
        assertThat(ownVotes(status.path("poll"))).as("the status shows the viewer's own votes").containsExactly(1);
        assertThat(status.path("poll").path("voters_count").asInt()).isEqualTo(2);
    }

    @Test
    void votingOnAMultipleChoicePollCountsVotesAndVoters() {
        Person alice = person();
        Person bob = person();
        Person carol = person();
        String id = pollOf(alice, poll(List.of("a", "b", "c", "d"), 3600, "multiple", true));

        JsonNode first = voted(bob, id, "{\"choices\":[\"0\",\"2\"]}");
        assertThat(ownVotes(first)).containsExactly(0, 2);
        assertThat(first.path("votes_count").asInt()).isEqualTo(2);
        assertThat(first.path("voters_count").asInt()).isEqualTo(1);
        JsonNode second = voted(carol, id, "{\"choices\":[2]}");
        assertThat(tallies(second)).containsExactly(1, 0, 2, 0);
        assertThat(second.path("voters_count").asInt()).isEqualTo(2);
        // As Mastodon's validator allows: a voter may add a choice they had not made yet.
        JsonNode more = voted(bob, id, "{\"choices\":[1]}");
        assertThat(ownVotes(more)).containsExactly(0, 2, 1);
        assertThat(more.path("votes_count").asInt()).isEqualTo(4);
        assertThat(more.path("voters_count").asInt()).isEqualTo(2);

        Http.Response same = vote(bob, id, "{\"choices\":[3,0]}");
        assertThat(same.status()).isEqualTo(422);
        assertThat(same.json().path("error").asString()).isEqualTo("Validation failed: You have already voted on this poll");
        Person dave = person();
        Http.Response twice = vote(dave, id, "{\"choices\":[3,3]}");
        assertThat(twice.status()).isEqualTo(422);
        JsonNode after = show(bob, id);
        assertThat(after.path("votes_count").asInt()).as("a refused request keeps none of its votes").isEqualTo(4);
        assertThat(tallies(after)).containsExactly(1, 1, 2, 0);
        assertThat(show(dave, id).path("voted").asBoolean()).isFalse();
    }

    @Test
    void hiddenTotalsShowOnceThePollHasEnded() {
        Person alice = person();
        Person bob = person();
        String id = pollOf(alice, poll(List.of("a", "b"), 3600, "hide_totals", true));
        JsonNode running = voted(bob, id, "{\"choices\":[1]}");
        assertThat(tallies(running)).containsExactly(null, null);
        assertThat(running.path("votes_count").asInt()).as("the total still shows").isEqualTo(1);
        assertThat(tallies(show(alice, id))).as("for the author too").containsExactly(null, null);

        endNow(id);
        JsonNode ended = show(null, id);
        assertThat(ended.path("expired").asBoolean()).isTrue();
        assertThat(tallies(ended)).containsExactly(0, 1);
        Http.Response late = vote(person(), id, "{\"choices\":[0]}");
        assertThat(late.status()).isEqualTo(422);
        assertThat(late.json().path("error").asString()).isEqualTo("Validation failed: The poll has already ended");
        Http.Response lateAndOwn = vote(alice, id, "{\"choices\":[5]}");
        assertThat(lateAndOwn.json().path("error").asString()).as("every reason, in Mastodon's order").isEqualTo(
                "Validation failed: The poll has already ended, The chosen vote option does not exist, You cannot vote in your own polls");
    }

    @Test
    void aPollIsOnlyThereForThoseWhoMaySeeItsStatus() {
        Person alice = person();
        Person follower = person();
        Person stranger = person();
        assertThat(http.postJson("/api/v1/accounts/" + alice.id() + "/follow", follower.token(), "").status()).isEqualTo(200);
        JsonNode priv = post(alice, Map.of("status", "friends only", "visibility", "private",
                "poll", poll(List.of("a", "b"), 3600)));
        String id = priv.path("poll").path("id").asString();

        assertThat(show(follower, id).path("id").asString()).isEqualTo(id);
        for (Http.Response r : List.of(http.get("/api/v1/polls/" + id), http.get("/api/v1/polls/" + id, stranger.token()),
                vote(stranger, id, "{\"choices\":[0]}"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.json().path("error").asString()).isEqualTo("Record not found");
        }
        voted(follower, id, "{\"choices\":[0]}");

        // The author blocks someone: the poll is gone for them. Blocking the author: no voting.
        Person blocked = person();
        Person blocker = person();
        String pub = pollOf(alice, poll(List.of("a", "b"), 3600));
        assertThat(http.postJson("/api/v1/accounts/" + blocked.id() + "/block", alice.token(), "").status()).isEqualTo(200);
        assertThat(http.get("/api/v1/polls/" + pub, blocked.token()).status()).isEqualTo(404);
        assertThat(vote(blocked, pub, "{\"choices\":[0]}").status()).isEqualTo(404);
        assertThat(http.postJson("/api/v1/accounts/" + alice.id() + "/block", blocker.token(), "").status()).isEqualTo(200);
        Http.Response refused = vote(blocker, pub, "{\"choices\":[0]}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").asString()).isEqualTo("This action is not allowed");

        // Deleted statuses take their polls along; unknown and malformed ids are not found.
        String gone = pollOf(alice, poll(List.of("a", "b"), 3600));
        long goneStatus = number("SELECT status_id FROM polls WHERE id = ?", Long.parseLong(gone));
        http.send(http.request("/api/v1/statuses/" + goneStatus).header("Authorization", "Bearer " + alice.token()).DELETE().build());
        assertThat(http.get("/api/v1/polls/" + gone).status()).isEqualTo(404);
        assertThat(vote(follower, gone, "{\"choices\":[0]}").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/polls/12345").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/polls/abc").status()).isEqualTo(404);
    }

    @Test
    void tokensAndScopes() {
        Person alice = person();
        String id = pollOf(alice, poll(List.of("a", "b"), 3600));
        Http.Response anonymousVote = http.postJson("/api/v1/polls/" + id + "/votes", null, "{\"choices\":[0]}");
        assertThat(anonymousVote.status()).isEqualTo(401);
        assertThat(anonymousVote.json().path("error").asString()).isNotBlank();
        Person reader = person("read");
        Http.Response noWrite = vote(reader, id, "{\"choices\":[0]}");
        assertThat(noWrite.status()).isEqualTo(403);
        assertThat(noWrite.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");
        Person writer = person("write:statuses");
        assertThat(http.get("/api/v1/polls/" + id, writer.token()).status()).as("reading needs read:statuses").isEqualTo(403);
        assertThat(voted(writer, id, "{\"choices\":[0]}").path("voted").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/polls/" + id, "not-a-token").status()).isEqualTo(401);
        Person granular = person("read:statuses");
        assertThat(show(granular, id).path("voted").asBoolean()).isFalse();
    }

    @Test
    void editingAPollAsMastodonDoes() {
        Person alice = person();
        Person bob = person();
        JsonNode status = post(alice, Map.of("status", "v1", "poll", poll(List.of("a", "b"), 3600)));
        String statusId = status.path("id").asString();
        String id = status.path("poll").path("id").asString();
        voted(bob, id, "{\"choices\":[0]}");

        // The same options and kind: the votes stay; the expiry restarts from now.
        Http.Response keep = put(alice, statusId, Map.of("status", "v2", "poll", poll(List.of("a", "b"), 7200, "hide_totals", true)));
        assertThat(keep.status()).as(keep.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", keep.body());
        JsonNode kept = keep.json().path("poll");
        assertThat(kept.path("id").asString()).isEqualTo(id);
        assertThat(kept.path("votes_count").asInt()).isEqualTo(1);
        assertThat(tallies(kept)).containsExactly(null, null);
        assertThat(Instant.parse(kept.path("expires_at").asString())).isAfter(Instant.now().plusSeconds(7000));

        // New options reset the votes.
        Http.Response changed = put(alice, statusId, Map.of("status", "v3", "poll", poll(List.of("a", "b", "c"), 3600)));
        JsonNode reset = changed.json().path("poll");
        assertThat(titles(reset)).containsExactly("a", "b", "c");
        assertThat(reset.path("votes_count").asInt()).isZero();
        assertThat(reset.path("voters_count").asInt()).isZero();
        assertThat(show(bob, id).path("voted").asBoolean()).isFalse();
        voted(bob, id, "{\"choices\":[2]}");
        // Making it multiple-choice resets them too.
        JsonNode multiple = put(alice, statusId, Map.of("status", "v4",
                "poll", poll(List.of("a", "b", "c"), 3600, "multiple", true))).json().path("poll");
        assertThat(multiple.path("multiple").asBoolean()).isTrue();
        assertThat(multiple.path("votes_count").asInt()).isZero();

        // A bad poll refuses the whole edit.
        Http.Response bad = put(alice, statusId, Map.of("status", "v5", "poll", poll(List.of("a", "b"), 10)));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").asString()).isEqualTo("Validation failed: Deadline is too soon");
        Http.Response noExpiry = put(alice, statusId, Map.of("status", "v5", "poll", Map.of("options", List.of("a", "b"))));
        assertThat(noExpiry.json().path("error").asString())
                .isEqualTo("Validation failed: Deadline can't be blank, Deadline is too far into the future");
        JsonNode unchanged = http.get("/api/v1/statuses/" + statusId).json();
        assertThat(unchanged.path("content").asString()).isEqualTo("<p>v4</p>");
        assertThat(titles(unchanged.path("poll"))).containsExactly("a", "b", "c");

        // An edit without a poll takes it off, as Mastodon's does.
        JsonNode without = put(alice, statusId, Map.of("status", "v6")).json();
        assertThat(without.path("poll").isNull()).isTrue();
        assertThat(http.get("/api/v1/polls/" + id).status()).isEqualTo(404);
        // And one can add a poll to a status that had none.
        JsonNode added = put(alice, statusId, Map.of("status", "v7", "poll", poll(List.of("x", "y"), 600))).json().path("poll");
        assertThat(titles(added)).containsExactly("x", "y");
        assertThat(added.path("voters_count").asInt()).isZero();

        Http.Response history = http.get("/api/v1/statuses/" + statusId + "/history");
        assertThat(history.status()).isEqualTo(200);
        List<List<String>> versions = new ArrayList<>();
        for (JsonNode version : history.json()) {
            MastodonSchemas.assertValid("StatusEdit", version);
            versions.add(version.has("poll") ? titles(version.path("poll")) : null);
        }
        assertThat(versions).containsExactly(List.of("a", "b"), List.of("a", "b"), List.of("a", "b", "c"),
                List.of("a", "b", "c"), null, List.of("x", "y"));
    }

    @Test
    void historyOfANeverEditedStatusShowsItsPoll() {
        Person alice = person();
        String statusId = post(alice, Map.of("status", "once", "poll", poll(List.of("a", "b"), 3600))).path("id").asString();
        JsonNode history = http.get("/api/v1/statuses/" + statusId + "/history").json();
        assertThat(history.size()).isEqualTo(1);
        MastodonSchemas.assertValid("StatusEdit", history.get(0));
        assertThat(titles(history.get(0).path("poll"))).containsExactly("a", "b");
        String plain = post(alice, Map.of("status", "no poll")).path("id").asString();
        assertThat(http.get("/api/v1/statuses/" + plain + "/history").json().get(0).has("poll")).isFalse();
    }

    @Test
    void deleteAndRedraftReturnsThePollAndTheText() {
        Person alice = person();
        JsonNode status = post(alice, Map.of("status", "redraft me", "poll", poll(List.of("a", "b"), 3600, "multiple", true)));
        String statusId = status.path("id").asString();
        Http.Response source = http.get("/api/v1/statuses/" + statusId + "/source", alice.token());
        MastodonSchemas.assertValid("StatusSource", source.body());
        assertThat(source.json().path("text").asString()).isEqualTo("redraft me");
        Http.Response deleted = http.send(http.request("/api/v1/statuses/" + statusId)
                .header("Authorization", "Bearer " + alice.token()).DELETE().build());
        assertThat(deleted.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", deleted.body());
        assertThat(deleted.json().path("text").asString()).isEqualTo("redraft me");
        assertThat(titles(deleted.json().path("poll"))).containsExactly("a", "b");
        assertThat(deleted.json().path("poll").path("multiple").asBoolean()).isTrue();
    }

    @Test
    void boostsAndTimelinesCarryTheOriginalsPoll() {
        Person alice = person();
        Person bob = person();
        JsonNode status = post(alice, Map.of("status", "boost my poll", "poll", poll(List.of("a", "b"), 3600)));
        String id = status.path("poll").path("id").asString();
        voted(bob, id, "{\"choices\":[1]}");
        Http.Response boost = http.postJson("/api/v1/statuses/" + status.path("id").asString() + "/reblog", bob.token(), "");
        MastodonSchemas.assertValid("Status", boost.body());
        assertThat(boost.json().path("poll").isNull()).isTrue();
        assertThat(boost.json().path("reblog").path("poll").path("id").asString()).isEqualTo(id);
        assertThat(ownVotes(boost.json().path("reblog").path("poll"))).containsExactly(1);

        JsonNode timeline = http.get("/api/v1/accounts/" + alice.id() + "/statuses", bob.token()).json();
        assertThat(timeline.get(0).path("poll").path("id").asString()).isEqualTo(id);
        assertThat(timeline.get(0).path("poll").path("voted").asBoolean()).isTrue();
    }

    @Test
    void anEndedPollIsAnnouncedToItsAuthorAndVotersOnce() throws InterruptedException {
        Person alice = person();
        Person bob = person();
        Person carol = person();
        Person bystander = person();
        String id = pollOf(alice, poll(List.of("a", "b"), 3600, "multiple", true));
        long pollId = Long.parseLong(id);
        voted(bob, id, "{\"choices\":[0,1]}");
        voted(carol, id, "{\"choices\":[1]}");
        assertThat(number("SELECT count(*) FROM jobs WHERE type = 'polls.end' AND payload = ?", "{\"poll_id\":" + pollId + "}"))
                .as("the end is scheduled with the poll").isEqualTo(1);
        assertThat(number("SELECT count(*) FROM jobs WHERE type = 'polls.end' AND payload = ? AND run_at > now() + interval '59 minutes'",
                "{\"poll_id\":" + pollId + "}")).as("at its expiry").isEqualTo(1);

        // The poll ends now, and its job comes due.
        endNow(id);
        sql("UPDATE jobs SET run_at = now() WHERE type = 'polls.end' AND payload = ?", "{\"poll_id\":" + pollId + "}");
        for (Person who : List.of(alice, bob, carol)) {
            JsonNode notifications = until(who, "poll");
            MastodonSchemas.assertValid("Notification", notifications.get(0));
            assertThat(notifications.get(0).path("account").path("id").asString()).isEqualTo(Long.toString(alice.id()));
            assertThat(notifications.get(0).path("status").path("poll").path("expired").asBoolean()).isTrue();
        }
        assertThat(http.get("/api/v1/notifications?types[]=poll", bystander.token()).json().size()).isZero();

        // A job run again (a retry) tells nobody twice.
        PollService again = new PollService(server.app.database().jdbi(), server.app.notifications(), server.app.queue(),
                PollEvents.NONE);
        again.end(pollId);
        again.end(pollId);
        assertThat(number("SELECT count(*) FROM notifications WHERE type = 'poll' AND status_id = (SELECT status_id FROM polls WHERE id = ?)",
                pollId)).isEqualTo(3);
        for (Person who : List.of(alice, bob, carol)) {
            assertThat(http.get("/api/v1/notifications?types[]=poll", who.token()).json().size()).isEqualTo(1);
        }
    }

    @Test
    void anEndJobBeforeTheExpiryOrForAGonePollDoesNothing() {
        Person alice = person();
        Person bob = person();
        JsonNode status = post(alice, Map.of("status", "later", "poll", poll(List.of("a", "b"), 3600)));
        long pollId = Long.parseLong(status.path("poll").path("id").asString());
        voted(bob, Long.toString(pollId), "{\"choices\":[0]}");
        PollService polls = new PollService(server.app.database().jdbi(), server.app.notifications(), server.app.queue(),
                PollEvents.NONE);
        polls.end(pollId);
        assertThat(number("SELECT count(*) FROM notifications WHERE type = 'poll' AND account_id IN (?, ?)", alice.id(), bob.id()))
                .as("not ended yet").isZero();

        // An edit moves the expiry: a new end job comes, and the poll is announced when that expiry passes.
        put(alice, status.path("id").asString(), Map.of("status", "later", "poll", poll(List.of("a", "b"), 600)));
        assertThat(number("SELECT count(*) FROM jobs WHERE type = 'polls.end' AND payload = ?", "{\"poll_id\":" + pollId + "}"))
                .isEqualTo(2);
        endNow(Long.toString(pollId));
        polls.end(pollId);
        assertThat(number("SELECT count(*) FROM notifications WHERE type = 'poll' AND account_id IN (?, ?)", alice.id(), bob.id()))
                .isEqualTo(2);

        polls.end(Long.MAX_VALUE);
        String deletedStatus = post(alice, Map.of("status", "gone", "poll", poll(List.of("a", "b"), 3600))).path("id").asString();
        long deletedPoll = number("SELECT id FROM polls WHERE status_id = ?", Long.parseLong(deletedStatus));
        http.send(http.request("/api/v1/statuses/" + deletedStatus).header("Authorization", "Bearer " + alice.token()).DELETE().build());
        endNow(Long.toString(deletedPoll));
        polls.end(deletedPoll);
        assertThat(number("SELECT count(*) FROM notifications WHERE status_id = ?", Long.parseLong(deletedStatus))).isZero();
    }

    /** Waits for the worker: the viewer's notifications of one type, once there are any. */
    private static JsonNode until(Person who, String type) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            JsonNode found = http.get("/api/v1/notifications?types[]=" + type, who.token()).json();
            if (!found.isEmpty()) {
                assertThat(found.get(0).path("type").asString()).isEqualTo(NotificationService.POLL);
                return found;
            }
            assertThat(Instant.now()).as("no %s notification in time", type).isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
