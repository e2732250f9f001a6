package social.caravan.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.json.Json;
import social.caravan.timelines.FeedService;

/**
 * A web-only test server with shortcuts for tests that act as several people: fresh accounts,
 * posts over HTTP (fanned out to home feeds by the test itself), relationships written as rows,
 * and PUT/DELETE requests.
 */
public final class ApiFixture implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    public record Person(long id, String name, String token) {
        public String sid() {
            return Long.toString(id);
        }
    }

    public final TestServer server;
    public final Http http;
    public final Jdbi jdbi;
    private final FeedService feeds;

    public ApiFixture() {
        server = TestServer.start();
        http = server.http;
        jdbi = server.app.database().jdbi();
        feeds = new FeedService(jdbi, server.app.notifications(), server.app.queue(), 7, server.app.bus());
    }

    /** A new local account with a read/write token, whose home feed is kept. */
    public Person person(String prefix) {
        String name = prefix + NAMES.incrementAndGet();
        long id = server.createAccount(name);
        sql("INSERT INTO home_feeds (account_id, active_at) VALUES (?, now())", id);
        return new Person(id, name, server.token(name, "read write"));
    }

    public String token(Person p, String scopes) {
        return server.token(p.name(), scopes);
    }

    /** Posts over HTTP and fans the status out to followers' home feeds; returns its id. */
    public String post(Person author, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", author.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    public String post(Person author, String text) {
        return post(author, Map.of("status", text));
    }

    /** Boosts over HTTP and fans the boost out; returns the boost's id. */
    public String boost(Person who, String statusId) {
        Http.Response r = http.postJson("/api/v1/statuses/" + statusId + "/reblog", who.token(), "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    public void follow(Person follower, Person target) {
        sql("INSERT INTO follows (account_id, target_account_id) VALUES (?, ?)", follower.id(), target.id());
    }

    public void block(Person blocker, Person target) {
        sql("INSERT INTO blocks (account_id, target_account_id) VALUES (?, ?)", blocker.id(), target.id());
    }

    public void mute(Person muter, Person target) {
        sql("INSERT INTO mutes (account_id, target_account_id) VALUES (?, ?)", muter.id(), target.id());
    }

    public void sql(String sql, Object... args) {
        jdbi.useHandle(h -> h.execute(sql, args));
    }

    public Http.Response put(String path, String token, String json) {
        return http.send(http.request(path).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Http.Response delete(String path, String token) {
        HttpRequest.Builder b = http.request(path).DELETE();
        return http.send((token == null ? b : b.header("Authorization", "Bearer " + token)).build());
    }

    /** The ids of a listing of statuses, each checked against Mastodon's Status schema. */
    public static List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.body()).isIn(200, 206);
        MastodonSchemas.assertValidArray("Status", r.body());
        List<String> ids = new java.util.ArrayList<>();
        r.json().forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    @Override
    public void close() {
        server.close();
    }
}
