package social.caravan.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import social.caravan.App;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.Role;
import social.caravan.core.config.Config;
import social.caravan.core.json.Json;
import social.caravan.core.net.FederationClient;
import social.caravan.core.signatures.DraftCavage;
import social.caravan.core.signatures.Keys;
import social.caravan.statuses.StatusService;

/**
 * Federation benchmarks (issue 6), against Caravan with its web and worker roles on 127.0.0.1 and an
 * embedded PostgreSQL (fsync on):
 * <ol>
 *   <li>Ingestion: {@code BENCH_ACTIVITIES} signed {@code Create(Note)} POSTs to the shared inbox from
 *       {@code BENCH_ACTORS} remote actors (RSA keys made beforehand, actors served by a loopback peer,
 *       each known to Caravan before the run), sent by {@code BENCH_SENDERS} kept-alive connections from
 *       requests serialized beforehand ({@link RawHttpSender}), after {@code BENCH_WARMUP} activities sent
 *       and processed the same way, unmeasured. Two rates:
 *       accepted (every 202 received) and processed (every status stored by the ingress worker, which
 *       also fans each one out to a local follower's home feed).</li>
 *   <li>Delivery: one public post of a local account with 10,000 remote followers spread over 500
 *       loopback servers (JDK HttpServers answering 202), sent through the delivery lanes by one worker,
 *       signed as the author: once with shared inboxes (one delivery per server), once with personal
 *       inboxes only (one delivery per follower).</li>
 * </ol>
 */
public final class FederationBench {
    static final int ACTORS = Bench.option("actors", 100);
    static final int ACTIVITIES = Bench.option("activities", 10_000);
    static final int SENDERS = Bench.option("senders", 32);
    /** Activities sent and processed before the measured ones, so the JIT has compiled what they run. */
    static final int WARMUP = Bench.option("warmup", 3_000);
    static final int SERVERS = Bench.option("servers", 500);
    static final int FOLLOWERS = Bench.option("followers", 10_000);
    /** 1: track the ingestion's statements with pg_stat_statements and print them (slows it: for profiling only). */
    static final int STATEMENTS = Bench.option("statements", 0);
    static final String PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

    private FederationBench() {}

    public static void main(String[] args) throws Exception {
        EmbeddedPostgres postgres = Bench.startPostgres();
        Config.DatabaseTarget target = Bench.createDatabase(postgres, "caravan_federation");
        Bench.printEnvironment(postgres);
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:" + postgres.getPort() + "/caravan_federation");
        env.put("PORT", Integer.toString(port));
        env.put("BIND", "127.0.0.1");
        env.put("LOCAL_DOMAIN", "127.0.0.1:" + port);
        env.put("LOCAL_HTTPS", "false");
        env.put("CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true");
        Config config = Config.from(env);
        System.out.printf(Locale.ROOT, "Caravan:    web and one worker in this JVM (concurrency %d)%n", config.workerConcurrency());
        Bench.CpuWatch cpu = new Bench.CpuWatch(postgres.getPort());
        try (App app = App.open(config).serve(EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER))) {
            Jdbi jdbi = Jdbi.create(target.jdbcUrl(), target.user(), target.password());
            ingestion(app, jdbi, "http://127.0.0.1:" + port, postgres.getPort());
            delivery(app, jdbi, true, postgres.getPort());
            delivery(app, jdbi, false, postgres.getPort());
        } finally {
            System.out.println();
            System.out.println(cpu.report());
            postgres.close();
        }
    }

    // --- ingestion ------------------------------------------------------------------------------

    static void ingestion(App app, Jdbi jdbi, String caravan, int postgresPort) throws Exception {
        System.out.printf(Locale.ROOT, "%nIngestion: %,d signed Create(Note) from %d actors, %d connections%n",
                ACTIVITIES, ACTORS, SENDERS);
        Peer peer = new Peer(ACTORS);
        long reader = app.accounts().register(new AccountService.Registration("reader", "reader@example.com",
                "password-of-reader", Role.USER, "en", null, null, true));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        // Every actor known first (its key fetched once), and followed by the local reader.
        for (int i = 0; i < ACTORS; i++) {
            send(client, peer.create(caravan, i, "warm-up " + i));
        }
        Bench.await("the warm-up", () -> count(jdbi, "SELECT count(*) FROM statuses") >= ACTORS, 100, 120);
        jdbi.useHandle(h -> {
            h.createUpdate("""
                            INSERT INTO follows (account_id, target_account_id) SELECT :r, id FROM accounts WHERE domain IS NOT NULL""")
                    .bind("r", reader).execute();
            // The reader reads home: fan-out fills only active feeds.
            h.createUpdate("INSERT INTO home_feeds (account_id, active_at) VALUES (:r, now())").bind("r", reader).execute();
        });
        List<byte[]> warmup = new ArrayList<>(WARMUP);
        for (int i = 0; i < WARMUP; i++) {
            warmup.add(peer.createBytes(caravan, i % ACTORS, "warm-up note " + i));
        }
        long warmed = count(jdbi, "SELECT count(*) FROM statuses") + WARMUP;
        RawHttpSender.send(URI.create(caravan).getPort(), warmup, SENDERS, new AtomicInteger(), new AtomicInteger());
        Bench.await("the warm-up's activities processed", () -> count(jdbi, "SELECT count(*) FROM statuses") >= warmed
                && count(jdbi, "SELECT count(*) FROM jobs WHERE dead_at IS NULL") == 0, 50, 600);
        System.out.printf(Locale.ROOT, "Warmed up with %,d activities (stored and fanned out, not measured)%n", WARMUP);
        long start0 = System.nanoTime();
        List<byte[]> requests = new ArrayList<>(ACTIVITIES);
        for (int i = 0; i < ACTIVITIES; i++) {
            requests.add(peer.createBytes(caravan, i % ACTORS, "note " + i));
        }
        System.out.printf(Locale.ROOT, "Signed %,d requests beforehand in %.1f s%n", ACTIVITIES, (System.nanoTime() - start0) / 1e9);
        long before = count(jdbi, "SELECT count(*) FROM statuses");
        boolean tracking = STATEMENTS == 1 && PgStatements.on(jdbi);
        Bench.CpuWatch cpu = new Bench.CpuWatch(postgresPort);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime();
        RawHttpSender.send(URI.create(caravan).getPort(), requests, SENDERS, accepted, refused);
        long acceptedAt = System.nanoTime();
        Bench.await("the ingress queue drained", () -> count(jdbi, "SELECT count(*) FROM statuses") - before >= accepted.get()
                && count(jdbi, "SELECT count(*) FROM jobs WHERE dead_at IS NULL") == 0, 50, 600);
        long processedAt = System.nanoTime();
        double acceptSeconds = (acceptedAt - start) / 1e9;
        double processSeconds = (processedAt - start) / 1e9;
        System.out.printf(Locale.ROOT, "Accepted:   %,d answered 202 (%d refused) in %.2f s: %,.0f activities/s%n",
                accepted.get(), refused.get(), acceptSeconds, accepted.get() / acceptSeconds);
        System.out.printf(Locale.ROOT, "Processed:  %,d stored and fanned out in %.2f s from the first POST: %,.0f activities/s %s%n",
                accepted.get(), processSeconds, accepted.get() / processSeconds, Bench.verdict(accepted.get() / processSeconds >= 1000));
        System.out.printf(Locale.ROOT, "Home feed:  %,d entries in the reader's feed%n",
                count(jdbi, "SELECT count(*) FROM home_feed_entries WHERE account_id = " + reader));
        System.out.println(cpu.report());
        if (tracking) {
            System.out.println("Statements per activity (pg_stat_statements):");
            PgStatements.report(jdbi, accepted.get()).forEach(System.out::println);
            PgStatements.off(jdbi);
        }
        peer.close();
    }

    static int send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A loopback server with {@code n} actors (RSA keys made once), and signed Creates as them. */
    static final class Peer implements AutoCloseable {
        final HttpServer server;
        final String base;
        final List<KeyPair> keys = new ArrayList<>();
        final AtomicInteger seq = new AtomicInteger();

        Peer(int n) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            for (int i = 0; i < n; i++) {
                keys.add(generator.generateKeyPair());
            }
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            base = "http://127.0.0.1:" + server.getAddress().getPort();
            server.createContext("/", this::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
        }

        String actor(int i) {
            return base + "/users/a" + i;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            int status = 404;
            if (path.startsWith("/users/a")) {
                int i = Integer.parseInt(path.substring("/users/a".length()));
                String id = actor(i);
                Map<String, Object> doc = new java.util.LinkedHashMap<>();
                doc.put("@context", List.of("https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"));
                doc.put("id", id);
                doc.put("type", "Person");
                doc.put("preferredUsername", "a" + i);
                doc.put("inbox", id + "/inbox");
                doc.put("followers", id + "/followers");
                doc.put("endpoints", Map.of("sharedInbox", base + "/inbox"));
                doc.put("publicKey", Map.of("id", id + "#main-key", "owner", id,
                        "publicKeyPem", Keys.pem("PUBLIC KEY", keys.get(i).getPublic().getEncoded())));
                body = Json.write(doc).getBytes(StandardCharsets.UTF_8);
                status = 200;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/activity+json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        }

        HttpRequest create(String caravan, int actor, String text) {
            Signed signed = signed(caravan, actor, text);
            HttpRequest.Builder b = HttpRequest.newBuilder(signed.uri());
            signed.headers().forEach(h -> b.header(h[0], h[1]));
            return b.POST(HttpRequest.BodyPublishers.ofByteArray(signed.body())).build();
        }

        /** The same, as the bytes of an HTTP/1.1 request. */
        byte[] createBytes(String caravan, int actor, String text) {
            Signed signed = signed(caravan, actor, text);
            return RawHttpSender.request("POST", signed.uri().getRawPath(), FederationClient.hostHeader(signed.uri()),
                    signed.headers(), signed.body());
        }

        record Signed(URI uri, List<String[]> headers, byte[] body) {}

        /** A Create(Note) by actor {@code actor}, signed as it for a POST to Caravan's shared inbox. */
        Signed signed(String caravan, int actor, String text) {
            String id = actor(actor);
            String noteId = base + "/notes/" + seq.incrementAndGet();
            Map<String, Object> note = new java.util.LinkedHashMap<>();
            note.put("id", noteId);
            note.put("type", "Note");
            note.put("attributedTo", id);
            note.put("content", "<p>" + text + "</p>");
            note.put("published", Instant.now().toString());
            note.put("to", List.of(PUBLIC));
            note.put("cc", List.of(id + "/followers"));
            Map<String, Object> activity = new java.util.LinkedHashMap<>();
            activity.put("@context", "https://www.w3.org/ns/activitystreams");
            activity.put("id", noteId + "/activity");
            activity.put("type", "Create");
            activity.put("actor", id);
            activity.put("to", List.of(PUBLIC));
            activity.put("object", note);
            byte[] bytes = Json.write(activity).getBytes(StandardCharsets.UTF_8);
            URI uri = URI.create(caravan + "/inbox");
            Instant at = Instant.now();
            List<String[]> headers = new ArrayList<>();
            headers.add(new String[] {"Content-Type", "application/activity+json"});
            DraftCavage.sign("POST", uri, FederationClient.hostHeader(uri), "application/activity+json", bytes,
                    id + "#main-key", keys.get(actor).getPrivate(), at).forEach((k, v) -> {
                        if (!k.equals("Date") && !k.equalsIgnoreCase("Content-Type")) {
                            headers.add(new String[] {k, v});
                        }
                    });
            headers.add(new String[] {"Date", DraftCavage.HTTP_DATE.format(at)});
            return new Signed(uri, headers, bytes);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // --- delivery -------------------------------------------------------------------------------

    static void delivery(App app, Jdbi jdbi, boolean sharedInboxes, int postgresPort) throws Exception {
        String name = sharedInboxes ? "author" : "author2";
        System.out.printf(Locale.ROOT, "%nDelivery: one post to %,d remote followers on %d loopback servers, %s%n",
                FOLLOWERS, SERVERS, sharedInboxes ? "shared inboxes (one delivery per server)" : "personal inboxes only (one delivery per follower)");
        long author = app.accounts().register(new AccountService.Registration(name, name + "@example.com",
                "password-of-" + name, Role.USER, "en", null, null, true));
        List<HttpServer> servers = new ArrayList<>();
        LongAdder received = new LongAdder();
        Map<Integer, Boolean> reached = new ConcurrentHashMap<>();
        for (int s = 0; s < SERVERS; s++) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            int index = s;
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                received.increment();
                reached.put(index, true);
                exchange.sendResponseHeaders(202, -1);
                exchange.close();
            });
            server.setExecutor(null);
            server.start();
            servers.add(server);
        }
        long setup = System.nanoTime();
        String prefix = sharedInboxes ? "f" : "g";
        try (ExecutorService makers = Executors.newFixedThreadPool(8)) {
            List<Future<?>> made = new ArrayList<>();
            for (int i = 0; i < FOLLOWERS; i++) {
                int follower = i;
                made.add(makers.submit(() -> {
                    String base = "http://127.0.0.1:" + servers.get(follower % SERVERS).getAddress().getPort();
                    String uri = base + "/users/" + prefix + follower;
                    app.accounts().saveRemote(new AccountService.RemoteProfile(prefix + follower, base.substring(7), "", "",
                            List.of(), false, false, false, false, "", null,
                            new Account.Remote(uri, null, "Person", uri + "/inbox", sharedInboxes ? base + "/inbox" : null,
                                    null, null, null, null, uri + "#main-key", null, null, Instant.now(), null)));
                }));
            }
            for (Future<?> f : made) {
                f.get();
            }
        }
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO follows (account_id, target_account_id)
                        SELECT id, :a FROM accounts WHERE domain IS NOT NULL AND username LIKE :p""")
                .bind("a", author).bind("p", prefix + "%").execute());
        System.out.printf(Locale.ROOT, "Set up %,d followers in %.1f s%n", FOLLOWERS, (System.nanoTime() - setup) / 1e9);
        long expected = sharedInboxes ? SERVERS : FOLLOWERS;
        Bench.CpuWatch cpu = new Bench.CpuWatch(postgresPort);
        long start = System.nanoTime();
        app.statuses().create(author, new StatusService.NewPost("Hello, ten thousand followers", null, null, "public",
                null, null, null, null, null));
        Bench.await("every delivery", () -> received.sum() >= expected, 20, 300);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "Delivered: %,d POSTs answered 202, %d of %d servers reached, in %.2f s (%,.0f deliveries/s) %s%n",
                received.sum(), reached.size(), SERVERS, seconds, received.sum() / seconds, Bench.verdict(seconds < 30));
        System.out.println(cpu.report());
        servers.forEach(s -> s.stop(0));
    }

    static long count(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
