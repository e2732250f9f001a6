package social.caravan.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import social.caravan.App;
import social.caravan.core.json.Json;
import social.caravan.core.queue.JobTypes;
import social.caravan.core.queue.Queues;
import social.caravan.core.queue.Worker;
import social.caravan.statuses.StatusService;
import social.caravan.timelines.FeedService;

/**
 * One post by the account every other one follows (10,000 followers, all active), fanned out to
 * their home feeds. Two ways:
 * <ul>
 *   <li>through the queue: POST /api/v1/statuses (which enqueues {@code timelines.fanout} in its
 *       transaction) and a {@link Worker} on the default queue whose handler is
 *       {@link FeedService#fanout}, timed; from the POST's answer to the handler's end, and to the
 *       job's row leaving the table;</li>
 *   <li>directly: a status row made by SQL, then {@link FeedService#fanout} called and timed.</li>
 * </ul>
 * A warm-up round of each first; between rounds the post is deleted (its entries with it) so
 * every round starts from the same feeds.
 */
final class FanoutRun {
    static final double TARGET_SECONDS = 2.0;

    private final App app;
    private final Jdbi jdbi;
    private final Fixture fixture;
    private final String baseUrl;
    private final FeedService feeds;
    private final Map<Long, long[]> handled = new ConcurrentHashMap<>();

    FanoutRun(App app, Jdbi jdbi, Fixture fixture, String baseUrl) {
        this.app = app;
        this.jdbi = jdbi;
        this.fixture = fixture;
        this.baseUrl = baseUrl;
        this.feeds = new FeedService(app.database().jdbi(), app.notifications(), app.queue(), app.config().activeDays(), app.bus());
    }

    TimelineBench.Verdict run(int rounds) throws Exception {
        System.out.println();
        int followers = jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) FROM follows f JOIN home_feeds hf ON hf.account_id = f.account_id
                         WHERE f.target_account_id = :star AND hf.active_at > now() - interval '7 days'""")
                .bind("star", fixture.starId()).mapTo(Integer.class).one());
        System.out.printf("Fan-out: one public post by @star, followed by %,d local accounts with active home feeds%n", followers);
        JobTypes types = new JobTypes().register(StatusService.FANOUT_JOB, job -> {
            long start = System.nanoTime();
            long statusId = job.payload(StatusService.Fanout.class).statusId();
            feeds.fanout(statusId);
            handled.put(statusId, new long[] {start, System.nanoTime()});
        });
        List<Double> queued = new ArrayList<>();
        double cold = 0;
        List<Double> direct = new ArrayList<>();
        try (Worker worker = new Worker(app.database().jdbi(), app.database()::dedicatedConnection, types,
                new Worker.Settings(List.of(Queues.DEFAULT), app.config().workerConcurrency(), app.config().queueLeaseSeconds()),
                new SimpleMeterRegistry()).start()) {
            TimelineBench.sleep(500);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int round = 0; round <= rounds; round++) {
                String label = round == 0 ? "warm-up" : "round " + round;
                double seconds = viaWorker(client, label, followers);
                queued.add(round == 0 ? null : seconds);
                if (round == 0) {
                    cold = seconds;
                }
            }
        }
        for (int round = 0; round <= rounds; round++) {
            String label = round == 0 ? "warm-up" : "round " + round;
            double seconds = directly(label, followers);
            direct.add(round == 0 ? null : seconds);
        }
        List<Double> measured = queued.stream().filter(java.util.Objects::nonNull).sorted().toList();
        List<Double> measuredDirect = direct.stream().filter(java.util.Objects::nonNull).sorted().toList();
        // The verdict takes the worst post, the first (cold) one included.
        double worst = Math.max(cold, measured.getLast());
        System.out.printf(Locale.ROOT, "  through the worker, POST answered -> fan-out done: median %.3f s, worst %.3f s,"
                        + " first post after start %.3f s; FeedService.fanout alone: median %.3f s, worst %.3f s%n",
                measured.get(measured.size() / 2), measured.getLast(), cold, measuredDirect.get(measuredDirect.size() / 2),
                measuredDirect.getLast());
        return new TimelineBench.Verdict("one post to " + String.format(Locale.ROOT, "%,d", followers)
                + " followers' feeds in under 2 s", String.format(Locale.ROOT, "median %.2f s, worst %.2f s", measured.get(
                        measured.size() / 2), worst), worst < TARGET_SECONDS);
    }

    /** Returns seconds from the POST's answer (the job is committed) to the handler's end. */
    private double viaWorker(HttpClient client, String label, int followers) throws Exception {
        String body = Json.write(Map.of("status", "Fan-out " + label + " at " + java.time.Instant.now()
                + ": a post every follower should see #caravan", "visibility", "public"));
        HttpRequest post = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/statuses"))
                .header("Authorization", "Bearer " + fixture.starToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long sent = System.nanoTime();
        HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
        long answered = System.nanoTime();
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST /api/v1/statuses answered " + response.statusCode() + ": " + response.body());
        }
        long id = Long.parseLong(Json.read(response.body()).get("id").asString());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!handled.containsKey(id)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the fan-out job of status " + id + " did not run within 60 s");
            }
            Thread.onSpinWait();
            Thread.sleep(0, 200_000);
        }
        long[] times = handled.get(id);
        long gone;
        while (true) {
            boolean present = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE unique_key = :k")
                    .bind("k", "fanout:" + id).mapTo(Integer.class).one() > 0);
            if (!present) {
                gone = System.nanoTime();
                break;
            }
            Thread.sleep(1);
        }
        int entries = entries(id);
        System.out.printf(Locale.ROOT, "  worker %-8s POST %5.1f ms; picked up %+6.1f ms after the answer; FeedService.fanout %6.3f s;"
                        + " answer -> done %6.3f s; sent -> job row gone %6.3f s; %,d feed entries%n", label,
                (answered - sent) / 1e6, (times[0] - answered) / 1e6, (times[1] - times[0]) / 1e9,
                (times[1] - answered) / 1e9, (gone - sent) / 1e9, entries);
        check(entries, followers);
        fixture.cleanUp(jdbi);
        return (times[1] - answered) / 1e9;
    }

    private double directly(String label, int followers) {
        long id = jdbi.withHandle(h -> {
            long made = h.createQuery("""
                            INSERT INTO statuses (account_id, text, content, visibility, language)
                            VALUES (:star, 'Direct fan-out', '<p>Direct fan-out</p>', 'public', 'en') RETURNING id""")
                    .bind("star", fixture.starId()).mapTo(Long.class).one();
            h.createUpdate("UPDATE statuses SET conversation_id = id WHERE id = :id").bind("id", made).execute();
            h.createUpdate("INSERT INTO status_stats (status_id) VALUES (:id)").bind("id", made).execute();
            return made;
        });
        long start = System.nanoTime();
        feeds.fanout(id);
        double seconds = (System.nanoTime() - start) / 1e9;
        int entries = entries(id);
        System.out.printf(Locale.ROOT, "  direct %-8s FeedService.fanout %6.3f s; %,d feed entries%n", label, seconds, entries);
        check(entries, followers);
        fixture.cleanUp(jdbi);
        return seconds;
    }

    private int entries(long statusId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM home_feed_entries WHERE entry_id = :id")
                .bind("id", statusId).mapTo(Integer.class).one());
    }

    private static void check(int entries, int followers) {
        if (entries != followers + 1) {
            throw new IllegalStateException("the post reached " + entries + " feeds, expected " + (followers + 1)
                    + " (every follower and the author)");
        }
    }
}
