package social.caravan.timelines;

import social.caravan.core.db.Window;
import java.util.List;
import org.jdbi.v3.core.Handle;
import social.caravan.statuses.Visibility;

/**
 * SQL for the listings read from statuses: public, hashtag, an account's statuses, favourites and
 * bookmarks. Every one applies {@link Visibility#SQL_VISIBLE} for the viewer.
 */
final class TimelineStore {
    /** No status has media attachments until media exists; {@code only_media} then asks for none. */
    private static final String HAS_MEDIA = "false";

    /** A page of statuses and the keys it is paged by (the status ids, or hidden row ids), newest first. */
    record Slice(List<Long> statusIds, List<Long> keys) {}

    private record Row(long key, long statusId) {}

    enum Origin { ALL, LOCAL, REMOTE }

    /**
     * Public posts, not boosts, not replies to others (a thread of one's own stays), as Mastodon's
     * public timeline; without the authors the viewer blocks or mutes, or whose domain they block, and
     * without those of domains the operator silenced.
     */
    Slice publicTimeline(Handle h, long viewer, Origin origin, boolean onlyMedia, Window w) {
        String sql = publicScope(origin, onlyMedia)
                + " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)"
                + " AND " + w.where("s.id") + w.order("s.id");
        return slice(w, w.bind(h.createQuery(sql)).bind("viewer", viewer).map((rs, ctx) ->
                new Row(rs.getLong("id"), rs.getLong("id"))).list());
    }

    /** Public posts tagged with any of {@code any}, all of {@code all}, none of {@code none} (names, any case). */
    Slice tagTimeline(Handle h, long viewer, List<String> any, List<String> all, List<String> none, Origin origin,
                      boolean onlyMedia, Window w) {
        String sql = publicScope(origin, onlyMedia)
                + " AND s.id IN (SELECT st.status_id FROM statuses_tags st WHERE st.tag_id IN (SELECT t.id FROM tags t"
                + " WHERE lower(t.name) IN (SELECT lower(n) FROM unnest(CAST(:any AS text[])) n)))"
                + " AND NOT EXISTS (SELECT 1 FROM unnest(CAST(:all AS text[])) need WHERE NOT EXISTS ("
                + "SELECT 1 FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = s.id"
                + " AND lower(t.name) = lower(need)))"
                + " AND NOT EXISTS (SELECT 1 FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = s.id"
                + " AND lower(t.name) IN (SELECT lower(n) FROM unnest(CAST(:none AS text[])) n))"
                + " AND " + w.where("s.id") + w.order("s.id");
        return slice(w, w.bind(h.createQuery(sql)).bind("viewer", viewer)
                .bind("any", any.toArray(String[]::new)).bind("all", all.toArray(String[]::new))
                .bind("none", none.toArray(String[]::new))
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getLong("id"))).list());
    }

    private static String publicScope(Origin origin, boolean onlyMedia) {
        return "SELECT s.id FROM statuses s JOIN accounts a ON a.id = s.account_id"
                + " WHERE s.deleted_at IS NULL AND s.visibility = 'public' AND s.reblog_of_id IS NULL"
                + " AND " + Visibility.SQL_VISIBLE
                + " AND NOT " + Filters.hidden("s.account_id")
                + " AND NOT a.silenced"
                + switch (origin) {
                    case ALL -> "";
                    case LOCAL -> " AND a.domain IS NULL";
                    case REMOTE -> " AND a.domain IS NOT NULL";
                }
                + (onlyMedia ? " AND " + HAS_MEDIA : "");
    }

    /** What GET /api/v1/accounts/:id/statuses may filter by. */
    record AccountFilter(boolean onlyMedia, boolean excludeReplies, boolean excludeReblogs, boolean pinned, String tagged) {}

    /**
     * An account's statuses as the viewer may see them: nothing when the account blocks the viewer;
     * boosts only of what the viewer may see, and not of accounts the viewer blocks or mutes.
     * Pinned ones come newest pin first, paged by the hidden pin ids.
     */
    Slice accountStatuses(Handle h, long viewer, long accountId, AccountFilter f, Window w) {
        return accountStatuses(h, viewer, accountId, f, w, false);
    }

    /** {@code withoutDirect}: as ActivityPub collections list them, never a direct post. */
    Slice accountStatuses(Handle h, long viewer, long accountId, AccountFilter f, Window w, boolean withoutDirect) {
        String key = f.pinned() ? "p.id" : "s.id";
        StringBuilder sql = new StringBuilder("SELECT " + key + " AS key, s.id FROM statuses s");
        if (f.pinned()) {
            sql.append(" JOIN status_pins p ON p.status_id = s.id AND p.account_id = s.account_id");
        }
        sql.append(" WHERE s.account_id = :account AND ").append(Visibility.SQL_VISIBLE)
                .append(" AND ").append(Filters.ORIGINAL_VISIBLE)
                .append(" AND (s.account_id = :viewer OR NOT EXISTS (SELECT 1 FROM blocks ab WHERE ab.account_id = s.account_id")
                .append(" AND ab.target_account_id = :viewer))")
                .append(" AND (s.reblog_of_id IS NULL OR NOT ").append(Filters.hidden(Filters.ORIGINAL_AUTHOR)).append(")");
        if (f.excludeReplies()) {
            sql.append(" AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)");
        }
        if (f.excludeReblogs()) {
            sql.append(" AND s.reblog_of_id IS NULL");
        }
        if (withoutDirect) {
            sql.append(" AND s.visibility <> 'direct'");
        }
        if (f.onlyMedia()) {
            sql.append(" AND ").append(HAS_MEDIA);
        }
        if (f.tagged() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM statuses_tags st JOIN tags t ON t.id = st.tag_id")
                    .append(" WHERE st.status_id = s.id AND lower(t.name) = lower(:tagged))");
        }
        sql.append(" AND ").append(w.where(key)).append(w.order(key));
        var query = w.bind(h.createQuery(sql.toString())).bind("viewer", viewer).bind("account", accountId);
        if (f.tagged() != null) {
            query.bind("tagged", f.tagged());
        }
        return slice(w, query.map((rs, ctx) -> new Row(rs.getLong("key"), rs.getLong("id"))).list());
    }

    /** The viewer's favourites or bookmarks, newest first, paged by the hidden favourite or bookmark ids. */
    Slice marked(Handle h, long viewer, Mark mark, Window w) {
        String table = mark == Mark.FAVOURITES ? "favourites" : "bookmarks";
        String sql = "SELECT x.id AS key, s.id FROM " + table + " x JOIN statuses s ON s.id = x.status_id"
                + " WHERE x.account_id = :viewer AND " + Visibility.SQL_VISIBLE
                + " AND " + w.where("x.id") + w.order("x.id");
        return slice(w, w.bind(h.createQuery(sql)).bind("viewer", viewer)
                .map((rs, ctx) -> new Row(rs.getLong("key"), rs.getLong("id"))).list());
    }

    enum Mark { FAVOURITES, BOOKMARKS }

    private static Slice slice(Window w, List<Row> rows) {
        List<Row> newestFirst = w.newestFirst(rows);
        return new Slice(newestFirst.stream().map(Row::statusId).toList(), newestFirst.stream().map(Row::key).toList());
    }
}
