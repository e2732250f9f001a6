package social.caravan.timelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;

/**
 * A web-only test server and the feed service on its database: tests run fan-out and rebuild jobs
 * themselves, in order. Follows, blocks and mutes are rows written with SQL.
 */
final class TimelineFixture implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    record User(long id, String name, String token) {
        String sid() {
            return Long.toString(id);
        }
    }

    final TestServer server;
    final Http http;
    final Jdbi jdbi;
    final FeedService feeds;

    TimelineFixture() {
        server = TestServer.start();
        http = server.http;
        jdbi = server.app.database().jdbi();
        feeds = new FeedService(jdbi, server.app.notifications(), server.app.queue(), 7, server.app.bus());
    }

    /** A new local account with a read/write token. */
    User user(String prefix) {
        String name = prefix + NAMES.incrementAndGet();
        long id = server.createAccount(name);
        return new User(id, name, server.token(name, "read write"));
    }

    /** A new account that reads its home feed, so fan-out fills it. */
    User reader(String prefix) {
        User u = user(prefix);
        active(u);
        return u;
    }

    void active(User u) {
        sql("INSERT INTO home_feeds (account_id, active_at) VALUES (?, now()) ON CONFLICT (account_id) DO UPDATE SET active_at = now()", u.id());
    }

    void follow(User follower, User target) {
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", follower.id(), target.id());
    }

    void sql(String sql, Object... args) {
        jdbi.useHandle(h -> h.execute(sql, args));
    }

    long number(String sql, Object... args) {
        return jdbi.withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
    }

    /** Posts over HTTP and fans the status out; returns its id. */
    String post(User u, Map<String, Object> body) {
        String id = postOnly(u, body);
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    String post(User u, String text) {
        return post(u, Map.of("status", text));
    }

    String postOnly(User u, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", u.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    /** Boosts over HTTP and fans the boost out; returns the boost's id. */
    String boost(User u, String statusId) {
        Http.Response r = http.postJson("/api/v1/statuses/" + statusId + "/reblog", u.token(), "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    /** The entries of a feed as stored, newest first. */
    List<String> feed(User u) {
        return jdbi.withHandle(h -> h.select("SELECT entry_id FROM home_feed_entries WHERE account_id = ? ORDER BY entry_id DESC", u.id())
                .mapTo(Long.class).list()).stream().map(String::valueOf).toList();
    }

    /** GET a listing of statuses, checked against Mastodon's Status schema; returns the ids in order. */
    List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.body()).isIn(200, 206);
        MastodonSchemas.assertValidArray("Status", r.body());
        List<String> ids = new ArrayList<>();
        r.json().forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    List<String> ids(String path, User viewer) {
        return ids(viewer == null ? http.get(path) : http.get(path, viewer.token()));
    }

    @Override
    public void close() {
        server.close();
    }
}
