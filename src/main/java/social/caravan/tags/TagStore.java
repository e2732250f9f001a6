package social.caravan.tags;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import social.caravan.core.db.Window;
import social.caravan.core.ids.Ids;

/** SQL for tags as the tags room sees them: lookups, follows, featured tags and daily usage. */
final class TagStore {

    /** A hashtag row; {@code id} is 0 for a name no status has used yet. */
    record Tag(long id, String name) {}

    /** One day of a tag's use: public posts and their distinct authors. */
    record Usage(long uses, long accounts) {}

    /** A featured tag with its owner's counts, computed when read. */
    record Featured(long id, long accountId, String username, String name, String tagName, long statusesCount,
                    Instant lastStatusAt) {}

    /** A followed tag and the hidden follow id it is paged by. */
    record Followed(long followId, Tag tag) {}

    Optional<Tag> find(Handle h, String name) {
        return h.createQuery("SELECT id, name FROM tags WHERE lower(name) = lower(:name)")
                .bind("name", name).map((rs, ctx) -> new Tag(rs.getLong("id"), rs.getString("name"))).findOne();
    }

    List<Tag> findAll(Handle h, List<Long> ids) {
        return h.createQuery("SELECT id, name FROM tags WHERE id = ANY(:ids)")
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> new Tag(rs.getLong("id"), rs.getString("name"))).list();
    }

    /** The tag by that name, made (lower-cased, as posts make tags) when no status used it yet. */
    Tag findOrCreate(Handle h, String name) {
        h.createUpdate("INSERT INTO tags (name) VALUES (lower(:name)) ON CONFLICT ((lower(name))) DO NOTHING")
                .bind("name", name).execute();
        return find(h, name).orElseThrow();
    }

    void follow(Handle h, long accountId, long tagId) {
        h.createUpdate("INSERT INTO tag_follows (account_id, tag_id) VALUES (:a, :t) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("t", tagId).execute();
    }

    void unfollow(Handle h, long accountId, long tagId) {
        h.createUpdate("DELETE FROM tag_follows WHERE account_id = :a AND tag_id = :t")
                .bind("a", accountId).bind("t", tagId).execute();
    }

    List<Followed> followed(Handle h, long accountId, Window w) {
        String sql = "SELECT f.id AS follow_id, t.id, t.name FROM tag_follows f JOIN tags t ON t.id = f.tag_id"
                + " WHERE f.account_id = :a AND " + w.where("f.id") + w.order("f.id");
        return w.newestFirst(w.bind(h.createQuery(sql)).bind("a", accountId)
                .map((rs, ctx) -> new Followed(rs.getLong("follow_id"), new Tag(rs.getLong("id"), rs.getString("name"))))
                .list());
    }

    /** Which of these tags the account follows. */
    Set<Long> following(Handle h, long accountId, List<Long> tagIds) {
        return new HashSet<>(h.createQuery("SELECT tag_id FROM tag_follows WHERE account_id = :a AND tag_id = ANY(:t)")
                .bind("a", accountId).bind("t", tagIds.toArray(Long[]::new)).mapTo(Long.class).list());
    }

    /** Which of these tags the account features. */
    Set<Long> featuring(Handle h, long accountId, List<Long> tagIds) {
        return new HashSet<>(h.createQuery("SELECT tag_id FROM featured_tags WHERE account_id = :a AND tag_id = ANY(:t)")
                .bind("a", accountId).bind("t", tagIds.toArray(Long[]::new)).mapTo(Long.class).list());
    }

    /**
     * Each tag's use per UTC day since {@code firstDay}: public posts (not boosts) still standing.
     * Status ids are time-ordered, so the id bound keeps the scan to those days.
     */
    Map<Long, Map<LocalDate, Usage>> usage(Handle h, List<Long> tagIds, LocalDate firstDay) {
        Instant since = firstDay.atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<Long, Map<LocalDate, Usage>> usage = new HashMap<>();
        h.createQuery("""
                        SELECT st.tag_id, (s.created_at AT TIME ZONE 'UTC')::date AS day,
                               count(*) AS uses, count(DISTINCT s.account_id) AS accounts
                          FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
                         WHERE st.tag_id = ANY(:tags) AND st.status_id >= :floor AND s.created_at >= :since
                           AND s.deleted_at IS NULL AND s.visibility = 'public' AND s.reblog_of_id IS NULL
                         GROUP BY 1, 2""")
                .bind("tags", tagIds.toArray(Long[]::new))
                .bind("floor", Ids.lowerBound(since))
                .bind("since", Timestamp.from(since))
                .map((rs, ctx) -> usage.computeIfAbsent(rs.getLong("tag_id"), k -> new HashMap<>())
                        .put(rs.getObject("day", LocalDate.class), new Usage(rs.getLong("uses"), rs.getLong("accounts"))))
                .list();
        return usage;
    }

    /**
     * The account's featured tags with Mastodon's counts: its public and unlisted posts with the tag,
     * and when the newest was made; most used first.
     */
    List<Featured> featured(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT ft.id, ft.account_id, a.username, ft.name, t.name AS tag_name, c.statuses_count, c.last_status_at
                          FROM featured_tags ft
                          JOIN accounts a ON a.id = ft.account_id
                          JOIN tags t ON t.id = ft.tag_id
                          CROSS JOIN LATERAL (
                              SELECT count(*) AS statuses_count, max(s.created_at) AS last_status_at
                                FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
                               WHERE st.tag_id = ft.tag_id AND s.account_id = ft.account_id AND s.deleted_at IS NULL
                                 AND s.reblog_of_id IS NULL AND s.visibility IN ('public', 'unlisted')) c
                         WHERE ft.account_id = :a
                         ORDER BY c.statuses_count DESC, ft.id""")
                .bind("a", accountId)
                .map((rs, ctx) -> {
                    Timestamp last = rs.getTimestamp("last_status_at");
                    return new Featured(rs.getLong("id"), rs.getLong("account_id"), rs.getString("username"),
                            rs.getString("name"), rs.getString("tag_name"), rs.getLong("statuses_count"),
                            last == null ? null : last.toInstant());
                })
                .list();
    }

    /** Locks the account's featured tags, so two requests cannot both pass the limit check. */
    int lockFeatured(Handle h, long accountId) {
        h.createQuery("SELECT id FROM accounts WHERE id = :a FOR UPDATE").bind("a", accountId).mapTo(Long.class).one();
        return h.createQuery("SELECT count(*) FROM featured_tags WHERE account_id = :a")
                .bind("a", accountId).mapTo(Integer.class).one();
    }

    /** The account's featured tag for this tag, if any: its id and the name it was featured under. */
    Optional<Map.Entry<Long, String>> featuredFor(Handle h, long accountId, long tagId) {
        return h.createQuery("SELECT id, name FROM featured_tags WHERE account_id = :a AND tag_id = :t")
                .bind("a", accountId).bind("t", tagId)
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("name"))).findOne();
    }

    long feature(Handle h, long accountId, long tagId, String name) {
        return h.createQuery("INSERT INTO featured_tags (account_id, tag_id, name) VALUES (:a, :t, :n) RETURNING id")
                .bind("a", accountId).bind("t", tagId).bind("n", name).mapTo(Long.class).one();
    }

    /** The name it was featured under, when there was one to remove. */
    Optional<String> unfeature(Handle h, long accountId, long featuredId) {
        return h.createQuery("DELETE FROM featured_tags WHERE id = :id AND account_id = :a RETURNING name")
                .bind("id", featuredId).bind("a", accountId).mapTo(String.class).findOne();
    }

    /** The name it was featured under, when it was featured. */
    Optional<String> unfeatureTag(Handle h, long accountId, long tagId) {
        return h.createQuery("DELETE FROM featured_tags WHERE account_id = :a AND tag_id = :t RETURNING name")
                .bind("a", accountId).bind("t", tagId).mapTo(String.class).findOne();
    }

    /**
     * Mastodon's featuring suggestions: the tags of the account's last {@code recent} statuses, most
     * used first, leaving out those already featured.
     */
    List<Tag> recentlyUsed(Handle h, long accountId, int recent, int limit) {
        return h.createQuery("""
                        SELECT t.id, t.name FROM (
                            SELECT s.id FROM statuses s WHERE s.account_id = :a AND s.deleted_at IS NULL
                             ORDER BY s.id DESC LIMIT :recent) s
                          JOIN statuses_tags st ON st.status_id = s.id
                          JOIN tags t ON t.id = st.tag_id
                         WHERE NOT EXISTS (SELECT 1 FROM featured_tags ft WHERE ft.account_id = :a AND ft.tag_id = t.id)
                         GROUP BY t.id, t.name
                         ORDER BY count(*) DESC, max(s.id) DESC
                         LIMIT :limit""")
                .bind("a", accountId).bind("recent", recent).bind("limit", limit)
                .map((rs, ctx) -> new Tag(rs.getLong("id"), rs.getString("name"))).list();
    }
}
