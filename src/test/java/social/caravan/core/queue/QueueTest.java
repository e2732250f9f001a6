package social.caravan.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.support.TestDatabase;

/**
 * The job queue in-process: a {@link Worker} built directly on a fresh PostgreSQL database per test,
 * with job types made for the test. Every claim here is about what the rows in {@code jobs} say and
 * what the handlers saw.
 */
class QueueTest {
    private static final String DEFAULT = Queues.DEFAULT;

    record Numbered(int n) {}

    record Effect(String key) {}

    /** A row of {@code jobs} as the tests look at it; {@code runIn} is run_at minus now(), in seconds. */
    record Row(long id, String queue, String type, int attempts, String lockedBy, String lastError, boolean dead,
               double runIn, String uniqueKey) {}

    private Database database;
    private Jdbi jdbi;
    private JobQueue queue;
    private SimpleMeterRegistry meters;
    private final List<Worker> workers = new ArrayList<>();

    @BeforeEach
    void freshDatabase() {
        Config.DatabaseTarget target = Config.from(Map.of("DATABASE_URL", TestDatabase.freshDatabaseUrl()))
                .database().orElseThrow();
        database = Database.connect(target, 10);
        jdbi = database.jdbi();
        queue = new JobQueue(jdbi);
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void stopWorkers() {
        for (Worker worker : workers) {
            worker.stop(Duration.ofSeconds(2));
        }
        database.close();
    }

    private Worker worker(JobTypes types, List<String> queues, int concurrency, int leaseSeconds) {
        Worker worker = new Worker(jdbi, database::dedicatedConnection, types,
                new Worker.Settings(queues, concurrency, leaseSeconds), meters);
        workers.add(worker);
        return worker.start();
    }

    @Test
    void settingsRejectWhatCannotWork() {
        assertThatThrownBy(() -> new Worker.Settings(List.of("push", "bogus"), 4, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus");
        assertThatThrownBy(() -> new Worker.Settings(List.of(), 4, 30)).hasMessageContaining("No queue");
        assertThatThrownBy(() -> new Worker.Settings(List.of("push"), 0, 30)).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> new Worker.Settings(List.of("push"), 4, 1)).hasMessageContaining("lease");
        assertThat(new Worker.Settings(List.of(" push", "pull", "push"), 4, 30).queues()).containsExactly("push", "pull");
        assertThatThrownBy(() -> queue.enqueue("bogus", "t", "{}", null, null)).hasMessageContaining("unknown queue bogus");
        assertThatThrownBy(() -> new JobTypes().register("t", job -> {}).register("t", job -> {}))
                .hasMessageContaining("registered twice");
        assertThatThrownBy(() -> new RetryPolicy(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backoffGrowsWithJitterInSidekiqsBounds() {
        for (int i = 0; i < 200; i++) {
            assertThat(RetryPolicy.backoff(1).toSeconds()).isBetween(15L, 25L);
            assertThat(RetryPolicy.backoff(2).toSeconds()).isBetween(16L, 36L);
            // attempt 5: 4^4 + 15 + (0..10) * 5
            assertThat(RetryPolicy.backoff(5).toSeconds()).isBetween(271L, 321L);
        }
    }

    @Test
    void anEnqueuedJobRunsAndItsRowIsDeleted() {
        jdbi.useHandle(h -> h.execute("CREATE TABLE effects (key text PRIMARY KEY)"));
        JobTypes types = new JobTypes().register("test.insert", job -> {
            Effect effect = job.payload(Effect.class);
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO effects (key) VALUES (:key)").bind("key", effect.key()).execute());
        });
        worker(types, List.of(DEFAULT), 4, 30);

        assertThat(queue.enqueue(DEFAULT, "test.insert", new Effect("own-transaction"), null, null)).isTrue();
        // Enqueued in the caller's transaction: the job exists exactly when that transaction commits.
        jdbi.useTransaction(h -> queue.enqueue(h, DEFAULT, "test.insert", new Effect("committed")));
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            queue.enqueue(h, DEFAULT, "test.insert", new Effect("rolled-back"));
            throw new IllegalStateException("the change that asked for the job failed");
        })).hasMessageContaining("failed");

        awaitUntil("both committed jobs done and deleted", Duration.ofSeconds(10),
                () -> effects().size() == 2 && jobCount() == 0);
        assertThat(effects()).containsExactlyInAnyOrder("own-transaction", "committed");
        assertThat(meters.get("caravan_jobs_processed").tag("queue", DEFAULT).tag("type", "test.insert").counter().count())
                .isEqualTo(2.0);
    }

    @Test
    void aJobScheduledForLaterIsNotTakenEarlyButIsTakenWhenDue() throws Exception {
        BlockingQueue<Instant> ran = new LinkedBlockingQueue<>();
        worker(new JobTypes().register("test.later", job -> ran.add(Instant.now())), List.of(DEFAULT), 4, 30);

        Instant runAt = Instant.now().plusMillis(1500);
        assertThat(queue.enqueue(DEFAULT, "test.later", "{}", runAt, null)).isTrue();
        Thread.sleep(1000);
        assertThat(ran).as("not run before its run_at").isEmpty();
        Row waiting = onlyRow("test.later");
        assertThat(waiting.attempts()).isZero();
        assertThat(waiting.lockedBy()).isNull();

        Instant at = ran.poll(5, TimeUnit.SECONDS);
        assertThat(at).as("run once due").isNotNull();
        assertThat(at).isAfterOrEqualTo(runAt);
        assertThat(Duration.between(runAt, at)).as("the idle worker wakes for the next run_at").isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aFailingJobIsRetriedWithBackoffThenGoesToTheDeadSet() {
        List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
        JobTypes types = new JobTypes().register("test.fails", job -> {
            attemptsSeen.add(job.attempts());
            throw new IllegalStateException("boom on attempt " + job.attempts());
        }, new RetryPolicy(3));
        worker(types, List.of(DEFAULT), 2, 30);
        queue.enqueue(DEFAULT, "test.fails", "{}", null, null);

        // Attempt 1 fails: back in the queue, not held, run_at 15..25 s ahead.
        awaitUntil("the first failure recorded", Duration.ofSeconds(10), () -> {
            Row r = onlyRow("test.fails");
            return r.attempts() == 1 && r.lockedBy() == null && r.lastError() != null;
        });
        Row first = onlyRow("test.fails");
        assertThat(first.dead()).isFalse();
        assertThat(first.lastError()).isEqualTo("IllegalStateException: boom on attempt 1");
        assertThat(first.runIn()).as("backoff(1) is 15..25 s").isBetween(13.0, 25.5);

        // Not run again until due: make it due by hand rather than wait.
        makeDue("test.fails");
        awaitUntil("the second failure recorded", Duration.ofSeconds(10), () -> onlyRow("test.fails").attempts() == 2
                && onlyRow("test.fails").lockedBy() == null);
        Row second = onlyRow("test.fails");
        assertThat(second.lastError()).isEqualTo("IllegalStateException: boom on attempt 2");
        assertThat(second.runIn()).as("backoff(2) is 16..36 s").isBetween(14.0, 36.5);

        makeDue("test.fails");
        awaitUntil("the job dead after its third attempt", Duration.ofSeconds(10), () -> onlyRow("test.fails").dead());
        Row dead = onlyRow("test.fails");
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.lockedBy()).isNull();
        assertThat(dead.lastError()).isEqualTo("gave up after 3 attempts: IllegalStateException: boom on attempt 3");
        assertThat(attemptsSeen).containsExactly(1, 2, 3);
        assertThat(queue.dead(10)).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo("test.fails");
            assertThat(d.reason()).startsWith("gave up after 3 attempts");
        });
        assertThat(meters.get("caravan_jobs_retried").tag("type", "test.fails").counter().count()).isEqualTo(2.0);
        assertThat(meters.get("caravan_jobs_failed").tag("type", "test.fails").counter().count()).isEqualTo(1.0);

        // A dead job is not run again, even when its run_at has passed.
        makeDue("test.fails");
        sleep(1500);
        assertThat(attemptsSeen).hasSize(3);
    }

    @Test
    void jobsOfABatchedTypeRunTogetherAndAFailedBatchRunsEachAlone() {
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        List<Integer> alone = new CopyOnWriteArrayList<>();
        JobTypes types = new JobTypes().registerBatched("test.batched", job -> {
            int n = job.payload(Numbered.class).n();
            if (n == 7) {
                throw new IllegalStateException("seven never works");
            }
            alone.add(n);
        }, jobs -> {
            List<Integer> ns = jobs.stream().map(job -> job.payload(Numbered.class).n()).toList();
            if (ns.contains(7)) {
                throw new IllegalStateException("a batch with seven fails whole");
            }
            batches.add(ns);
        }, 4, new RetryPolicy(1));
        // Each in its own transaction, so they are claimed in this order; all waiting before the worker starts.
        for (int i = 1; i <= 10; i++) {
            queue.enqueue(DEFAULT, "test.batched", new Numbered(i), null, null);
        }
        worker(types, List.of(DEFAULT), 1, 30);

        awaitUntil("every job done or dead", Duration.ofSeconds(10), () -> jobCount() == 1 && onlyRow("test.batched").dead());
        assertThat(batches).containsExactly(List.of(1, 2, 3, 4), List.of(9, 10));
        assertThat(alone).containsExactly(5, 6, 8);
        assertThat(onlyRow("test.batched").lastError()).contains("seven never works");
        assertThat(meters.get("caravan_jobs_processed").tag("type", "test.batched").counter().count()).isEqualTo(9.0);
        assertThat(meters.get("caravan_jobs_batches_split").tag("type", "test.batched").counter().count()).isEqualTo(1.0);
        assertThatThrownBy(() -> new JobTypes().registerBatched("t", job -> {}, jobs -> {}, 1, RetryPolicy.DEFAULT))
                .hasMessageContaining("at least two");
    }

    @Test
    void aWorkerClaimsNoMoreUnbatchedJobsThanItHasFreeSlotsBesideFullBatches() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        JobTypes types = new JobTypes()
                .register("test.slow", job -> release.await())
                .registerBatched("test.batched", job -> batches.add(List.of(job.payload(Numbered.class).n())),
                        jobs -> batches.add(jobs.stream().map(job -> job.payload(Numbered.class).n()).toList()), 3,
                        RetryPolicy.DEFAULT);
        for (int i = 1; i <= 6; i++) {
            queue.enqueue(DEFAULT, "test.slow", new Numbered(i), null, null);
        }
        for (int i = 1; i <= 3; i++) {
            queue.enqueue(DEFAULT, "test.batched", new Numbered(i), null, null);
        }
        worker(types, List.of(DEFAULT), 2, 30);

        // Two slots: two slow jobs hold them; the other four stay free for any other worker to take.
        awaitUntil("two slow jobs running", Duration.ofSeconds(10), () -> claimed("test.slow") == 2);
        sleep(500);
        assertThat(claimed("test.slow")).isEqualTo(2);
        release.countDown();
        awaitUntil("every job done", Duration.ofSeconds(10), () -> jobCount() == 0);
        // The batched type's three jobs were claimed as one full batch, taking one slot.
        assertThat(batches).containsExactly(List.of(1, 2, 3));
    }

    private long claimed(String type) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE type = :t AND locked_by IS NOT NULL")
                .bind("t", type).mapTo(Long.class).one());
    }

    @Test
    void unknownTypesAndBadPayloadsGoDeadAtOnceWithoutBlockingTheQueue() {
        List<Integer> done = new CopyOnWriteArrayList<>();
        JobTypes types = new JobTypes().register("test.numbered", job -> done.add(job.payload(Numbered.class).n()));
        // Concurrency 1: the bad jobs are ahead of the good ones in the one queue.
        Worker worker = worker(types, List.of(DEFAULT), 1, 30);
        jdbi.useTransaction(h -> {
            queue.enqueue(h, DEFAULT, "test.vanished", "{}");
            queue.enqueue(h, DEFAULT, "test.numbered", "{\"n\": \"seven\"}");
            queue.enqueue(h, DEFAULT, "test.numbered", "this is not JSON");
            // A field renamed since the job was enqueued must not read as 0.
            queue.enqueue(h, DEFAULT, "test.numbered", "{\"number\": 7}");
        });
        for (int i = 1; i <= 5; i++) {
            queue.enqueue(DEFAULT, "test.numbered", new Numbered(i), null, null);
        }
        awaitUntil("the five good jobs done", Duration.ofSeconds(10), () -> done.size() == 5);

        Row unknown = onlyRow("test.vanished");
        assertThat(unknown.dead()).isTrue();
        assertThat(unknown.attempts()).as("dead at once, not retried").isEqualTo(1);
        assertThat(unknown.lastError()).isEqualTo("unknown job type test.vanished");

        List<Row> bad = rows("test.numbered");
        assertThat(bad).hasSize(3).allSatisfy(r -> {
            assertThat(r.dead()).isTrue();
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.lockedBy()).isNull();
            assertThat(r.lastError()).startsWith("payload does not parse as Numbered: ");
        });

        // A null payload is no record either: dead at once, not retried for weeks.
        queue.enqueue(DEFAULT, "test.numbered", null, null, null);
        awaitUntil("the null payload dead", Duration.ofSeconds(10), () -> rows("test.numbered").size() == 4
                && rows("test.numbered").stream().allMatch(Row::dead));
        assertThat(rows("test.numbered").getLast().lastError()).startsWith("payload does not parse as Numbered");

        // The worker is still alive and taking work.
        queue.enqueue(DEFAULT, "test.numbered", new Numbered(6), null, null);
        awaitUntil("a later job done", Duration.ofSeconds(10), () -> done.contains(6));
        assertThat(done).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        assertThat(queue.dead(10)).hasSize(5);
        assertThat(meters.get("caravan_jobs_failed").tag("type", "test.numbered").counter().count()).isEqualTo(4.0);
        assertThat(worker.id()).isNotBlank();
    }

    @Test
    void aUniqueKeyMakesASecondEnqueueANoOpWhileTheFirstIsLive() {
        AtomicInteger runs = new AtomicInteger();
        JobTypes types = new JobTypes().register("test.fanout", job -> runs.incrementAndGet());

        assertThat(queue.enqueue(DEFAULT, "test.fanout", "{}", null, "fanout:42")).isTrue();
        assertThat(queue.enqueue(DEFAULT, "test.fanout", "{}", null, "fanout:42")).as("same key while live").isFalse();
        jdbi.useTransaction(h -> assertThat(queue.enqueue(h, DEFAULT, "test.fanout", "{}", null, "fanout:42")).isFalse());
        assertThat(queue.enqueue(DEFAULT, "test.fanout", "{}", null, "fanout:43")).as("another key").isTrue();
        assertThat(rows("test.fanout")).hasSize(2);

        worker(types, List.of(DEFAULT), 2, 30);
        awaitUntil("both done", Duration.ofSeconds(10), () -> runs.get() == 2 && jobCount() == 0);

        assertThat(queue.enqueue(DEFAULT, "test.fanout", "{}", null, "fanout:42")).as("allowed again once done").isTrue();
        awaitUntil("the third run", Duration.ofSeconds(10), () -> runs.get() == 3 && jobCount() == 0);
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void aDeadJobsUniqueKeyIsFreeAndRetryingItWhileAnotherIsLiveDoesNothing() {
        Worker killer = worker(new JobTypes(), List.of(DEFAULT), 1, 30);
        queue.enqueue(DEFAULT, "test.unregistered", "{}", null, "key:1");
        awaitUntil("the unknown job dead", Duration.ofSeconds(10), () -> onlyRow("test.unregistered").dead());
        killer.stop(Duration.ofSeconds(1));
        long deadId = onlyRow("test.unregistered").id();

        assertThat(queue.enqueue(DEFAULT, "test.unregistered", "{}", null, "key:1")).as("a dead job holds no key").isTrue();
        assertThat(queue.retryDead(new long[] {deadId})).as("retrying would make two live jobs with one key").isZero();
        assertThat(rows("test.unregistered")).filteredOn(r -> r.id() == deadId).singleElement()
                .satisfies(r -> assertThat(r.dead()).isTrue());
    }

    @Test
    void aJobWhoseLeaseExpiredIsTakenByAnotherWorkerButALiveLeaseIsRespected() {
        jdbi.useHandle(h -> {
            // As a worker that died (kill -9) leaves its job: held, the lease run out.
            h.execute("""
                    INSERT INTO jobs (queue, type, payload, run_at, attempts, locked_by)
                    VALUES ('default', 'test.orphan', '{"n": 1}', now() - interval '1 second', 1, 'gone-host:4242:dead')""");
            // Held by a worker that is alive and renewing.
            h.execute("""
                    INSERT INTO jobs (queue, type, payload, run_at, attempts, locked_by)
                    VALUES ('default', 'test.orphan', '{"n": 2}', now() + interval '60 seconds', 1, 'live-host:4343:beef')""");
        });
        Map<Integer, Integer> attemptsSeen = new ConcurrentHashMap<>();
        Worker worker = worker(new JobTypes().register("test.orphan",
                job -> attemptsSeen.put(job.payload(Numbered.class).n(), job.attempts())), List.of(DEFAULT), 2, 30);

        awaitUntil("the orphan taken and done", Duration.ofSeconds(10),
                () -> attemptsSeen.containsKey(1) && rows("test.orphan").size() == 1);
        assertThat(attemptsSeen.get(1)).as("the second attempt").isEqualTo(2);
        sleep(1500);
        assertThat(attemptsSeen).containsOnlyKeys(1);
        Row held = onlyRow("test.orphan");
        assertThat(held.lockedBy()).isEqualTo("live-host:4343:beef");
        assertThat(held.attempts()).isEqualTo(1);
        assertThat(worker.id()).isNotEqualTo("live-host:4343:beef");
    }

    @Test
    void aRunningJobsLeaseIsRenewedSoNoOtherWorkerTakesIt() {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        JobHandler slow = job -> {
            runs.incrementAndGet();
            started.countDown();
            Thread.sleep(4500);
        };
        Worker first = worker(new JobTypes().register("test.slow", slow), List.of(DEFAULT), 2, 2);
        queue.enqueue(DEFAULT, "test.slow", "{}", null, null);
        awaitUntil("the slow job started", Duration.ofSeconds(10), () -> started.getCount() == 0);
        worker(new JobTypes().register("test.slow", slow), List.of(DEFAULT), 2, 2);

        sleep(3000);
        Row running = onlyRow("test.slow");
        assertThat(running.lockedBy()).isEqualTo(first.id());
        assertThat(running.runIn()).as("the 2 s lease renewed past its first end").isPositive();
        awaitUntil("the slow job done", Duration.ofSeconds(10), () -> jobCount() == 0);
        assertThat(runs.get()).as("never taken by the second worker").isEqualTo(1);
    }

    @Test
    void theDeadSetCanBeListedRetriedAndDiscardedAndStatsCountEveryQueue() {
        // Two dead jobs on push, made so by a worker that knows no types.
        Worker killer = worker(new JobTypes(), List.of(Queues.PUSH), 2, 30);
        queue.enqueue(Queues.PUSH, "test.nope", "{\"n\": 1}", null, null);
        awaitUntil("the first dead", Duration.ofSeconds(10), () -> queue.dead(10).size() == 1);
        queue.enqueue(Queues.PUSH, "test.nope", "{\"n\": 2}", null, null);
        awaitUntil("the second dead", Duration.ofSeconds(10), () -> queue.dead(10).size() == 2);
        killer.stop(Duration.ofSeconds(1));
        // A ready default job waiting 10 s, a scheduled one, and one held by a live worker on ingress.
        queue.enqueue(DEFAULT, "test.waiting", "{}", Instant.now().minusSeconds(10), null);
        queue.enqueue(DEFAULT, "test.waiting", "{}", Instant.now().plusSeconds(3600), null);
        jdbi.useHandle(h -> h.execute("""
                INSERT INTO jobs (queue, type, payload, run_at, attempts, locked_by)
                VALUES ('ingress', 'test.held', '{}', now() + interval '30 seconds', 1, 'some-host:1:abcd')"""));

        List<JobQueue.QueueStats> stats = queue.stats();
        assertThat(stats).extracting(JobQueue.QueueStats::queue).containsExactlyElementsOf(Queues.all());
        JobQueue.QueueStats byDefault = stat(stats, DEFAULT);
        assertThat(byDefault.ready()).isEqualTo(1);
        assertThat(byDefault.scheduled()).isEqualTo(1);
        assertThat(byDefault.running()).isZero();
        assertThat(byDefault.dead()).isZero();
        assertThat(byDefault.oldestReadySeconds()).isBetween(9.5, 60.0);
        assertThat(stat(stats, Queues.PUSH)).extracting(JobQueue.QueueStats::dead, JobQueue.QueueStats::ready)
                .containsExactly(2L, 0L);
        assertThat(stat(stats, Queues.INGRESS)).extracting(JobQueue.QueueStats::running, JobQueue.QueueStats::ready,
                JobQueue.QueueStats::scheduled).containsExactly(1L, 0L, 0L);
        assertThat(stat(stats, Queues.MAILERS)).isEqualTo(new JobQueue.QueueStats(Queues.MAILERS, 0, 0, 0, 0, 0));

        List<JobQueue.DeadJob> dead = queue.dead(10);
        assertThat(dead).extracting(JobQueue.DeadJob::payload).as("newest first")
                .containsExactly("{\"n\": 2}", "{\"n\": 1}");
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.queue()).isEqualTo(Queues.PUSH);
            assertThat(d.type()).isEqualTo("test.nope");
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.reason()).isEqualTo("unknown job type test.nope");
            assertThat(d.deadAt()).isBeforeOrEqualTo(Instant.now());
        });
        assertThat(queue.dead(1)).hasSize(1);

        long older = dead.get(1).id();
        long waiting = rows("test.waiting").getFirst().id();
        assertThat(queue.retryDead(new long[] {waiting})).as("a live job is not dead").isZero();
        assertThat(queue.discardDead(new long[] {waiting})).as("discard never deletes a live job").isZero();
        assertThat(queue.retryDead(new long[] {older})).isEqualTo(1);
        Row retried = row(older).orElseThrow();
        assertThat(retried.dead()).isFalse();
        assertThat(retried.attempts()).as("fresh attempts").isZero();
        assertThat(retried.lockedBy()).isNull();
        assertThat(retried.runIn()).isLessThanOrEqualTo(0.0);
        assertThat(queue.dead(10)).extracting(JobQueue.DeadJob::id).containsExactly(dead.get(0).id());

        assertThat(queue.discardAllDead()).as("all").isEqualTo(1);
        assertThat(queue.dead(10)).isEmpty();
        assertThat(row(older)).as("the retried job is live and stays").isPresent();
        assertThat(jobCount()).isEqualTo(4);

        // retryAllDead takes every dead job.
        Worker again = worker(new JobTypes(), List.of(Queues.PUSH), 2, 30);
        awaitUntil("the retried job dead again", Duration.ofSeconds(10), () -> queue.dead(10).size() == 1);
        again.stop(Duration.ofSeconds(1));
        assertThat(queue.retryAllDead()).isEqualTo(1);
        assertThat(queue.dead(10)).isEmpty();
    }

    @Test
    void stopGivesBackAJobStillHeldWithoutUsingUpItsAttempt() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Worker worker = worker(new JobTypes().register("test.blocks", job -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        }), List.of(DEFAULT), 2, 30);
        queue.enqueue(DEFAULT, "test.blocks", "{}", null, null);
        awaitUntil("the job started", Duration.ofSeconds(10), () -> started.getCount() == 0);
        Row held = onlyRow("test.blocks");
        assertThat(held.lockedBy()).isEqualTo(worker.id());
        assertThat(held.attempts()).isEqualTo(1);

        long t0 = System.nanoTime();
        worker.stop(Duration.ofMillis(300));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).as("stop waits the grace, then interrupts").isLessThan(Duration.ofSeconds(8));
        assertThat(interrupted).isTrue();

        Row given = onlyRow("test.blocks");
        assertThat(given.lockedBy()).isNull();
        assertThat(given.dead()).isFalse();
        assertThat(given.attempts()).as("giving back does not use up an attempt").isZero();
        assertThat(given.runIn()).as("ready at once").isLessThanOrEqualTo(0.0);
        assertThat(given.lastError()).isNull();

        // Another worker takes it as a first attempt.
        BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
        worker(new JobTypes().register("test.blocks", job -> attempts.add(job.attempts())), List.of(DEFAULT), 2, 30);
        awaitUntil("the job done by the next worker", Duration.ofSeconds(10), () -> jobCount() == 0);
        assertThat(attempts).containsExactly(1);
    }

    @Test
    void whileStoppingAWorkerStillRenewsTheLeaseOfAJobItIsFinishing() {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        JobHandler slow = job -> {
            runs.incrementAndGet();
            started.countDown();
            Thread.sleep(4000);
        };
        // A 2 s lease, a 4 s job, and a grace long enough to finish it.
        Worker stopping = worker(new JobTypes().register("test.finishing", slow), List.of(DEFAULT), 2, 2);
        queue.enqueue(DEFAULT, "test.finishing", "{}", null, null);
        awaitUntil("the job started", Duration.ofSeconds(10), () -> started.getCount() == 0);
        worker(new JobTypes().register("test.finishing", slow), List.of(DEFAULT), 2, 2);

        stopping.stop(Duration.ofSeconds(8));
        assertThat(runs.get()).as("the job the stopping worker was finishing is not taken by the other").isEqualTo(1);
        assertThat(jobCount()).as("finished within the grace and recorded as done").isZero();
    }

    @Test
    void notifyWakesAnIdleWorkerWithinMilliseconds() throws Exception {
        BlockingQueue<Long> picked = new LinkedBlockingQueue<>();
        worker(new JobTypes().register("test.ping", job -> picked.add(System.nanoTime())), List.of(DEFAULT), 4, 30);
        awaitUntil("the worker's LISTEN connection", Duration.ofSeconds(10), () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND query = 'LISTEN caravan_jobs'""").mapTo(Integer.class).one()) > 0);
        queue.enqueue(DEFAULT, "test.ping", "{}", null, null);
        assertThat(picked.poll(5, TimeUnit.SECONDS)).as("warm-up job").isNotNull();

        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // After a job, an idle worker polls again only after a second; enqueue well inside that second.
            Thread.sleep(150);
            long t0 = System.nanoTime();
            queue.enqueue(DEFAULT, "test.ping", "{}", null, null);
            Long at = picked.poll(5, TimeUnit.SECONDS);
            assertThat(at).as("job %d picked up", i).isNotNull();
            latencies.add(TimeUnit.NANOSECONDS.toMillis(at - t0));
        }
        assertThat(Collections.max(latencies)).as("pickup latencies in ms %s (the poll alone would take ~850 ms)", latencies)
                .isLessThan(500L);
    }

    @Test
    void weightedOrderStillServesALightQueueWhenAHeavyOneIsFull() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        JobTypes types = new JobTypes().register("test.order", job -> order.add(job.queue()));
        jdbi.useTransaction(h -> {
            for (int i = 0; i < 200; i++) {
                queue.enqueue(h, DEFAULT, "test.order", "{}");
            }
        });
        // Enqueued last, in a queue of weight 1 against default's 8.
        queue.enqueue(Queues.PULL, "test.order", "{}", null, null);
        worker(types, List.of(DEFAULT, Queues.PULL), 1, 30);

        awaitUntil("all 201 done", Duration.ofSeconds(30), () -> order.size() == 201);
        int pullAt = order.indexOf(Queues.PULL);
        // Each claim looks at pull first with probability 1/9; P(not within 100 claims) = (8/9)^100 < 1e-5.
        assertThat(pullAt).as("position of the pull job among 201").isBetween(0, 99);
    }

    // --- helpers -----------------------------------------------------------------------------

    private static JobQueue.QueueStats stat(List<JobQueue.QueueStats> stats, String queue) {
        return stats.stream().filter(s -> s.queue().equals(queue)).findFirst().orElseThrow();
    }

    private List<String> effects() {
        return jdbi.withHandle(h -> h.createQuery("SELECT key FROM effects").mapTo(String.class).list());
    }

    private long jobCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs").mapTo(Long.class).one());
    }

    private void makeDue(String type) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET run_at = now() WHERE type = :type").bind("type", type).execute());
    }

    private static final String ROW_SQL = """
            SELECT id, queue, type, attempts, locked_by, last_error, dead_at IS NOT NULL AS dead,
                   extract(epoch FROM run_at - now())::float8 AS run_in, unique_key
              FROM jobs""";

    private List<Row> rows(String type) {
        return jdbi.withHandle(h -> h.createQuery(ROW_SQL + " WHERE type = :type ORDER BY id").bind("type", type)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("queue"), rs.getString("type"),
                        rs.getInt("attempts"), rs.getString("locked_by"), rs.getString("last_error"),
                        rs.getBoolean("dead"), rs.getDouble("run_in"), rs.getString("unique_key")))
                .list());
    }

    private Row onlyRow(String type) {
        List<Row> rows = rows(type);
        assertThat(rows).as("jobs of type %s", type).hasSize(1);
        return rows.getFirst();
    }

    private Optional<Row> row(long id) {
        return jdbi.withHandle(h -> h.createQuery(ROW_SQL + " WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("queue"), rs.getString("type"),
                        rs.getInt("attempts"), rs.getString("locked_by"), rs.getString("last_error"),
                        rs.getBoolean("dead"), rs.getDouble("run_in"), rs.getString("unique_key")))
                .findOne());
    }

    /** Plain polling with a deadline (the project has no Awaitility). */
    static void awaitUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            sleep(20);
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
