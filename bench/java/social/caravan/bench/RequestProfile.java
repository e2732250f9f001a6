package social.caravan.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import social.caravan.App;
import social.caravan.accounts.AccountJson;
import social.caravan.core.json.Json;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;
import social.caravan.statuses.Visibility;
import social.caravan.timelines.HomeSql;

/**
 * Where one home-timeline request spends its time, one request at a time on a quiet server:
 * the statements it runs (counted through a JDBI SqlLogger on Caravan's own Jdbi) and their time,
 * the in-process cost of each step (token, feed page, statuses, rendering, JSON), and the
 * PostgreSQL plans of the main queries (EXPLAIN ANALYZE, written to target/bench/timelines/explain.txt).
 */
final class RequestProfile {
    private static final int REQUESTS = 300;

    private final App app;
    private final Jdbi direct;
    private final Fixture fixture;

    RequestProfile(App app, Jdbi direct, Fixture fixture) {
        this.app = app;
        this.direct = direct;
        this.fixture = fixture;
    }

    void run() throws Exception {
        System.out.println();
        System.out.println("Profile of one request (one at a time, " + REQUESTS + " readers):");
        statements();
        steps();
        explain();
    }

    /** Statements per request and their time, by kind, over real HTTP requests. */
    private void statements() throws Exception {
        Map<String, long[]> byStatement = new ConcurrentHashMap<>();
        LongAdder count = new LongAdder();
        AtomicLong sqlNanos = new AtomicLong();
        ThreadLocal<Long> started = new ThreadLocal<>();
        Jdbi jdbi = app.database().jdbi();
        jdbi.setSqlLogger(new SqlLogger() {
            @Override
            public void logBeforeExecution(StatementContext ctx) {
                started.set(System.nanoTime());
            }

            @Override
            public void logAfterExecution(StatementContext ctx) {
                long nanos = System.nanoTime() - started.get();
                count.increment();
                sqlNanos.addAndGet(nanos);
                long[] slot = byStatement.computeIfAbsent(key(ctx.getRawSql()), k -> new long[2]);
                synchronized (slot) {
                    slot[0]++;
                    slot[1] += nanos;
                }
            }

            @Override
            public void logException(StatementContext ctx, SQLException ex) {
                // counted nowhere: the check pass saw no errors
            }
        });
        boolean pgss = PgStatements.on(direct);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String url = "http://127.0.0.1:" + app.webPort() + "/api/v1/timelines/home?limit=40";
        long[] latencies = new long[REQUESTS];
        try {
            for (int i = 0; i < REQUESTS; i++) {
                Fixture.Reader reader = fixture.readers().get(i % fixture.readers().size());
                long start = System.nanoTime();
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + reader.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
                latencies[i] = System.nanoTime() - start;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("home answered " + r.statusCode());
                }
            }
        } finally {
            jdbi.setSqlLogger(SqlLogger.NOP_SQL_LOGGER);
        }
        List<String> pgStatements = pgss ? PgStatements.report(direct, REQUESTS) : List.of();
        PgStatements.off(direct);
        System.out.printf(Locale.ROOT, "  HTTP: mean %.2f ms per request; %.1f SQL statements per request taking %.2f ms"
                        + " (JDBC round trips included)%n", Stats.meanMillis(latencies), count.sum() / (double) REQUESTS,
                sqlNanos.get() / 1e6 / REQUESTS);
        byStatement.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "    %5.2f per request  %6.3f ms per request  %s%n",
                        e.getValue()[0] / (double) REQUESTS, e.getValue()[1] / 1e6 / REQUESTS, e.getKey()));
        if (!pgStatements.isEmpty()) {
            System.out.println("  pg_stat_statements over the same requests (inside PostgreSQL: planning and execution):");
            pgStatements.forEach(System.out::println);
        }
    }

    private static String key(String sql) {
        String flat = sql.replaceAll("\\s+", " ").trim();
        return flat.length() > 110 ? flat.substring(0, 110) + " ..." : flat;
    }

    /**
     * The same work as the request, step by step, in this thread: token resolution, the feed page
     * (FeedStore.page's SQL, copied here), StatusService.viewsOf (in this JVM's own StatusService, whose
     * caches are as warm as the rounds make them), and Jackson.
     */
    private void steps() {
        String baseUrl = app.config().baseUrl();
        StatusService statuses = new StatusService(app.database().jdbi(), app.invalidations(), app.accounts(),
                new AccountJson(baseUrl, app.config().localDomain()), app.auth(), app.notifications(), app.queue(),
                new social.caravan.polls.PollService(app.database().jdbi(), app.notifications(), app.queue()),
                new social.caravan.conversations.ConversationService(app.database().jdbi(), app.bus()), app.bus(), baseUrl);
        long[][] t = new long[4][REQUESTS];
        long bytes = 0;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            bytes = 0;
            for (int i = 0; i < REQUESTS; i++) {
                Fixture.Reader reader = fixture.readers().get(i % fixture.readers().size());
                long a = System.nanoTime();
                app.auth().resolve(reader.token()).orElseThrow();
                long b = System.nanoTime();
                List<Long> ids = app.database().jdbi().withHandle(h -> pageIds(h, reader.accountId()));
                long c = System.nanoTime();
                List<StatusJson.StatusView> views = statuses.viewsOf(ids, reader.accountId());
                long d = System.nanoTime();
                bytes += Json.write(views).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                long e = System.nanoTime();
                t[0][i] = b - a;
                t[1][i] = c - b;
                t[2][i] = d - c;
                t[3][i] = e - d;
            }
        }
        String[] names = {"token (AuthService.resolve)", "feed page (FeedStore.page SQL)", 
                "StatusService.viewsOf (SQL + records)", "Json.write (Jackson, to a String)"};
        double sum = 0;
        for (int s = 0; s < names.length; s++) {
            sum += Stats.meanMillis(t[s]);
            System.out.println(Stats.line("    " + names[s], t[s]));
        }
        System.out.printf(Locale.ROOT, "    sum of the steps: %.2f ms per request; %.0f KiB of JSON per response%n", sum,
                bytes / 1024.0 / REQUESTS);
    }

    private static List<Long> pageIds(org.jdbi.v3.core.Handle h, long viewer) {
        return h.createQuery(PAGE_SQL).bind("viewer", viewer).bind("days", 7).bind("upper", Long.MAX_VALUE)
                .bind("lower", 0L).bind("limit", 40)
                .map((rs, ctx) -> List.of((Long[]) rs.getArray("ids").getArray())).one();
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of the feed page and the statuses lookup, for a reader with a full feed. */
    private void explain() throws Exception {
        Fixture.Reader reader = fixture.readers().getFirst();
        Path out = Path.of("target/bench/timelines/explain.txt").toAbsolutePath();
        Files.createDirectories(out.getParent());
        StringBuilder all = new StringBuilder();
        List<Long> ids = direct.withHandle(h -> pageIds(h, reader.accountId()));
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        queries.put("feed page and state (FeedStore.read)", PAGE_SQL);
        queries.put("statuses by id (the visibility policy)", "SELECT s.* FROM statuses s WHERE s.id = ANY(:ids) AND "
                + Visibility.SQL_VISIBLE);
        for (Map.Entry<String, String> q : queries.entrySet()) {
            List<String> plan = direct.withHandle(h -> {
                h.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setUnusedBindingAllowed(true);
                List<String> lines = List.of();
                for (int run = 0; run < 3; run++) { // the last, warm run is the one reported
                    lines = h.createQuery("EXPLAIN (ANALYZE, BUFFERS) " + q.getValue()).bind("viewer", reader.accountId())
                            .bind("days", 7)
                            .bind("upper", Long.MAX_VALUE).bind("lower", 0L).bind("limit", 40)
                            .bind("ids", ids.toArray(Long[]::new)).mapTo(String.class).list();
                }
                return lines;
            });
            all.append("== ").append(q.getKey()).append(" (viewer ").append(reader.accountId()).append(")\n");
            plan.forEach(line -> all.append(line).append('\n'));
            all.append('\n');
            String times = plan.stream().filter(l -> l.startsWith("Planning Time") || l.startsWith("Execution Time"))
                    .reduce((x, y) -> x + ", " + y).orElse("");
            System.out.printf("  EXPLAIN ANALYZE %-42s %s%n", q.getKey() + ":", times);
        }
        Files.writeString(out, all);
        System.out.println("  plans written to " + out);
    }

    /** The home read's statement (FeedStore.readSql) for a first page of 40. */
    static final String PAGE_SQL = HomeSql.firstPage(40);
}
