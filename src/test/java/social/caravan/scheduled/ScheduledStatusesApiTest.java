package social.caravan.scheduled;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Scheduling through POST /api/v1/statuses, the scheduled_statuses endpoints, and publishing by the queue worker. */
class ScheduledStatusesApiTest {
    static TestServer server;
    static Http http;
    static Jdbi jdbi;
    static int counter;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker();
        http = server.http;
        jdbi = server.app.database().jdbi();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record User(String name, long id, String token) {}

    static User user(String prefix) {
        String name = prefix + (++counter);
        long id = server.createAccount(name);
        return new User(name, id, server.token(name, "read write"));
    }

    static String in(Duration d) {
        return Instant.now().plus(d).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Http.Response schedule(User u, Map<String, Object> body) {
        return http.postJson("/api/v1/statuses", u.token(), Json.write(body));
    }

    static JsonNode scheduled(User u, String text, String at) {
        Http.Response r = schedule(u, Map.of("status", text, "scheduled_at", at));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("ScheduledStatus", r.body());
        return r.json();
    }

    static Http.Response put(String path, String token, String json) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static Http.Response delete(String path, String token) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token).DELETE().build());
    }

    static int statusesWithText(User u, String text) {
        return jdbi.withHandle(h -> h.select("SELECT count(*) FROM statuses WHERE account_id = ? AND text = ? AND deleted_at IS NULL",
                u.id(), text).mapTo(Integer.class).one());
    }

    /** Makes the publishing jobs of one scheduled status due now, as if its time had come. */
    static int runJobsNow(String scheduledId, Instant onlyFor) {
        String at = onlyFor == null ? "" : ",\"scheduled_at\":\"" + Json.time(onlyFor) + "\"";
        return jdbi.withHandle(h -> h.execute("UPDATE jobs SET run_at = now() WHERE type = 'statuses.publish_scheduled'"
                + " AND payload LIKE ?", "%\"scheduled_status_id\":" + scheduledId + at + "%"));
    }

    static int pendingJobs(String scheduledId) {
        return jdbi.withHandle(h -> h.select("SELECT count(*) FROM jobs WHERE type = 'statuses.publish_scheduled'"
                + " AND payload LIKE ? AND dead_at IS NULL", "%\"scheduled_status_id\":" + scheduledId + ",%")
                .mapTo(Integer.class).one());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void schedulingAnswersAScheduledStatusAndPostsNothingYet() {
        User alice = user("alice");
        String at = in(Duration.ofHours(2));
        JsonNode s = scheduled(alice, "later, world", at);
        assertThat(s.path("scheduled_at").asString()).isEqualTo(at.replace("Z", ".000Z"));
        JsonNode params = s.path("params");
        assertThat(params.path("text").asString()).isEqualTo("later, world");
        assertThat(params.path("visibility").asString()).as("the author's default").isEqualTo("public");
        assertThat(params.path("scheduled_at").isNull()).isTrue();
        assertThat(params.path("idempotency").isNull()).isTrue();
        assertThat(params.path("with_rate_limit").asBoolean()).isFalse();
        assertThat(params.path("application_id").isIntegralNumber()).isTrue();
        assertThat(params.path("in_reply_to_id").isNull()).isTrue();
        assertThat(s.path("media_attachments").size()).isZero();
        assertThat(statusesWithText(alice, "later, world")).isZero();

        String id = s.path("id").asString();
        Http.Response one = http.get("/api/v1/scheduled_statuses/" + id, alice.token());
        assertThat(one.status()).isEqualTo(200);
        MastodonSchemas.assertValid("ScheduledStatus", one.body());
        Http.Response all = http.get("/api/v1/scheduled_statuses", alice.token());
        MastodonSchemas.assertValidArray("ScheduledStatus", all.body());
        assertThat(all.json().size()).isEqualTo(1);
        assertThat(all.json().get(0).path("id").asString()).isEqualTo(id);
    }

    @Test
    void theWorkerPublishesItOnceWhenItsTimeComes() throws Exception {
        User alice = user("alice");
        User bob = user("bob");
        String root = http.postJson("/api/v1/statuses", bob.token(), "{\"status\":\"root\"}").json().path("id").asString();
        Http.Response r = schedule(alice, Map.of("status", "from the past @" + bob.name(), "scheduled_at", in(Duration.ofDays(1)),
                "visibility", "unlisted", "spoiler_text", "cw", "in_reply_to_id", root, "language", "de"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        assertThat(r.json().path("params").path("in_reply_to_id").asLong()).isEqualTo(Long.parseLong(root));

        assertThat(runJobsNow(id, null)).isEqualTo(1);
        await("the job to publish", () -> statusesWithText(alice, "from the past @" + bob.name()) == 1 && pendingJobs(id) == 0);
        assertThat(http.get("/api/v1/scheduled_statuses/" + id, alice.token()).status()).isEqualTo(404);
        JsonNode posted = http.get("/api/v1/accounts/" + alice.id() + "/statuses", alice.token()).json().get(0);
        MastodonSchemas.assertValid("Status", posted);
        assertThat(posted.path("visibility").asString()).isEqualTo("unlisted");
        assertThat(posted.path("spoiler_text").asString()).isEqualTo("cw");
        assertThat(posted.path("language").asString()).isEqualTo("de");
        assertThat(posted.path("in_reply_to_id").asString()).isEqualTo(root);
        assertThat(posted.path("mentions").get(0).path("acct").asString()).isEqualTo(bob.name());

        // Run by a worker a second time (delivery is at least once): still one post.
        server.app.queue().enqueue("default", ScheduledStatusService.PUBLISH_JOB,
                Map.of("scheduled_status_id", Long.parseLong(id), "scheduled_at", r.json().path("scheduled_at").asString()),
                null, null);
        await("the repeated job", () -> pendingJobs(id) == 0);
        assertThat(statusesWithText(alice, "from the past @" + bob.name())).isEqualTo(1);
    }

    @Test
    void aScheduledPollIsCheckedWhenScheduledAndMadeWhenPublished() throws Exception {
        User alice = user("alice");
        Http.Response bad = schedule(alice, Map.of("status", "bad poll", "scheduled_at", in(Duration.ofDays(1)),
                "poll", Map.of("options", java.util.List.of("only one"), "expires_in", 600)));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").asString()).contains("Choices");

        Http.Response r = schedule(alice, Map.of("status", "which one?", "scheduled_at", in(Duration.ofDays(1)),
                "poll", Map.of("options", java.util.List.of("this", "that"), "expires_in", "600", "multiple", true)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("ScheduledStatus", r.body());
        JsonNode poll = r.json().path("params").path("poll");
        assertThat(poll.path("options").get(1).asString()).isEqualTo("that");
        assertThat(poll.path("expires_in").isIntegralNumber()).isTrue();
        assertThat(poll.path("expires_in").asInt()).isEqualTo(600);
        assertThat(poll.path("multiple").asBoolean()).isTrue();

        String id = r.json().path("id").asString();
        assertThat(runJobsNow(id, null)).isEqualTo(1);
        await("the job to publish", () -> statusesWithText(alice, "which one?") == 1 && pendingJobs(id) == 0);
        JsonNode posted = http.get("/api/v1/accounts/" + alice.id() + "/statuses", alice.token()).json().get(0);
        MastodonSchemas.assertValid("Status", posted);
        assertThat(posted.path("poll").path("options").get(0).path("title").asString()).isEqualTo("this");
        assertThat(posted.path("poll").path("multiple").asBoolean()).isTrue();
    }

    @Test
    void rescheduleMovesItAndTheOldJobLeavesItAlone() throws Exception {
        User alice = user("alice");
        JsonNode s = scheduled(alice, "moved", in(Duration.ofHours(1)));
        String id = s.path("id").asString();
        Instant first = Instant.parse(s.path("scheduled_at").asString());
        String later = in(Duration.ofDays(3));

        Http.Response moved = put("/api/v1/scheduled_statuses/" + id, alice.token(), "{\"scheduled_at\":\"" + later + "\"}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        MastodonSchemas.assertValid("ScheduledStatus", moved.body());
        assertThat(Instant.parse(moved.json().path("scheduled_at").asString())).isEqualTo(Instant.parse(later));
        assertThat(pendingJobs(id)).isEqualTo(2);

        assertThat(runJobsNow(id, first)).isEqualTo(1);
        await("the stale job to run", () -> pendingJobs(id) == 1);
        assertThat(statusesWithText(alice, "moved")).as("not its time any more").isZero();
        assertThat(http.get("/api/v1/scheduled_statuses/" + id, alice.token()).status()).isEqualTo(200);

        assertThat(runJobsNow(id, Instant.parse(later))).isEqualTo(1);
        await("the current job to publish", () -> statusesWithText(alice, "moved") == 1);

        JsonNode unchanged = scheduled(alice, "kept", in(Duration.ofHours(5)));
        Http.Response same = put("/api/v1/scheduled_statuses/" + unchanged.path("id").asString(), alice.token(), "{}");
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().path("scheduled_at").asString()).isEqualTo(unchanged.path("scheduled_at").asString());
    }

    @Test
    void cancelledItIsNeverPosted() throws Exception {
        User alice = user("alice");
        String id = scheduled(alice, "never", in(Duration.ofHours(3))).path("id").asString();
        Http.Response cancelled = delete("/api/v1/scheduled_statuses/" + id, alice.token());
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body()).isEqualTo("{}");
        assertThat(http.get("/api/v1/scheduled_statuses/" + id, alice.token()).status()).isEqualTo(404);
        assertThat(delete("/api/v1/scheduled_statuses/" + id, alice.token()).status()).isEqualTo(404);

        runJobsNow(id, null);
        await("the job to run", () -> pendingJobs(id) == 0);
        assertThat(statusesWithText(alice, "never")).isZero();
    }

    @Test
    void badTimesAndBadPostsAreRefusedAndNothingIsKept() {
        User alice = user("alice");
        Http.Response soon = schedule(alice, Map.of("status", "too soon", "scheduled_at", in(Duration.ofMinutes(4))));
        assertThat(soon.status()).isEqualTo(422);
        assertThat(soon.json().path("error").asString())
                .isEqualTo("Validation failed: Scheduled at The scheduled date must be in the future");
        Http.Response garbage = schedule(alice, Map.of("status", "when?", "scheduled_at", "next tuesday"));
        assertThat(garbage.status()).isEqualTo(422);
        assertThat(garbage.json().path("error").asString()).isEqualTo("Record invalid");
        Http.Response blank = schedule(alice, Map.of("status", " ", "scheduled_at", in(Duration.ofHours(1))));
        assertThat(blank.status()).isEqualTo(422);
        assertThat(blank.json().path("error").asString()).isEqualTo("Validation failed: Text can't be blank");
        Http.Response badVisibility = schedule(alice, Map.of("status", "x", "visibility", "friends",
                "scheduled_at", in(Duration.ofHours(1))));
        assertThat(badVisibility.status()).isEqualTo(422);
        Http.Response nowhere = schedule(alice, Map.of("status", "x", "in_reply_to_id", "12345",
                "scheduled_at", in(Duration.ofHours(1))));
        assertThat(nowhere.status()).isEqualTo(422);
        assertThat(nowhere.json().path("error").asString()).isEqualTo("The post you are trying to reply to does not appear to exist.");
        assertThat(http.get("/api/v1/scheduled_statuses", alice.token()).json().size()).isZero();

        // As on Mastodon, a time already past posts at once.
        Http.Response past = schedule(alice, Map.of("status", "right away", "scheduled_at", in(Duration.ofMinutes(-1))));
        assertThat(past.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Status", past.body());
        assertThat(statusesWithText(alice, "right away")).isEqualTo(1);

        String id = scheduled(alice, "to move", in(Duration.ofHours(1))).path("id").asString();
        Http.Response backwards = put("/api/v1/scheduled_statuses/" + id, alice.token(),
                "{\"scheduled_at\":\"" + in(Duration.ofMinutes(-10)) + "\"}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.json().path("error").asString())
                .isEqualTo("Validation failed: Scheduled at The scheduled date must be in the future");
        assertThat(put("/api/v1/scheduled_statuses/" + id, alice.token(), "{\"scheduled_at\":\"soon\"}").status()).isEqualTo(422);
    }

    @Test
    void atMost25ADayAnd300InAll() {
        User busy = user("busy");
        String day = Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(1)).toString();
        for (int i = 0; i < 25; i++) {
            scheduled(busy, "post " + i, day);
        }
        Http.Response over = schedule(busy, Map.of("status", "one more", "scheduled_at", day));
        assertThat(over.status()).isEqualTo(422);
        assertThat(over.json().path("error").asString())
                .isEqualTo("Validation failed: You have exceeded the limit of 25 scheduled posts for today");
        String nextDay = Instant.parse(day).plus(Duration.ofDays(1)).toString();
        String elsewhere = scheduled(busy, "another day", nextDay).path("id").asString();
        assertThat(put("/api/v1/scheduled_statuses/" + elsewhere, busy.token(), "{\"scheduled_at\":\"" + day + "\"}").status())
                .as("moving onto a full day").isEqualTo(422);

        User prolific = user("prolific");
        jdbi.useHandle(h -> h.execute("""
                INSERT INTO scheduled_statuses (account_id, scheduled_at, params)
                SELECT ?, now() + g * interval '1 day', '{"text":"filler"}' FROM generate_series(1, 300) g""", prolific.id()));
        Http.Response full = schedule(prolific, Map.of("status", "too many", "scheduled_at", in(Duration.ofDays(400))));
        assertThat(full.status()).isEqualTo(422);
        assertThat(full.json().path("error").asString())
                .isEqualTo("Validation failed: You have exceeded the limit of 300 scheduled posts");
    }

    @Test
    void listsPageByIdWithLinkHeaders() {
        User pager = user("pager");
        String a = scheduled(pager, "a", in(Duration.ofHours(1))).path("id").asString();
        String b = scheduled(pager, "b", in(Duration.ofHours(2))).path("id").asString();
        String c = scheduled(pager, "c", in(Duration.ofHours(3))).path("id").asString();
        Http.Response first = http.get("/api/v1/scheduled_statuses?limit=2", pager.token());
        assertThat(ids(first.json())).containsExactly(c, b);
        Map<String, String> links = links(first.header("Link"));
        assertThat(links.get("next")).isEqualTo(server.baseUrl + "/api/v1/scheduled_statuses?limit=2&max_id=" + b);
        assertThat(links.get("prev")).isEqualTo(server.baseUrl + "/api/v1/scheduled_statuses?limit=2&min_id=" + c);
        assertThat(ids(http.get(links.get("next"), pager.token()).json())).containsExactly(a);
        assertThat(ids(http.get("/api/v1/scheduled_statuses?min_id=" + a + "&limit=1", pager.token()).json())).containsExactly(b);
    }

    @Test
    void onlyTheAuthorSeesAndChangesThemAndScopesAreChecked() {
        User alice = user("alice");
        User eve = user("eve");
        String id = scheduled(alice, "mine", in(Duration.ofHours(1))).path("id").asString();
        String path = "/api/v1/scheduled_statuses/" + id;

        assertThat(http.get(path, eve.token()).status()).isEqualTo(404);
        assertThat(put(path, eve.token(), "{\"scheduled_at\":\"" + in(Duration.ofHours(9)) + "\"}").status()).isEqualTo(404);
        assertThat(delete(path, eve.token()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/scheduled_statuses", eve.token()).json().size()).isZero();

        assertThat(http.get(path).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/scheduled_statuses").status()).isEqualTo(401);
        String readOnly = server.token(alice.name(), "read");
        String writeOnly = server.token(alice.name(), "write");
        assertThat(http.get(path, writeOnly).status()).isEqualTo(403);
        assertThat(put(path, readOnly, "{}").status()).isEqualTo(403);
        assertThat(delete(path, readOnly).status()).isEqualTo(403);
        assertThat(http.postJson("/api/v1/statuses", readOnly, "{\"status\":\"x\",\"scheduled_at\":\""
                + in(Duration.ofHours(1)) + "\"}").status()).isEqualTo(403);
        assertThat(http.get(path, server.token(alice.name(), "read:statuses")).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/scheduled_statuses/nonsense", alice.token()).status()).isEqualTo(404);
    }

    static java.util.List<String> ids(JsonNode array) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        array.forEach(n -> ids.add(n.path("id").asString()));
        return ids;
    }

    static Map<String, String> links(String header) {
        assertThat(header).as("Link header").isNotNull();
        Map<String, String> links = new HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<([^>]+)>; rel=\"(\\w+)\"").matcher(header);
        while (m.find()) {
            links.put(m.group(2), m.group(1));
        }
        return links;
    }
}
