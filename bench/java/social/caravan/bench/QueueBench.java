package social.caravan.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.JobTypes;
import social.caravan.core.queue.Queues;
import social.caravan.core.queue.Worker;

/**
 * Caravan's own queue (core/queue: a jobs table claimed with FOR UPDATE SKIP LOCKED, woken by
 * NOTIFY), measured the way it is used: services enqueue inside their own transactions through
 * {@link JobQueue#enqueue(org.jdbi.v3.core.Handle, String, String, Object)}, and a {@link Worker}
 * serving every queue runs the jobs. The enqueuers have a pool of their own, as a web process would.
 *
 * <p>Figures: enqueue only (no worker), completion of a backlog (the worker drains it), enqueue
 * while the worker works (from the first enqueue until the table is empty), and pickup latency of
 * an idle worker (enqueue commit to handler start).
 */
public final class QueueBench {
    private static final String NOOP = "bench.noop";
    private static final String PING = "bench.ping";
    /** No job run for this long, with jobs left: the worker has stalled. */
    private static final long STALL_SECONDS = 10;

    private final Jdbi workerJdbi;
    private final Jdbi enqueueJdbi;
    private final Database workerDb;
    private final JobQueue queue;
    private final JobTypes types;
    private final MeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LongAdder handled = new LongAdder();
    private volatile long[] started = new long[0];
    private volatile CountDownLatch pings = new CountDownLatch(0);
    /** The worker of the running throughput round (replaced when it stalls). */
    private Worker worker;
    private int stalls;

    private QueueBench(Database workerDb, Database enqueueDb) {
        this.workerDb = workerDb;
        this.workerJdbi = workerDb.jdbi();
        this.enqueueJdbi = enqueueDb.jdbi();
        this.queue = new JobQueue(enqueueJdbi);
        this.types = new JobTypes()
                .register(NOOP, job -> handled.increment())
                .register(PING, job -> {
                    long now = System.nanoTime();
                    String payload = job.payload();
                    int n = Integer.parseInt(payload.substring(payload.indexOf(':') + 1, payload.length() - 1));
                    started[n] = now;
                    pings.countDown();
                });
    }

    public static void main(String[] args) {
        try (EmbeddedPostgres postgres = Bench.startPostgres()) {
            System.out.println("== Caravan queue (core/queue: jobs table, FOR UPDATE SKIP LOCKED, LISTEN/NOTIFY) ==");
            Bench.printEnvironment(postgres);
            Bench.printOptions("worker concurrency");
            System.out.println("            the worker's pool: " + Bench.POOL + " connections (Caravan's DB_POOL default; BENCH_POOL),"
                    + " the enqueuers' pool: " + (Bench.ENQUEUERS + 1));
            Config.DatabaseTarget target = Bench.createDatabase(postgres, "caravan_bench");
            try (Database workerDb = Database.connect(target, Bench.POOL);
                 Database enqueueDb = Database.connect(target, Bench.ENQUEUERS + 1)) {
                workerDb.migrate();
                new QueueBench(workerDb, enqueueDb).run(postgres.getPort());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.exit(0);
    }

    private Worker startWorker() {
        return new Worker(workerJdbi, workerDb::dedicatedConnection, types,
                new Worker.Settings(Queues.all(), Bench.CONCURRENCY, 30), meters).start();
    }

    private void run(int postgresPort) {
        System.out.println("Warming up ...");
        round(Bench.WARMUP_JOBS);
        latency(100, false);

        Bench.CpuWatch cpu = new Bench.CpuWatch(postgresPort);
        System.out.println("Throughput (no-op jobs on queue 'default'; the worker serves all six queues):");
        List<Bench.Round> rounds = new ArrayList<>();
        for (int i = 0; i < Bench.ROUNDS; i++) {
            rounds.add(round(Bench.JOBS));
        }
        double combined = Bench.printRounds(rounds, "no worker", cpu.oursSeconds());
        System.out.println("Pickup latency, idle worker (one job per transaction, enqueue commit -> handler start):");
        long[] pickup = latency(Bench.SAMPLES, true);
        System.out.println(cpu.report());
        System.out.println("Disk:       " + Bench.diskFlush() + " (after the runs)");

        double p99 = Bench.p99Millis(pickup);
        if (stalls > 0) {
            System.out.printf("Stalls:     the worker stalled %d time(s), warm-up included: it held claimed jobs it never ran (see docs/queue.md,"
                    + " 'Findings'); each stall cost its round about %d s%n", stalls, STALL_SECONDS);
        }
        System.out.printf(Locale.ROOT, "Targets:    enqueue-and-complete >= 5000 jobs/s: %s (median %.0f jobs/s);"
                + " pickup p99 < 50 ms: %s (%.2f ms)%n", Bench.verdict(combined >= 5000), combined,
                Bench.verdict(p99 < 50), p99);
    }

    /**
     * One throughput round: enqueue a backlog with no worker running, start a worker and let it
     * drain the backlog, then enqueue as many again while that worker runs.
     */
    private Bench.Round round(int jobs) {
        int stallsBefore = stalls;
        reset();
        long enqueueNanos = enqueue(jobs);
        handled.reset();
        long start = System.nanoTime();
        worker = startWorker();
        awaitDone(jobs, "drain");
        long drainNanos = System.nanoTime() - start;
        checkRuns(jobs);

        reset();
        handled.reset();
        start = System.nanoTime();
        long enqueueWhileWorking = enqueue(jobs);
        awaitDone(jobs, "enqueue while working");
        long combinedNanos = System.nanoTime() - start;
        checkRuns(jobs);
        worker.stop(Duration.ofSeconds(10));
        return new Bench.Round(jobs, enqueueNanos, drainNanos, combinedNanos, enqueueWhileWorking, stalls - stallsBefore);
    }

    private long enqueue(int jobs) {
        return Bench.inBatches(jobs, Bench.BATCH, Bench.ENQUEUERS, (first, end) -> enqueueJdbi.useTransaction(h -> {
            for (int i = first; i < end; i++) {
                queue.enqueue(h, Queues.DEFAULT, NOOP, "{\"n\":" + i + "}");
            }
        }));
    }

    /**
     * Every job handled, and the table empty (the last completions are deleted in a batch after the
     * handlers return). When no job has run for {@link #STALL_SECONDS} while some are left, the
     * worker has stalled: it says so, with how many jobs the worker holds without running them, and
     * restarts the worker (stopping gives its jobs back), so a stall costs a round its figure, not the run.
     */
    private void awaitDone(int jobs, String phase) {
        long deadline = System.nanoTime() + 600_000_000_000L;
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (handled.sum() < jobs) {
            long count = handled.sum();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL_SECONDS * 1_000_000_000L) {
                String held = workerJdbi.withHandle(h -> h.createQuery("""
                                SELECT count(*) || ' jobs left, ' || count(*) FILTER (WHERE locked_by IS NOT NULL AND run_at > now())
                                       || ' of them leased (locked_by set, lease renewed) though no handler runs'
                                  FROM jobs""").mapTo(String.class).one());
                System.out.printf("  STALL (%s): no job ran for %d s; %s. Restarting the worker.%n", phase, STALL_SECONDS, held);
                stalls++;
                worker.stop(Duration.ofSeconds(10));
                worker = startWorker();
                lastProgress = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after 600 s waiting for the handlers");
            }
            Bench.sleep(5);
        }
        Bench.await("an empty jobs table",
                () -> workerJdbi.withHandle(h -> h.createQuery("SELECT NOT EXISTS (SELECT 1 FROM jobs)").mapTo(Boolean.class).one()),
                5, 600);
    }

    private void checkRuns(int jobs) {
        if (handled.sum() != jobs) {
            System.out.printf("  note: %d handler runs for %d jobs (a job ran more than once)%n", handled.sum(), jobs);
        }
    }

    /** An empty, vacuumed jobs table, as after autovacuum. */
    private void reset() {
        workerJdbi.useHandle(h -> {
            h.execute("TRUNCATE jobs");
            h.execute("VACUUM ANALYZE jobs");
        });
    }

    private long[] latency(int samples, boolean print) {
        reset();
        started = new long[samples];
        pings = new CountDownLatch(samples);
        long[] committed = new long[samples];
        long[] enqueueTx = new long[samples];
        try (Worker idle = startWorker()) {
            Bench.sleep(500);
            for (int i = 0; i < samples; i++) {
                int n = i;
                long before = System.nanoTime();
                enqueueJdbi.useTransaction(h -> queue.enqueue(h, Queues.DEFAULT, PING, "{\"n\":" + n + "}"));
                committed[i] = System.nanoTime();
                enqueueTx[i] = committed[i] - before;
                Bench.pause();
            }
            try {
                if (!pings.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException(pings.getCount() + " latency jobs never ran");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        long[] pickup = new long[samples];
        int early = 0;
        for (int i = 0; i < samples; i++) {
            pickup[i] = Math.max(0, started[i] - committed[i]);
            if (started[i] < committed[i]) {
                early++;
            }
        }
        if (print) {
            System.out.println(Bench.latency("pickup (commit -> handler start)", pickup));
            System.out.println(Bench.latency("the enqueue transaction itself", enqueueTx));
            if (early > 0) {
                System.out.printf("  (%d handler(s) started before the enqueuer saw its commit return; counted as 0 ms)%n", early);
            }
        }
        return pickup;
    }
}
