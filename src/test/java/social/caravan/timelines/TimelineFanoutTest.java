package social.caravan.timelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.TestServer;
import social.caravan.timelines.TimelineFixture.User;

/** Who a new status or boost reaches on write, rule by rule, as Mastodon's home feeds decide. */
class TimelineFanoutTest {
    static TimelineFixture f;

    @BeforeAll
    static void start() {
        f = new TimelineFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void postsReachTheAuthorAndActiveFollowersOnly() {
        User author = f.reader("author");
        User follower = f.reader("follower");
        User idle = f.user("idle");
        User stranger = f.reader("stranger");
        f.follow(follower, author);
        f.follow(idle, author);

        String pub = f.post(author, "public");
        String unlisted = f.post(author, Map.of("status", "unlisted", "visibility", "unlisted"));
        String priv = f.post(author, Map.of("status", "private", "visibility", "private"));

        assertThat(f.feed(follower)).containsExactly(priv, unlisted, pub);
        assertThat(f.feed(author)).containsExactly(priv, unlisted, pub);
        assertThat(f.feed(idle)).as("not read in the active days: rebuilt when back").isEmpty();
        assertThat(f.feed(stranger)).isEmpty();

        f.sql("UPDATE home_feeds SET active_at = now() - interval '8 days' WHERE account_id = ?", follower.id());
        f.post(author, "while away");
        assertThat(f.feed(follower)).hasSize(3);

        User idleAuthor = f.user("idleauthor");
        f.follow(follower, idleAuthor);
        f.active(follower);
        String fromIdle = f.post(idleAuthor, "posted without reading");
        assertThat(f.feed(follower)).contains(fromIdle);
        assertThat(f.feed(idleAuthor)).as("an inactive author's feed is rebuilt when it is read again").isEmpty();
    }

    @Test
    void aRunTwiceChangesNothing() {
        User author = f.user("author");
        User follower = f.reader("follower");
        f.follow(follower, author);
        f.sql("UPDATE follows SET notify = true WHERE account_id = ?", follower.id());
        String id = f.post(author, "once");
        f.feeds.fanout(Long.parseLong(id));

        assertThat(f.feed(follower)).containsExactly(id);
        assertThat(f.number("SELECT entries FROM home_feeds WHERE account_id = ?", follower.id())).isEqualTo(1);
        assertThat(f.number("SELECT count(*) FROM notifications WHERE account_id = ? AND type = 'status'", follower.id()))
                .isEqualTo(1);
    }

    @Test
    void directPostsReachOnlyTheMentionedFollowers() {
        User author = f.reader("author");
        User mentionedFollower = f.reader("mf");
        User follower = f.reader("follower");
        User mentionedStranger = f.reader("ms");
        f.follow(mentionedFollower, author);
        f.follow(follower, author);

        String dm = f.post(author, Map.of("status", "@" + mentionedFollower.name() + " @" + mentionedStranger.name() + " psst",
                "visibility", "direct"));

        assertThat(f.feed(mentionedFollower)).containsExactly(dm);
        assertThat(f.feed(author)).containsExactly(dm);
        assertThat(f.feed(follower)).isEmpty();
        assertThat(f.feed(mentionedStranger)).as("Mastodon delivers direct posts to mentioned followers").isEmpty();
    }

    @Test
    void repliesReachFollowersOfBothSidesTheAddresseeAndEveryoneForSelfReplies() {
        User author = f.user("author");
        User other = f.reader("other");
        User both = f.reader("both");
        User onlyAuthor = f.reader("onlya");
        f.follow(both, author);
        f.follow(both, other);
        f.follow(onlyAuthor, author);
        f.follow(other, author);

        String root = f.post(other, "a question");
        String reply = f.post(author, Map.of("status", "an answer", "in_reply_to_id", root));
        assertThat(f.feed(both)).contains(reply);
        assertThat(f.feed(onlyAuthor)).doesNotContain(reply);
        assertThat(f.feed(other)).as("a reply to the follower itself").contains(reply);

        String thread = f.post(author, "1/2");
        String selfReply = f.post(author, Map.of("status", "2/2", "in_reply_to_id", thread));
        assertThat(f.feed(onlyAuthor)).contains(thread, selfReply);
    }

    @Test
    void boostsSkipHiddenReblogsTheOriginalsAuthorAndWhatIsAlreadyNearTheTop() {
        User writer = f.reader("writer");
        User booster = f.reader("booster");
        User booster2 = f.reader("boosterb");
        User reader = f.reader("reader");
        User hider = f.reader("hider");
        f.follow(reader, booster);
        f.follow(reader, booster2);
        f.follow(writer, booster);
        f.follow(hider, booster);
        f.sql("UPDATE follows SET show_reblogs = false WHERE account_id = ?", hider.id());

        String original = f.post(writer, "boost me");
        String boost = f.boost(booster, original);
        assertThat(f.feed(reader)).containsExactly(boost);
        assertThat(f.feed(booster)).containsExactly(boost);
        assertThat(f.feed(writer)).as("one's own post boosted").containsExactly(original);
        assertThat(f.feed(hider)).isEmpty();

        String second = f.boost(booster2, original);
        assertThat(f.feed(reader)).as("another boost of it is among the recent entries").containsExactly(boost);
        assertThat(f.feed(booster2)).containsExactly(second);

        // Once the first boost has sunk below the 40 newest entries, a new boost shows again.
        User chatter = f.user("chatter");
        f.follow(reader, chatter);
        for (int i = 0; i < FeedService.RECENT_ENTRIES; i++) {
            f.post(chatter, "chatter " + i);
        }
        User booster3 = f.user("boosterc");
        f.follow(reader, booster3);
        String third = f.boost(booster3, original);
        assertThat(f.feed(reader).get(0)).isEqualTo(third);
    }

    @Test
    void anOriginalArrivingAfterABoostOfItIsNotShownTwice() {
        User writer = f.user("writer");
        User booster = f.user("booster");
        User reader = f.reader("reader");
        f.follow(reader, writer);
        f.follow(reader, booster);

        String original = f.postOnly(writer, Map.of("status", "slow fan-out"));
        String boost = f.boost(booster, original);
        f.feeds.fanout(Long.parseLong(original));
        assertThat(f.feed(reader)).containsExactly(boost);
    }

    @Test
    void nothingFromBlockedOrMutedAccountsOrBlockedDomains() {
        User author = f.user("author");
        User blocker = f.reader("blocker");
        User muter = f.reader("muter");
        User expired = f.reader("expired");
        User mentionBlocker = f.reader("mblocker");
        User domainBlocker = f.reader("dblocker");
        User annoying = f.user("annoying");
        for (User u : List.of(blocker, muter, expired, mentionBlocker, domainBlocker)) {
            f.follow(u, author);
        }
        f.sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", blocker.id(), author.id());
        f.sql("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", muter.id(), author.id());
        f.sql("INSERT INTO mutes (account_id, target_account_id, expires_at) VALUES (?, ?, now() - interval '1 minute')",
                expired.id(), author.id());
        f.sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", mentionBlocker.id(), annoying.id());

        String plain = f.post(author, "hello");
        String mentioning = f.post(author, "hello @" + annoying.name());
        assertThat(f.feed(blocker)).isEmpty();
        assertThat(f.feed(muter)).isEmpty();
        assertThat(f.feed(expired)).as("an expired mute hides nothing").containsExactly(mentioning, plain);
        assertThat(f.feed(mentionBlocker)).containsExactly(plain);

        // A boost of a post from a domain the follower blocks.
        long remote = f.number("INSERT INTO accounts (username, domain, public_key) VALUES ('far', 'Remote.Example', 'k') RETURNING id");
        long remotePost = f.number("INSERT INTO statuses (account_id, content, visibility) VALUES (?, '<p>far away</p>', 'public') RETURNING id",
                remote);
        f.sql("INSERT INTO status_stats (status_id) VALUES (?)", remotePost);
        f.sql("INSERT INTO account_domain_blocks (account_id, domain) VALUES (?, 'remote.example')", domainBlocker.id());
        String boost = f.boost(author, Long.toString(remotePost));
        assertThat(f.feed(domainBlocker)).doesNotContain(boost).contains(plain);
        assertThat(f.feed(expired)).contains(boost);
    }

    @Test
    void theFollowsLanguagesFilterPosts() {
        User author = f.user("author");
        User germanOnly = f.reader("de");
        f.follow(germanOnly, author);
        f.sql("UPDATE follows SET languages = ARRAY['de'] WHERE account_id = ?", germanOnly.id());

        String german = f.post(author, Map.of("status", "Hallo", "language", "de"));
        f.post(author, Map.of("status", "Hello", "language", "en"));
        assertThat(f.feed(germanOnly)).containsExactly(german);
    }

    @Test
    void followersWhoAskedAreNotifiedOfPostsButNotOfBoostsOrRepliesToOthers() {
        User author = f.user("author");
        User bell = f.reader("bell");
        User away = f.user("away");
        User quiet = f.reader("quiet");
        User someone = f.user("someone");
        f.follow(bell, author);
        f.follow(away, author);
        f.follow(quiet, author);
        f.sql("UPDATE follows SET notify = true WHERE account_id IN (?, ?)", bell.id(), away.id());

        String post = f.post(author, "news");
        f.post(author, Map.of("status", "@" + someone.name() + " a reply",
                "in_reply_to_id", f.post(someone, "to someone")));
        f.boost(author, f.post(someone, "boosted"));

        String statusNotifications = "SELECT count(*) FROM notifications WHERE account_id = ? AND type = 'status'";
        assertThat(f.number(statusNotifications, bell.id())).isEqualTo(1);
        assertThat(f.number("SELECT status_id FROM notifications WHERE account_id = ? AND type = 'status'", bell.id()))
                .isEqualTo(Long.parseLong(post));
        assertThat(f.number(statusNotifications, away.id())).as("notified though its feed is not filled").isEqualTo(1);
        assertThat(f.number(statusNotifications, quiet.id())).isZero();
    }

    @Test
    void aFeedIsCutBackToItsNewest400() {
        User author = f.user("author");
        User reader = f.reader("reader");
        f.follow(reader, author);
        // 439 older entries, written directly.
        f.sql("""
                WITH made AS (INSERT INTO statuses (account_id, content, visibility)
                              SELECT ?, 'old', 'public' FROM generate_series(1, 439) RETURNING id)
                INSERT INTO home_feed_entries (account_id, entry_id) SELECT ?, id FROM made""", author.id(), reader.id());
        f.sql("UPDATE home_feeds SET entries = 439 WHERE account_id = ?", reader.id());
        long oldestKept = f.number("""
                SELECT entry_id FROM home_feed_entries WHERE account_id = ? ORDER BY entry_id DESC OFFSET 398 LIMIT 1""",
                reader.id());

        String fresh = f.post(author, "the 440th");
        List<String> feed = f.feed(reader);
        assertThat(feed).hasSize(FeedService.MAX_ENTRIES);
        assertThat(feed.get(0)).isEqualTo(fresh);
        assertThat(feed.get(feed.size() - 1)).isEqualTo(Long.toString(oldestKept));
        assertThat(f.number("SELECT entries FROM home_feeds WHERE account_id = ?", reader.id())).isEqualTo(400);
    }

    @Test
    void aRebuildFillsTheFeedByTheSameRulesAndAMergeAddsANewFollow() {
        User author = f.user("author");
        User other = f.user("other");
        User booster = f.user("booster");
        User muted = f.user("muted");
        User returning = f.user("back");
        f.follow(returning, author);
        f.follow(returning, booster);
        f.follow(returning, muted);
        f.sql("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", returning.id(), muted.id());

        String own = f.post(returning, "my own");
        String post = f.post(author, "while you were away");
        String priv = f.post(author, Map.of("status", "followers only", "visibility", "private"));
        String replyToOther = f.post(author, Map.of("status", "hi", "in_reply_to_id", f.post(other, "unfollowed")));
        String boostOfPost = f.boost(booster, post);
        String boostOfOther = f.boost(booster, f.post(other, "boost-worthy"));
        f.post(muted, "muted");
        assertThat(f.feed(returning)).isEmpty();

        f.feeds.rebuild(returning.id());
        assertThat(f.feed(returning)).containsExactlyInAnyOrder(own, post, priv, boostOfOther)
                .doesNotContain(replyToOther, boostOfPost);

        User later = f.user("later");
        String earlier = f.post(later, "before the follow");
        f.follow(returning, later);
        f.feeds.merge(returning.id(), later.id());
        assertThat(f.feed(returning)).as("a merge only fills active feeds").doesNotContain(earlier);
        f.active(returning);
        f.feeds.merge(returning.id(), later.id());
        assertThat(f.feed(returning)).contains(earlier);
    }

    @Test
    void oneStatusReachesTenThousandFollowers() {
        User star = f.reader("star");
        f.sql("""
                WITH fans AS (INSERT INTO accounts (username, public_key)
                              SELECT 'fan' || g, 'k' FROM generate_series(1, 10000) g RETURNING id),
                     feeds AS (INSERT INTO home_feeds (account_id, active_at) SELECT id, now() FROM fans)
                INSERT INTO follows (account_id, target_account_id) SELECT id, ? FROM fans""", star.id());
        f.sql("ANALYZE");
        String id = f.postOnly(star, Map.of("status", "hello, all of you"));

        long started = System.nanoTime();
        f.feeds.fanout(Long.parseLong(id));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("fan-out of one status to 10,000 followers: %d ms%n", took.toMillis());

        assertThat(f.number("SELECT count(*) FROM home_feed_entries WHERE entry_id = ?", Long.parseLong(id))).isEqualTo(10_001);
        assertThat(f.number("""
                SELECT count(*) FROM home_feeds h JOIN follows fo ON fo.account_id = h.account_id
                 WHERE fo.target_account_id = ? AND h.entries = 1""", star.id())).isEqualTo(10_000);
    }

    @Test
    void theWorkerRunsFanOutAndRebuildJobs() throws InterruptedException {
        try (TestServer withWorker = TestServer.startWithWorker()) {
            withWorker.createAccount("writer");
            withWorker.createAccount("reader");
            String writer = withWorker.token("writer", "read write");
            String reader = withWorker.token("reader", "read write");
            long writerId = withWorker.app.accounts().findLocal("writer").orElseThrow().id();
            long readerId = withWorker.app.accounts().findLocal("reader").orElseThrow().id();
            withWorker.app.database().jdbi().useHandle(h -> h.execute(
                    "INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", readerId, writerId));
            String first = withWorker.http.postJson("/api/v1/statuses", writer, "{\"status\":\"first\"}").json().path("id").asString();

            // The first read finds an empty feed being rebuilt; the rebuild job brings the post in.
            assertThat(withWorker.http.get("/api/v1/timelines/home", reader).status()).isEqualTo(206);
            until(withWorker, reader, first);

            // From now on fan-out fills the feed.
            String second = withWorker.http.postJson("/api/v1/statuses", writer, "{\"status\":\"second\"}").json().path("id").asString();
            assertThat(until(withWorker, reader, second).body()).contains(first);
        }
    }

    /** Reads home until it is complete (200) and shows the status. */
    private static Http.Response until(TestServer server, String token, String statusId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Http.Response r = server.http.get("/api/v1/timelines/home", token);
            if (r.status() == 200 && r.body().contains("\"id\":\"" + statusId + "\"")) {
                return r;
            }
            assertThat(Instant.now()).as("home never showed " + statusId + ": " + r).isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
