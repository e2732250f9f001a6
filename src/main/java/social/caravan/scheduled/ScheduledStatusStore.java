package social.caravan.scheduled;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.core.db.Window;
import social.caravan.core.json.Json;

/** SQL for scheduled_statuses; params are kept as jsonb. */
final class ScheduledStatusStore {

    long insert(Handle h, long accountId, Instant scheduledAt, ScheduledParams params) {
        return h.createQuery("""
                        INSERT INTO scheduled_statuses (account_id, scheduled_at, params)
                        VALUES (:account, :at, CAST(:params AS jsonb)) RETURNING id""")
                .bind("account", accountId).bind("at", Timestamp.from(scheduledAt)).bind("params", Json.write(params))
                .mapTo(Long.class).one();
    }

    /** Serialises scheduling by one account, so the limits below are counted without a race. */
    void lockAccount(Handle h, long accountId) {
        h.createQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('scheduled_statuses', :account))")
                .bind("account", accountId).mapTo(Integer.class).one();
    }

    int count(Handle h, long accountId, long exceptId) {
        return h.createQuery("SELECT count(*) FROM scheduled_statuses WHERE account_id = :account AND id <> :except")
                .bind("account", accountId).bind("except", exceptId).mapTo(Integer.class).one();
    }

    /** How many the account has scheduled on the same UTC day as {@code at}. */
    int countOnDay(Handle h, long accountId, Instant at, long exceptId) {
        return h.createQuery("""
                        SELECT count(*) FROM scheduled_statuses
                         WHERE account_id = :account AND id <> :except
                           AND (scheduled_at AT TIME ZONE 'UTC')::date = (CAST(:at AS timestamptz) AT TIME ZONE 'UTC')::date""")
                .bind("account", accountId).bind("except", exceptId).bind("at", Timestamp.from(at))
                .mapTo(Integer.class).one();
    }

    List<ScheduledStatus> page(Handle h, long accountId, Window window) {
        return window.newestFirst(window.bind(h.createQuery("SELECT id, account_id, scheduled_at, params::text AS params"
                        + " FROM scheduled_statuses WHERE account_id = :account AND " + window.where("id") + window.order("id")))
                .bind("account", accountId).map((rs, ctx) -> scheduled(rs)).list());
    }

    Optional<ScheduledStatus> find(Handle h, long accountId, long id) {
        return h.createQuery("""
                        SELECT id, account_id, scheduled_at, params::text AS params
                          FROM scheduled_statuses WHERE id = :id AND account_id = :account""")
                .bind("id", id).bind("account", accountId).map((rs, ctx) -> scheduled(rs)).findOne();
    }

    /** The row whatever its account, for the publishing job. */
    Optional<ScheduledStatus> find(Handle h, long id) {
        return h.createQuery("SELECT id, account_id, scheduled_at, params::text AS params FROM scheduled_statuses WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> scheduled(rs)).findOne();
    }

    void reschedule(Handle h, long id, Instant at) {
        h.createUpdate("UPDATE scheduled_statuses SET scheduled_at = :at WHERE id = :id")
                .bind("id", id).bind("at", Timestamp.from(at)).execute();
    }

    boolean delete(Handle h, long id) {
        return h.createUpdate("DELETE FROM scheduled_statuses WHERE id = :id").bind("id", id).execute() == 1;
    }

    private static ScheduledStatus scheduled(ResultSet rs) throws SQLException {
        return new ScheduledStatus(rs.getLong("id"), rs.getLong("account_id"), rs.getTimestamp("scheduled_at").toInstant(),
                Json.MAPPER.readValue(rs.getString("params"), ScheduledParams.class));
    }
}
