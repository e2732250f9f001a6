package social.caravan.core.queue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;

/**
 * A queue worker process for {@link WorkerProcessesIT}: the real {@link Worker} (and, when asked, the
 * real {@link RecurringScheduler}) with job types made for the tests, in a JVM of its own.
 *
 * <p>Environment: {@code DATABASE_URL}. Arguments: {@code name queues concurrency leaseSeconds
 * graceMillis [recurring]}. It prints {@code READY name workerId} once started, and on SIGTERM stops
 * the worker with the given grace and prints {@code STOPPED name}.
 *
 * <p>Job types (the tables belong to the test):
 * <ul>
 *   <li>{@code test.effect}, payload {@code {"key": ..., "sleep_millis": ...}}: records the start in
 *       {@code test_runs}, sleeps, then inserts the effect into {@code test_effects} once per key
 *       (idempotent, as at-least-once delivery needs).
 *   <li>{@code test.tick}, recurring every second on the {@code scheduler} queue: inserts one row
 *       into {@code test_ticks} with the unique key its period was enqueued under (read from its
 *       own job row, which exists until the job completes).
 * </ul>
 */
public final class TestWorkerMain {
    public record Effect(String key, long sleepMillis) {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        List<String> queues = List.of(args[1].split(","));
        int concurrency = Integer.parseInt(args[2]);
        int leaseSeconds = Integer.parseInt(args[3]);
        Duration grace = Duration.ofMillis(Long.parseLong(args[4]));
        boolean recurring = args.length > 5 && args[5].equals("recurring");

        Config.DatabaseTarget target = Config.from(Map.of("DATABASE_URL", System.getenv("DATABASE_URL")))
                .database().orElseThrow();
        Database database = Database.connect(target, concurrency + 4);
        Jdbi jdbi = database.jdbi();

        JobTypes types = new JobTypes().register("test.effect", job -> {
            Effect effect = job.payload(Effect.class);
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO test_runs (job_key, worker) VALUES (:key, :worker)")
                    .bind("key", effect.key()).bind("worker", name).execute());
            Thread.sleep(effect.sleepMillis());
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO test_effects (job_key, worker, queue) VALUES (:key, :worker, :queue)
                            ON CONFLICT (job_key) DO NOTHING""")
                    .bind("key", effect.key()).bind("worker", name).bind("queue", job.queue()).execute());
        });
        if (recurring) {
            types.register("test.tick", job -> jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO test_ticks (period_key, worker)
                            SELECT unique_key, :worker FROM jobs WHERE id = :id""")
                    .bind("id", job.id()).bind("worker", name).execute()))
                    .every(Duration.ofSeconds(1), "test-tick", Queues.SCHEDULER, "test.tick");
        }

        Worker worker = new Worker(jdbi, database::dedicatedConnection, types,
                new Worker.Settings(queues, concurrency, leaseSeconds), new SimpleMeterRegistry()).start();
        RecurringScheduler scheduler = recurring ? new RecurringScheduler(jdbi, new JobQueue(jdbi), types).start() : null;

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (scheduler != null) {
                scheduler.close();
            }
            worker.stop(grace);
            database.close();
            System.out.println("STOPPED " + name);
            System.out.flush();
        }, "test-worker-shutdown"));
        System.out.println("READY " + name + " " + worker.id());
        System.out.flush();
        // Every thread of the worker is a daemon: hold the JVM up until a signal ends it.
        Thread.currentThread().join();
    }
}
