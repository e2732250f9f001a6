package social.caravan.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.json.Json;
import social.caravan.timelines.FeedService;
import tools.jackson.databind.JsonNode;

/**
 * A web-only test server with people who post, follow, block and favourite over HTTP. Fan-out jobs
 * are run by the test itself ({@link #post} does), so home feeds are filled in a known order.
 */
public final class Community implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"(next|prev)\"");

    public record User(long id, String name, String token) {
        public String sid() {
            return Long.toString(id);
        }
    }

    public final TestServer server;
    public final Http http;
    public final Jdbi jdbi;
    public final FeedService feeds;

    public Community() {
        this(Map.of());
    }

    /** With extra environment variables (e.g. CARAVAN_REGISTRATIONS=approval). */
    public Community(Map<String, String> env) {
        server = TestServer.start(env);
        http = server.http;
        jdbi = server.app.database().jdbi();
        feeds = new FeedService(jdbi, server.app.notifications(), server.app.queue(), 7, server.app.bus());
    }

    /** A new local account with a read/write/follow token. */
    public User user(String prefix) {
        String name = prefix + NAMES.incrementAndGet();
        long id = server.createAccount(name);
        return new User(id, name, server.token(name, "read write follow"));
    }

    /** A new account that reads its home feed, so fan-out fills it. */
    public User reader(String prefix) {
        User u = user(prefix);
        sql("INSERT INTO home_feeds (account_id, active_at) VALUES (?, now())", u.id());
        return u;
    }

    /** A token of the account with exactly these scopes. */
    public String token(User u, String scopes) {
        return server.token(u.name(), scopes);
    }

    /** POSTs one of the relationship verbs (follow, block, mute, ...) and expects it to work. */
    public void act(User actor, User target, String verb) {
        Http.Response r = http.postJson("/api/v1/accounts/" + target.id() + "/" + verb, actor.token(), "{}");
        assertThat(r.status()).as("%s: %s", verb, r).isEqualTo(200);
    }

    public void follow(User follower, User target) {
        act(follower, target, "follow");
    }

    /** Posts over HTTP and fans the status out; returns its id. */
    public String post(User u, Map<String, Object> body) {
        Http.Response r = http.postJson("/api/v1/statuses", u.token(), Json.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asString();
        feeds.fanout(Long.parseLong(id));
        return id;
    }

    public String post(User u, String text) {
        return post(u, Map.of("status", text));
    }

    public String post(User u, String text, String visibility) {
        return post(u, Map.of("status", text, "visibility", visibility));
    }

    /** POSTs a verb on a status (favourite, reblog, ...) and expects it to work; fans boosts out. */
    public void onStatus(User actor, String statusId, String verb) {
        Http.Response r = http.postJson("/api/v1/statuses/" + statusId + "/" + verb, actor.token(), "{}");
        assertThat(r.status()).as("%s: %s", verb, r).isEqualTo(200);
        if (verb.equals("reblog")) {
            feeds.fanout(Long.parseLong(r.json().path("id").asString()));
        }
    }

    public void sql(String sql, Object... args) {
        jdbi.useHandle(h -> h.execute(sql, args));
    }

    public long number(String sql, Object... args) {
        return jdbi.withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
    }

    /** A 200 answer to a GET, its body parsed. */
    public JsonNode ok(String path, String token) {
        Http.Response r = token == null ? http.get(path) : http.get(path, token);
        assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(200);
        return r.json();
    }

    /** The ids in a JSON array of entities, in order. */
    public static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.path("id").asString()));
        return ids;
    }

    /** The Link header's {@code next} and {@code prev} URLs; absent ones are missing from the map. */
    public static Map<String, String> links(Http.Response r) {
        Map<String, String> links = new java.util.HashMap<>();
        String header = r.header("Link");
        if (header != null) {
            Matcher m = LINK.matcher(header);
            while (m.find()) {
                links.put(m.group(2), m.group(1));
            }
        }
        return links;
    }

    /** The home timeline's status ids, as the reader gets them. */
    public List<String> home(User reader) {
        JsonNode body = ok("/api/v1/timelines/home?limit=40", reader.token());
        MastodonSchemas.assertValidArray("Status", body);
        return ids(body);
    }

    @Override
    public void close() {
        server.close();
    }
}
