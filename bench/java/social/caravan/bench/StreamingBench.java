package social.caravan.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import social.caravan.App;
import social.caravan.core.config.Config;
import social.caravan.core.json.Json;

/**
 * 10,000 WebSocket clients on one streaming node (a JVM of its own), subscribed to {@code public};
 * public posts made on the web node (this JVM) reach all of them. See bench/streaming.sh.
 */
public final class StreamingBench {
    private static final int CLIENTS = Integer.getInteger("bench.clients", intEnv("BENCH_CLIENTS", 10_000));
    private static final int ROUNDS = intEnv("BENCH_ROUNDS", 10);
    /** Posts before the measured ones, while both JVMs compile the paths they take. */
    private static final int WARMUP = intEnv("BENCH_WARMUP", 5);
    private static final String METRICS_TOKEN = "bench-metrics";

    private StreamingBench() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of("target/bench/streaming-data").toAbsolutePath();
        deleteTree(dataDir);
        int webPort = freePort();
        int streamPort = freePort();
        String domain = "127.0.0.1:" + webPort;
        Map<String, String> env = Map.of("CARAVAN_DATA_DIR", dataDir.toString(), "PORT", Integer.toString(webPort),
                "LOCAL_DOMAIN", domain, "DB_POOL", "10", "CARAVAN_METRICS_TOKEN", METRICS_TOKEN);
        Process node = null;
        App web = App.open(Config.from(env)).serve(EnumSet.of(App.ProcessRole.WEB));
        try {
            long started = System.nanoTime();
            List<String> tokens = accounts(web);
            String poster = web.auth().issueOperatorToken(
                    web.accounts().findLocal("poster").orElseThrow().id(), Set.of("read", "write")).accessToken();
            System.out.printf(Locale.ROOT, "Prepared %d accounts and tokens in %.1f s%n", CLIENTS, seconds(started));

            node = startNode(dataDir, streamPort, domain);
            String nodeUrl = "http://127.0.0.1:" + streamPort;
            HttpClient http = HttpClient.newHttpClient();
            awaitHealthy(http, nodeUrl);
            Memory before = memory(http, nodeUrl, node.pid());

            // Clients: plain sockets that do the WebSocket handshake, then two selector threads that only look for
            // the round's text in what arrives (server frames are not masked), so the clients cost little CPU.
            AtomicLongArray received = new AtomicLongArray(CLIENTS);
            started = System.nanoTime();
            RawClients sockets = RawClients.open(streamPort, tokens, received);
            System.out.printf(Locale.ROOT, "Opened %d WebSockets (%d failed) in %.1f s%n", sockets.size(),
                    CLIENTS - sockets.size(), seconds(started));
            awaitConnected(http, nodeUrl, sockets.size());
            Memory after = memory(http, nodeUrl, node.pid());
            System.out.printf(Locale.ROOT, "Streaming node memory: heap after GC %.1f MiB -> %.1f MiB, RSS %.1f MiB -> %.1f MiB%n",
                    before.heap / 1048576.0, after.heap / 1048576.0, before.rss / 1048576.0, after.rss / 1048576.0);
            System.out.printf(Locale.ROOT, "Per connection: %.1f KiB heap, %.1f KiB RSS%n",
                    (after.heap - before.heap) / 1024.0 / sockets.size(), (after.rss - before.rss) / 1024.0 / sockets.size());

            List<Long> latencies = new ArrayList<>();
            for (int round = 1 - WARMUP; round <= ROUNDS; round++) {
                for (int i = 0; i < CLIENTS; i++) {
                    received.set(i, 0);
                }
                // Matched by the post's text, known before the post is made (its id is not).
                String text = (round <= 0 ? "Warm-up " + (1 - round) : "Round " + round) + " of the streaming benchmark";
                sockets.expect(text);
                long sent = System.nanoTime();
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://" + domain + "/api/v1/statuses"))
                        .header("Authorization", "Bearer " + poster).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("status", text
                                + ": one public post, " + CLIENTS + " readers."))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                long answered = System.nanoTime();
                if (posted.statusCode() != 200) {
                    throw new IllegalStateException("posting failed: " + posted.body());
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int got;
                do {
                    Thread.sleep(5);
                    got = 0;
                    for (int i = 0; i < CLIENTS; i++) {
                        if (received.get(i) != 0) {
                            got++;
                        }
                    }
                } while (got < sockets.size() && System.nanoTime() < deadline);
                long[] round_ = new long[got];
                int k = 0;
                for (int i = 0; i < CLIENTS && k < got; i++) {
                    long at = received.get(i);
                    if (at != 0) {
                        round_[k++] = at - sent;
                    }
                }
                System.out.printf(Locale.ROOT, "%s: POST answered in %.1f ms; %s%n", round <= 0 ? "warm-up" : "round " + round,
                        (answered - sent) / 1e6, Stats.line(got + "/" + sockets.size() + " delivered", round_));
                if (round > 0) {
                    for (long v : round_) {
                        latencies.add(v);
                    }
                }
                Thread.sleep(1000);
            }
            String scrape = scrape(http, nodeUrl);
            double count = metric(scrape, "caravan_streaming_dispatch_seconds_count");
            System.out.printf(Locale.ROOT, "Streaming node, handling one bus message (checks, rendering, queueing for every"
                            + " connection): mean %.1f ms over %.0f messages, max %.1f ms%n",
                    count == 0 ? 0 : metric(scrape, "caravan_streaming_dispatch_seconds_sum") * 1000 / count, count,
                    metric(scrape, "caravan_streaming_dispatch_seconds_max") * 1000);
            long[] all = latencies.stream().mapToLong(Long::longValue).toArray();
            System.out.println(Stats.line("All rounds", all));
            double p95 = Stats.percentileMillis(all, 95);
            System.out.printf(Locale.ROOT, "Delivery latency over the measured rounds: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n",
                    Stats.percentileMillis(all, 50), p95, Stats.percentileMillis(all, 99));
            System.out.printf(Locale.ROOT, "Target p95 < 200 ms: %s (%.1f ms)%n", p95 < 200 ? "met" : "NOT met", p95);
            sockets.close();
        } finally {
            // The node first: the embedded PostgreSQL it uses stops with the web App.
            if (node != null) {
                node.destroy();
                if (!node.waitFor(30, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            web.close();
        }
    }

    /**
     * The readers (user1 ... userN) and the poster, inserted set-based (PBKDF2 for 10,000 accounts
     * would take minutes), with a read token for each reader.
     */
    private static List<String> accounts(App app) {
        TimelineData.Keys keys = TimelineData.Keys.make();
        app.database().jdbi().useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO accounts (username, display_name, note, public_key, private_key)
                            SELECT CASE WHEN n = 0 THEN 'poster' ELSE 'user' || n END, 'Reader ' || n, '', :pub, :priv
                              FROM generate_series(0, :n) n""")
                    .bind("n", CLIENTS).bind("pub", keys.publicPem()).bind("priv", keys.privatePem()).execute();
            h.createUpdate("""
                            INSERT INTO users (account_id, email, password_hash)
                            SELECT id, username || '@bench.invalid', :hash FROM accounts""")
                    .bind("hash", keys.passwordHash()).execute();
        });
        List<Long> ids = app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT id FROM accounts WHERE username LIKE 'user%' ORDER BY id").mapTo(Long.class).list());
        List<String> tokens = new ArrayList<>(ids.size());
        for (long id : ids) {
            tokens.add(app.auth().issueOperatorToken(id, Set.of("read")).accessToken());
        }
        return tokens;
    }

    private static Process startNode(Path dataDir, int port, String domain) throws IOException {
        Path log = Path.of("target/bench/streaming-node.log").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("bench.java"), "-Xms512m",
                "-Xmx" + System.getenv().getOrDefault("BENCH_NODE_HEAP", "2g"), "-XX:+UseG1GC",
                "-cp", System.getProperty("bench.classpath"), "social.caravan.Caravan", "serve", "--roles", "streaming")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("CARAVAN_DATA_DIR", dataDir.toString(), "PORT", Integer.toString(port),
                "LOCAL_DOMAIN", domain, "DB_POOL", "10", "CARAVAN_METRICS_TOKEN", METRICS_TOKEN));
        Process process = pb.start();
        System.out.println("Streaming node: pid " + process.pid() + ", log " + log);
        return process;
    }

    private static void awaitHealthy(HttpClient http, String url) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/streaming/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the streaming node did not start; see target/bench/streaming-node.log");
    }

    private static void awaitConnected(HttpClient http, String url, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double connected = 0;
        while (System.nanoTime() < deadline) {
            connected = metric(scrape(http, url), "caravan_streaming_connected_channels{channel=\"public\",type=\"websocket\"}");
            if (connected >= expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("only " + connected + " of " + expected + " subscribed");
    }

    record Memory(long heap, long rss) {}

    /** Heap in use after a full GC (asked for with jcmd), and the resident set of the node. */
    private static Memory memory(HttpClient http, String url, long pid) throws Exception {
        new ProcessBuilder(Path.of(System.getProperty("bench.java")).resolveSibling("jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        String scrape = scrape(http, url);
        long heap = scrape.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
        return new Memory(heap, rss);
    }

    private static String scrape(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).header("Authorization", "Bearer " + METRICS_TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static int intEnv(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
