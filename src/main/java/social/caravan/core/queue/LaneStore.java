package social.caravan.core.queue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** SQL for the delivery_destinations and deliveries tables. */
final class LaneStore {
    static final String CHANNEL = "caravan_deliveries";

    /** Adds a delivery to its host's lane; false (nothing added) when the host is marked unavailable. */
    boolean insert(Handle h, String host, String target, String payload) {
        h.createUpdate("INSERT INTO delivery_destinations (host) VALUES (:host) ON CONFLICT (host) DO NOTHING")
                .bind("host", host).execute();
        int added = h.createUpdate("""
                        INSERT INTO deliveries (host, target, payload)
                        SELECT :host, :target, :payload FROM delivery_destinations WHERE host = :host AND NOT unavailable""")
                .bind("host", host).bind("target", target).bind("payload", payload).execute();
        if (added == 1) {
            h.createQuery("SELECT pg_notify('" + CHANNEL + "', '')").mapTo(String.class).one();
        }
        return added == 1;
    }

    /** Claims lanes that have deliveries and are not backing off; one claim per host at a time. */
    List<String> claim(Handle h, String worker, int limit, int leaseSeconds) {
        return h.createQuery("""
                        WITH next AS MATERIALIZED (
                          SELECT d.host FROM delivery_destinations d
                           WHERE d.next_attempt_at <= now()
                             AND (d.claimed_until IS NULL OR d.claimed_until < now())
                             AND EXISTS (SELECT 1 FROM deliveries x WHERE x.host = d.host)
                           ORDER BY d.next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)
                        UPDATE delivery_destinations SET claimed_by = :worker,
                               claimed_until = now() + make_interval(secs => :lease)
                          FROM next WHERE delivery_destinations.host = next.host
                        RETURNING delivery_destinations.host""")
                .bind("worker", worker).bind("limit", limit).bind("lease", leaseSeconds)
                .mapTo(String.class).list();
    }

    List<Delivery> next(Handle h, String host, int limit) {
        return h.createQuery("SELECT id, host, target, payload, created_at FROM deliveries WHERE host = :host ORDER BY id LIMIT :limit")
                .bind("host", host).bind("limit", limit)
                .map((rs, ctx) -> new Delivery(rs.getLong("id"), rs.getString("host"), rs.getString("target"),
                        rs.getString("payload"), rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    void delete(Handle h, long id) {
        h.createUpdate("DELETE FROM deliveries WHERE id = :id").bind("id", id).execute();
    }

    void extend(Handle h, String host, String worker, int leaseSeconds) {
        h.createUpdate("""
                        UPDATE delivery_destinations SET claimed_until = now() + make_interval(secs => :lease)
                         WHERE host = :host AND claimed_by = :worker""")
                .bind("host", host).bind("worker", worker).bind("lease", leaseSeconds).execute();
    }

    /** Renews every claim {@code worker} holds. */
    void extendAll(Handle h, String worker, int leaseSeconds) {
        h.createUpdate("""
                        UPDATE delivery_destinations SET claimed_until = now() + make_interval(secs => :lease)
                         WHERE claimed_by = :worker""")
                .bind("worker", worker).bind("lease", leaseSeconds).execute();
    }

    /** The host answered: its failure record is cleared, and so is "unavailable". */
    void succeeded(Handle h, String host) {
        h.createUpdate("""
                        UPDATE delivery_destinations SET failures = 0, failing_since = NULL, failure_days = '{}',
                               unavailable = false, next_attempt_at = now()
                         WHERE host = :host AND (failures > 0 OR unavailable)""")
                .bind("host", host).execute();
    }

    /**
     * The host failed: the lane waits until {@code nextAttempt}; today joins its failure days, and
     * {@code unavailableAfterDays} distinct days mark it unavailable.
     */
    void failed(Handle h, String host, Instant nextAttempt, int unavailableAfterDays) {
        h.createUpdate("""
                        UPDATE delivery_destinations
                           SET failures = failures + 1,
                               failing_since = coalesce(failing_since, now()),
                               failure_days = CASE WHEN (now() AT TIME ZONE 'UTC')::date = ANY(failure_days) THEN failure_days
                                                   ELSE failure_days || (now() AT TIME ZONE 'UTC')::date END,
                               next_attempt_at = :next
                         WHERE host = :host""")
                .bind("host", host).bind("next", Timestamp.from(nextAttempt)).execute();
        h.createUpdate("UPDATE delivery_destinations SET unavailable = true WHERE host = :host AND cardinality(failure_days) >= :days")
                .bind("host", host).bind("days", unavailableAfterDays).execute();
    }

    int failures(Handle h, String host) {
        return h.createQuery("SELECT failures FROM delivery_destinations WHERE host = :host")
                .bind("host", host).mapTo(Integer.class).one();
    }

    /** Drops the lane's deliveries older than the retry horizon; returns how many. */
    int expire(Handle h, String host, Instant createdBefore) {
        return h.createUpdate("DELETE FROM deliveries WHERE host = :host AND created_at < :before")
                .bind("host", host).bind("before", Timestamp.from(createdBefore)).execute();
    }

    void release(Handle h, String host, String worker) {
        h.createUpdate("UPDATE delivery_destinations SET claimed_by = NULL, claimed_until = NULL WHERE host = :host AND claimed_by = :worker")
                .bind("host", host).bind("worker", worker).execute();
    }

    List<String> unavailableHosts(Handle h) {
        return h.createQuery("SELECT host FROM delivery_destinations WHERE unavailable").mapTo(String.class).list();
    }

    void markAvailable(Handle h, String host) {
        h.createUpdate("""
                        UPDATE delivery_destinations SET unavailable = false, failures = 0, failing_since = NULL,
                               failure_days = '{}', next_attempt_at = now()
                         WHERE host = :host""")
                .bind("host", host).execute();
    }

    record Row(String host, long backlog, int failures, Instant failingSince, boolean unavailable, Instant nextAttemptAt) {}

    /** Destinations with a backlog or a failure record. */
    List<Row> stats(Handle h) {
        return h.createQuery("""
                        SELECT d.host, (SELECT count(*) FROM deliveries x WHERE x.host = d.host) AS backlog, d.failures,
                               d.failing_since, d.unavailable, d.next_attempt_at
                          FROM delivery_destinations d
                         WHERE d.failures > 0 OR d.unavailable OR EXISTS (SELECT 1 FROM deliveries x WHERE x.host = d.host)
                         ORDER BY d.host""")
                .map((rs, ctx) -> new Row(rs.getString("host"), rs.getLong("backlog"), rs.getInt("failures"),
                        rs.getTimestamp("failing_since") == null ? null : rs.getTimestamp("failing_since").toInstant(),
                        rs.getBoolean("unavailable"), rs.getTimestamp("next_attempt_at").toInstant()))
                .list();
    }
}
