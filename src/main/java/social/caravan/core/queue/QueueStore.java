package social.caravan.core.queue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for the jobs, recurring_jobs and leases tables. */
final class QueueStore {
    static final String CHANNEL = "caravan_jobs";

    boolean insert(Handle h, String queue, String type, String payload, Instant runAt, String uniqueKey) {
        return h.createUpdate("""
                        INSERT INTO jobs (queue, type, payload, run_at, unique_key)
                        VALUES (:queue, :type, :payload, coalesce(:runAt, now()), :uniqueKey)
                        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND dead_at IS NULL DO NOTHING""")
                .bind("queue", queue)
                .bind("type", type)
                .bind("payload", payload)
                .bind("runAt", runAt == null ? null : Timestamp.from(runAt))
                .bind("uniqueKey", uniqueKey)
                .execute() == 1;
    }

    /** Inserts jobs to run now, the i-th of each array making one job, in that order. */
    void insertAll(Handle h, String[] queues, String[] types, String[] payloads) {
        h.createUpdate("""
                        INSERT INTO jobs (queue, type, payload)
                        SELECT q, t, p FROM unnest(:queues, :types, :payloads) WITH ORDINALITY AS j (q, t, p, n)
                         ORDER BY n""")
                .bind("queues", queues).bind("types", types).bind("payloads", payloads).execute();
    }

    /** Wakes listening workers when the transaction commits; PostgreSQL folds repeats into one. */
    void notifyWorkers(Handle h, String queue) {
        h.createQuery("SELECT pg_notify('" + CHANNEL + "', :queue)").bind("queue", queue).mapTo(String.class).one();
    }

    /**
     * Takes up to {@code limit} ready jobs of one queue (of one type, unless {@code type} is null); the
     * lease is the new run_at. The locked
     * selection is a MATERIALIZED CTE: as {@code id IN (subquery)} the planner may run the
     * LIMIT ... SKIP LOCKED subquery more than once and claim far more than {@code limit} rows.
     */
    List<Job> claim(Handle h, String queue, String type, String worker, int limit, int leaseSeconds) {
        return h.createQuery("""
                        WITH next AS MATERIALIZED (
                          SELECT id FROM jobs
                           WHERE queue = :queue AND dead_at IS NULL AND run_at <= now()
                             AND (CAST(:type AS text) IS NULL OR type = :type)
                           ORDER BY run_at LIMIT :limit FOR UPDATE SKIP LOCKED)
                        UPDATE jobs SET run_at = now() + make_interval(secs => :lease), locked_by = :worker,
                               attempts = attempts + 1
                          FROM next WHERE jobs.id = next.id
                        RETURNING jobs.id, jobs.queue, jobs.type, jobs.payload, jobs.attempts, jobs.created_at""")
                .bind("queue", queue)
                .bind("type", type)
                .bind("worker", worker)
                .bind("limit", limit)
                .bind("lease", leaseSeconds)
                .map((rs, ctx) -> job(rs)).list();
    }

    /** Deletes done jobs, unless their lease ran out and another worker holds them now. */
    void complete(Handle h, long[] ids, String worker) {
        h.createUpdate("DELETE FROM jobs WHERE id = ANY(:ids) AND locked_by = :worker")
                .bind("ids", ids).bind("worker", worker).execute();
    }

    void retryLater(Handle h, long id, String worker, String error, Instant runAt) {
        h.createUpdate("""
                        UPDATE jobs SET run_at = :runAt, locked_by = NULL, last_error = :error
                         WHERE id = :id AND locked_by = :worker""")
                .bind("id", id).bind("worker", worker).bind("error", error).bind("runAt", Timestamp.from(runAt))
                .execute();
    }

    void kill(Handle h, long id, String worker, String error) {
        h.createUpdate("""
                        UPDATE jobs SET dead_at = now(), locked_by = NULL, last_error = :error
                         WHERE id = :id AND locked_by = :worker""")
                .bind("id", id).bind("worker", worker).bind("error", error).execute();
    }

    /** Renews the leases of these jobs, those this worker is running, and no others. */
    void extendLeases(Handle h, long[] ids, String worker, int leaseSeconds) {
        h.createUpdate("""
                        UPDATE jobs SET run_at = now() + make_interval(secs => :lease)
                         WHERE id = ANY(:ids) AND locked_by = :worker AND dead_at IS NULL""")
                .bind("ids", ids).bind("worker", worker).bind("lease", leaseSeconds).execute();
    }

    /** Gives back every job this worker holds, ready at once; giving back does not use up an attempt. */
    int release(Handle h, String worker) {
        return h.createUpdate("""
                        UPDATE jobs SET run_at = now(), locked_by = NULL, attempts = greatest(attempts - 1, 0)
                         WHERE locked_by = :worker AND dead_at IS NULL""")
                .bind("worker", worker).execute();
    }

    Optional<Instant> nextRunAt(Handle h, List<String> queues) {
        return h.createQuery("SELECT min(run_at) FROM jobs WHERE queue = ANY(:queues) AND dead_at IS NULL")
                .bind("queues", queues.toArray(String[]::new))
                .mapTo(Timestamp.class).findOne().map(Timestamp::toInstant);
    }

    record QueueCounts(String queue, long ready, long scheduled, long running, long dead, double oldestReadySeconds) {}

    List<QueueCounts> counts(Handle h) {
        return h.createQuery("""
                        SELECT queue,
                               count(*) FILTER (WHERE dead_at IS NULL AND run_at <= now()) AS ready,
                               count(*) FILTER (WHERE dead_at IS NULL AND run_at > now() AND locked_by IS NULL) AS scheduled,
                               count(*) FILTER (WHERE dead_at IS NULL AND locked_by IS NOT NULL AND run_at > now()) AS running,
                               count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead,
                               coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE dead_at IS NULL AND run_at <= now())), 0) AS oldest
                          FROM jobs GROUP BY queue ORDER BY queue""")
                .map((rs, ctx) -> new QueueCounts(rs.getString("queue"), rs.getLong("ready"), rs.getLong("scheduled"),
                        rs.getLong("running"), rs.getLong("dead"), rs.getDouble("oldest")))
                .list();
    }

    record DeadJob(long id, String queue, String type, String payload, int attempts, String lastError, Instant deadAt) {}

    List<DeadJob> dead(Handle h, int limit) {
        return h.createQuery("""
                        SELECT id, queue, type, payload, attempts, last_error, dead_at FROM jobs
                         WHERE dead_at IS NOT NULL ORDER BY dead_at DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new DeadJob(rs.getLong("id"), rs.getString("queue"), rs.getString("type"),
                        rs.getString("payload"), rs.getInt("attempts"), rs.getString("last_error"),
                        rs.getTimestamp("dead_at").toInstant()))
                .list();
    }

    /** Puts dead jobs back in their queue with fresh attempts; one whose unique key is live again stays dead. */
    int retryDead(Handle h, long[] ids, boolean all) {
        return h.createUpdate("""
                        UPDATE jobs j SET dead_at = NULL, run_at = now(), attempts = 0, locked_by = NULL
                         WHERE j.dead_at IS NOT NULL AND (:all OR j.id = ANY(:ids))
                           AND (j.unique_key IS NULL OR NOT EXISTS (
                                SELECT 1 FROM jobs l WHERE l.unique_key = j.unique_key AND l.dead_at IS NULL))""")
                .bind("ids", ids).bind("all", all).execute();
    }

    int discardDead(Handle h, long[] ids, boolean all) {
        return h.createUpdate("DELETE FROM jobs WHERE dead_at IS NOT NULL AND (:all OR id = ANY(:ids))")
                .bind("ids", ids).bind("all", all).execute();
    }

    int pruneDead(Handle h, Instant before) {
        return h.createUpdate("DELETE FROM jobs WHERE dead_at IS NOT NULL AND dead_at < :before")
                .bind("before", Timestamp.from(before)).execute();
    }

    void defineRecurring(Handle h, String name, String queue, String type, long intervalSeconds) {
        h.createUpdate("""
                        INSERT INTO recurring_jobs (name, queue, type, interval_seconds, next_run_at)
                        VALUES (:name, :queue, :type, :interval, now())
                        ON CONFLICT (name) DO UPDATE
                           SET queue = EXCLUDED.queue, type = EXCLUDED.type, interval_seconds = EXCLUDED.interval_seconds,
                               next_run_at = CASE WHEN recurring_jobs.interval_seconds = EXCLUDED.interval_seconds
                                                  THEN recurring_jobs.next_run_at ELSE now() END""")
                .bind("name", name).bind("queue", queue).bind("type", type).bind("interval", intervalSeconds).execute();
    }

    record DuePeriod(String name, String queue, String type, Instant period) {}

    /**
     * Claims every due period of every recurring job: next_run_at moves past now in whole
     * intervals, in this transaction, so two schedulers can never both claim one period.
     */
    List<DuePeriod> claimDuePeriods(Handle h, List<String> names) {
        return h.createQuery("""
                        UPDATE recurring_jobs r
                           SET next_run_at = r.next_run_at + make_interval(secs => r.interval_seconds
                               * (floor(extract(epoch FROM now() - r.next_run_at) / r.interval_seconds) + 1))
                          FROM (SELECT name, next_run_at FROM recurring_jobs
                                 WHERE next_run_at <= now() AND name = ANY(:names) FOR UPDATE) due
                         WHERE r.name = due.name
                        RETURNING r.name, r.queue, r.type, due.next_run_at AS period""")
                .bind("names", names.toArray(String[]::new))
                .map((rs, ctx) -> new DuePeriod(rs.getString("name"), rs.getString("queue"), rs.getString("type"),
                        rs.getTimestamp("period").toInstant()))
                .list();
    }

    /** Takes or renews a cluster-wide lease; true when this holder has it now. */
    boolean acquireLease(Handle h, String name, String holder, int seconds) {
        return h.createQuery("""
                        INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, now() + make_interval(secs => :s))
                        ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                         WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
                        RETURNING holder""")
                .bind("name", name).bind("holder", holder).bind("s", seconds)
                .mapTo(String.class).findOne().isPresent();
    }

    void dropLease(Handle h, String name, String holder) {
        h.createUpdate("DELETE FROM leases WHERE name = :name AND holder = :holder")
                .bind("name", name).bind("holder", holder).execute();
    }

    private static Job job(ResultSet rs) throws SQLException {
        return new Job(rs.getLong("id"), rs.getString("queue"), rs.getString("type"), rs.getString("payload"),
                rs.getInt("attempts"), rs.getTimestamp("created_at").toInstant());
    }
}
