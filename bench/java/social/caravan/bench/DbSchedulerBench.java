package social.caravan.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import social.caravan.core.config.Config;

/**
 * db-scheduler (com.github.kagkarlsson:db-scheduler) measured like {@link QueueBench}: one-time
 * tasks with a no-op handler, {@code threads} comparable to Caravan's worker concurrency, the
 * polling strategy its docs recommend for high throughput ({@code lock-and-fetch}, a single
 * {@code UPDATE ... FOR UPDATE SKIP LOCKED} statement on PostgreSQL, with {@code 1.0, 4.0}), and
 * {@code enableImmediateExecution()}. Enqueueing uses {@code scheduleBatch} (one JDBC batch, one
 * implicit transaction per batch), through a separate {@link SchedulerClient} and pool, as a web
 * process would.
 *
 * <p>Immediate execution only hints the Scheduler object that scheduled the execution: it works
 * when the enqueuer and the scheduler share a JVM. Executions scheduled by another process are
 * found by polling, so the bench measures pickup both ways. The polling interval is set to 1 s
 * (db-scheduler's default is 10 s), the same as Caravan's worker falls back to.
 */
public final class DbSchedulerBench {
    /** Executions complete one by one on the executing thread, each needing a connection: threads + 2 by default. */
    private static final int POOL = Bench.option("dbs_pool", Bench.CONCURRENCY + 2);
    private static final Duration POLLING_INTERVAL = Duration.ofMillis(Bench.option("dbs_polling_ms", 1000));
    private static final int CROSS_PROCESS_SAMPLES = Bench.option("dbs_cross_samples", 200);

    /** db-scheduler's PostgreSQL table, as in its db-scheduler/src/test/resources/postgresql_tables.sql. */
    private static final String DDL = """
            create table scheduled_tasks (
              task_name text not null,
              task_instance text not null,
              task_data bytea,
              execution_time timestamp with time zone not null,
              picked BOOLEAN not null,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures INT,
              last_heartbeat timestamp with time zone,
              version BIGINT not null,
              priority SMALLINT,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
            """;

    private final HikariDataSource schedulerPool;
    private final HikariDataSource enqueuePool;
    private final LongAdder handled = new LongAdder();
    private volatile long[] started = new long[0];
    private volatile CountDownLatch pings = new CountDownLatch(0);
    private final OneTimeTask<Void> noop;
    private final OneTimeTask<Void> ping;
    private final SchedulerClient client;

    private DbSchedulerBench(HikariDataSource schedulerPool, HikariDataSource enqueuePool) {
        this.schedulerPool = schedulerPool;
        this.enqueuePool = enqueuePool;
        this.noop = Tasks.oneTime("bench-noop").execute((instance, context) -> handled.increment());
        this.ping = Tasks.oneTime("bench-ping").execute((instance, context) -> {
            long now = System.nanoTime();
            started[Integer.parseInt(instance.getId())] = now;
            pings.countDown();
        });
        this.client = SchedulerClient.Builder.create(enqueuePool, noop, ping).build();
    }

    public static void main(String[] args) {
        try (EmbeddedPostgres postgres = Bench.startPostgres()) {
            System.out.println("== db-scheduler " + version()
                    + " (one-time tasks, lock-and-fetch 1.0/4.0, immediate execution, polling every "
                    + POLLING_INTERVAL.toMillis() + " ms) ==");
            Bench.printEnvironment(postgres);
            Bench.printOptions("threads");
            System.out.println("            db-scheduler's pool: " + POOL + " connections (threads + 2; BENCH_DBS_POOL)");
            Config.DatabaseTarget target = Bench.createDatabase(postgres, "dbscheduler_bench");
            try (HikariDataSource schedulerPool = pool(target, POOL, "scheduler");
                 HikariDataSource enqueuePool = pool(target, Bench.ENQUEUERS + 1, "enqueue")) {
                execute(schedulerPool, DDL);
                new DbSchedulerBench(schedulerPool, enqueuePool).run(postgres.getPort());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.exit(0);
    }

    /** The version Maven resolved, from the jar's pom.properties. */
    private static String version() {
        try (var in = Scheduler.class.getResourceAsStream("/META-INF/maven/com.github.kagkarlsson/db-scheduler/pom.properties")) {
            java.util.Properties properties = new java.util.Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "(version unknown)");
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    private static HikariDataSource pool(Config.DatabaseTarget target, int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(target.jdbcUrl());
        config.setUsername(target.user());
        config.setPassword(target.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    private static void execute(javax.sql.DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private Scheduler startScheduler() {
        Scheduler scheduler = Scheduler.create(schedulerPool, noop, ping)
                .threads(Bench.CONCURRENCY)
                .pollUsingLockAndFetch(1.0, 4.0)
                .pollingInterval(POLLING_INTERVAL)
                .enableImmediateExecution()
                .build();
        scheduler.start();
        return scheduler;
    }

    private void run(int postgresPort) {
        System.out.println("Warming up ...");
        round(Bench.WARMUP_JOBS);
        latency(100, false, false);

        Bench.CpuWatch cpu = new Bench.CpuWatch(postgresPort);
        System.out.println("Throughput (no-op one-time tasks):");
        List<Bench.Round> rounds = new ArrayList<>();
        for (int i = 0; i < Bench.ROUNDS; i++) {
            rounds.add(round(Bench.JOBS));
        }
        double combined = Bench.printRounds(rounds, "no scheduler", cpu.oursSeconds());
        System.out.println("Pickup latency, idle scheduler (one execution per transaction, schedule commit -> handler start):");
        long[] pickup = latency(Bench.SAMPLES, true, false);
        latency(CROSS_PROCESS_SAMPLES, true, true);
        System.out.println(cpu.report());
        System.out.println("Disk:       " + Bench.diskFlush() + " (after the runs)");

        double p99 = Bench.p99Millis(pickup);
        System.out.printf(Locale.ROOT, "Targets:    enqueue-and-complete >= 5000 jobs/s: %s (median %.0f jobs/s);"
                        + " pickup p99 < 50 ms (same JVM, immediate execution): %s (%.2f ms)%n",
                Bench.verdict(combined >= 5000), combined, Bench.verdict(p99 < 50), p99);
    }

    /**
     * One throughput round: schedule a backlog with no scheduler running, start a scheduler and let
     * it drain the backlog, then schedule as many again through that scheduler while it runs.
     */
    private Bench.Round round(int jobs) {
        reset();
        long enqueueNanos = enqueue(client, jobs, "a");
        handled.reset();
        long start = System.nanoTime();
        Scheduler scheduler = startScheduler();
        awaitDone(jobs);
        long drainNanos = System.nanoTime() - start;
        checkRuns(jobs);

        // Scheduled through the Scheduler itself, so immediate execution wakes it (its best case).
        reset();
        handled.reset();
        start = System.nanoTime();
        long enqueueWhileWorking = enqueue(scheduler, jobs, "b");
        awaitDone(jobs);
        long combinedNanos = System.nanoTime() - start;
        checkRuns(jobs);
        scheduler.stop();
        return new Bench.Round(jobs, enqueueNanos, drainNanos, combinedNanos, enqueueWhileWorking, 0);
    }

    private long enqueue(SchedulerClient through, int jobs, String prefix) {
        return Bench.inBatches(jobs, Bench.BATCH, Bench.ENQUEUERS, (first, end) -> {
            List<TaskInstance<?>> batch = new ArrayList<>(end - first);
            for (int i = first; i < end; i++) {
                batch.add(noop.instance(prefix + i));
            }
            through.scheduleBatch(batch, Instant.now());
        });
    }

    private void awaitDone(int jobs) {
        Bench.await("the handlers", () -> handled.sum() >= jobs, 5, 600);
        Bench.await("an empty scheduled_tasks table", () -> count() == 0, 5, 600);
    }

    private long count() {
        try (Connection c = schedulerPool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT 1 FROM scheduled_tasks LIMIT 1) x")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checkRuns(int jobs) {
        if (handled.sum() != jobs) {
            System.out.printf("  note: %d handler runs for %d executions (an execution ran more than once)%n", handled.sum(), jobs);
        }
    }

    private void reset() {
        execute(schedulerPool, "TRUNCATE scheduled_tasks");
        execute(schedulerPool, "VACUUM ANALYZE scheduled_tasks");
    }

    /**
     * One execution per transaction, spaced 20 to 50 ms apart. {@code crossProcess}: scheduled
     * through a separate SchedulerClient, so only polling finds it (as when a web process enqueues
     * and a queue host runs it).
     */
    private long[] latency(int samples, boolean print, boolean crossProcess) {
        reset();
        started = new long[samples];
        pings = new CountDownLatch(samples);
        long[] committed = new long[samples];
        Scheduler scheduler = startScheduler();
        SchedulerClient through = crossProcess ? client : scheduler;
        try {
            Bench.sleep(500);
            for (int i = 0; i < samples; i++) {
                through.scheduleIfNotExists(ping.instance(Integer.toString(i)), Instant.now());
                committed[i] = System.nanoTime();
                Bench.pause();
            }
            if (!pings.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(pings.getCount() + " latency executions never ran");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            scheduler.stop();
        }
        long[] pickup = new long[samples];
        for (int i = 0; i < samples; i++) {
            pickup[i] = Math.max(0, started[i] - committed[i]);
        }
        if (print) {
            System.out.println(Bench.latency(crossProcess
                    ? "pickup, scheduled by another client" : "pickup (schedule -> handler start)", pickup));
            if (crossProcess) {
                System.out.println("    (found by polling every " + POLLING_INTERVAL.toMillis()
                        + " ms: immediate execution only hints the Scheduler object that scheduled it)");
            }
        }
        return pickup;
    }
}
