package social.caravan.timelines;

import java.util.List;
import org.jdbi.v3.core.Handle;

/** SQL for the markers table. */
final class MarkerStore {

    List<Marker> find(Handle h, long accountId, List<String> timelines) {
        return h.createQuery("""
                        SELECT timeline, last_read_id, version, updated_at FROM markers
                         WHERE account_id = :account AND timeline = ANY(:timelines) ORDER BY timeline""")
                .bind("account", accountId)
                .bind("timelines", timelines.toArray(String[]::new))
                .map((rs, ctx) -> new Marker(rs.getString("timeline"), rs.getLong("last_read_id"), rs.getInt("version"),
                        rs.getTimestamp("updated_at").toInstant()))
                .list();
    }

    /** Sets the position; the version counts every save, as Mastodon's lock_version does. */
    void save(Handle h, long accountId, String timeline, long lastReadId) {
        h.createUpdate("""
                        INSERT INTO markers (account_id, timeline, last_read_id) VALUES (:account, :timeline, :id)
                        ON CONFLICT (account_id, timeline) DO UPDATE
                           SET last_read_id = EXCLUDED.last_read_id, version = markers.version + 1, updated_at = now()""")
                .bind("account", accountId).bind("timeline", timeline).bind("id", lastReadId).execute();
    }
}
