package social.caravan.discovery;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.Visibility;

/** SQL for trends, follow suggestions and the profile directory. */
final class DiscoveryStore {

    /**
     * The account {@code account} is none the viewer {@code :viewer} should be shown: it blocks or is
     * blocked by the viewer, is muted by the viewer, or its domain is blocked by the viewer.
     */
    static String excluded(String account) {
        return "(EXISTS (SELECT 1 FROM blocks xb WHERE (xb.account_id = :viewer AND xb.target_account_id = " + account + ")"
                + " OR (xb.account_id = " + account + " AND xb.target_account_id = :viewer))"
                + " OR EXISTS (SELECT 1 FROM mutes xm WHERE xm.account_id = :viewer AND xm.target_account_id = " + account
                + " AND (xm.expires_at IS NULL OR xm.expires_at > now()))"
                + " OR EXISTS (SELECT 1 FROM account_domain_blocks xd JOIN accounts xa ON lower(xa.domain) = xd.domain"
                + " WHERE xd.account_id = :viewer AND xa.id = " + account + "))";
    }

    /** An account others may find: it opted into discovery, and a local one's user is approved and not disabled. */
    private static String listable(String a) {
        return a + ".discoverable AND NOT EXISTS (SELECT 1 FROM users lu WHERE lu.account_id = " + a + ".id"
                + " AND (NOT lu.approved OR lu.disabled))";
    }

    /**
     * Trending tags, best first (see docs/architecture.md, "Trends"): per tag, the distinct accounts
     * that used it in public posts over the last day ({@code observed}) against the day before
     * ({@code expected}, at least 1); a tag trends when observed reaches {@code threshold} and beats
     * expected, scored (observed - expected)² / expected.
     */
    List<Long> trendingTags(Handle h, Instant now, int threshold, int offset, int limit) {
        Instant dayAgo = now.minusSeconds(86_400);
        Instant twoDaysAgo = now.minusSeconds(2 * 86_400);
        return h.createQuery("""
                        WITH uses AS (
                            SELECT st.tag_id, s.account_id, s.created_at >= :dayAgo AS today
                              FROM statuses s JOIN statuses_tags st ON st.status_id = s.id
                             WHERE s.id >= :floor AND s.created_at >= :twoDaysAgo AND s.created_at <= :now
                               AND s.deleted_at IS NULL AND s.visibility = 'public' AND s.reblog_of_id IS NULL
                        ),
                        counted AS (
                            SELECT tag_id,
                                   count(DISTINCT account_id) FILTER (WHERE today) AS observed,
                                   greatest(count(DISTINCT account_id) FILTER (WHERE NOT today), 1) AS expected
                              FROM uses GROUP BY tag_id
                        )
                        SELECT tag_id FROM counted
                         WHERE observed >= :threshold AND observed > expected
                         ORDER BY power(observed - expected, 2) / expected DESC, observed DESC, tag_id DESC
                        OFFSET :offset LIMIT :limit""")
                .bind("floor", Ids.lowerBound(twoDaysAgo))
                .bind("twoDaysAgo", Timestamp.from(twoDaysAgo))
                .bind("dayAgo", Timestamp.from(dayAgo))
                .bind("now", Timestamp.from(now))
                .bind("threshold", threshold)
                .bind("offset", offset)
                .bind("limit", limit)
                .mapTo(Long.class)
                .list();
    }

    /**
     * Trending statuses, best first: public posts of the last {@code maxAgeHours} that are not
     * replies, boosts, sensitive or behind a content warning, by discoverable authors, with at least
     * {@code threshold} favourites and boosts; scored (interactions - 1)², halved every
     * {@code halfLifeHours} of the post's age. Without what the viewer may not see or has excluded.
     */
    List<Long> trendingStatuses(Handle h, long viewer, Instant now, int threshold, double halfLifeHours,
                                int maxAgeHours, int offset, int limit) {
        Instant oldest = now.minusSeconds(maxAgeHours * 3600L);
        return h.createQuery("SELECT s.id FROM statuses s"
                        + " JOIN accounts a ON a.id = s.account_id"
                        + " JOIN status_stats ss ON ss.status_id = s.id"
                        + " WHERE s.id >= :floor AND s.created_at >= :oldest AND s.created_at <= :now"
                        + " AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND s.in_reply_to_id IS NULL"
                        + " AND NOT s.sensitive AND s.spoiler_text = '' AND " + listable("a")
                        + " AND ss.favourites_count + ss.reblogs_count >= :threshold"
                        + " AND " + Visibility.SQL_VISIBLE
                        + " AND NOT " + excluded("s.account_id")
                        + " ORDER BY power(ss.favourites_count + ss.reblogs_count - 1, 2)"
                        + " * power(0.5, extract(epoch FROM CAST(:now AS timestamptz) - s.created_at) / 3600 / :halfLife) DESC, s.id DESC"
                        + " OFFSET :offset LIMIT :limit")
                .bind("floor", Ids.lowerBound(oldest))
                .bind("oldest", Timestamp.from(oldest))
                .bind("now", Timestamp.from(now))
                .bind("threshold", threshold)
                .bind("halfLife", halfLifeHours)
                .bind("viewer", viewer)
                .bind("offset", offset)
                .bind("limit", limit)
                .mapTo(Long.class)
                .list();
    }

    /** Accounts the viewer could be suggested: listable, not the viewer, not followed or asked, not dismissed or excluded. */
    private static String suggestible(String a) {
        return listable(a) + " AND " + a + ".id <> :viewer"
                + " AND NOT EXISTS (SELECT 1 FROM follows sf WHERE sf.account_id = :viewer AND sf.target_account_id = " + a + ".id)"
                + " AND NOT EXISTS (SELECT 1 FROM follow_requests sr WHERE sr.account_id = :viewer"
                + " AND sr.target_account_id = " + a + ".id)"
                + " AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals sd WHERE sd.account_id = :viewer"
                + " AND sd.target_account_id = " + a + ".id)"
                + " AND NOT " + excluded(a + ".id");
    }

    /**
     * Mastodon's friends-of-friends source: accounts followed by those the viewer follows (who do
     * not hide whom they follow), most shared first.
     */
    List<Long> friendsOfFriends(Handle h, long viewer, int limit) {
        return h.createQuery("SELECT a.id FROM follows f1"
                        + " JOIN accounts fa ON fa.id = f1.target_account_id AND NOT fa.hide_collections"
                        + " JOIN follows f2 ON f2.account_id = f1.target_account_id"
                        + " JOIN accounts a ON a.id = f2.target_account_id"
                        + " LEFT JOIN account_stats st ON st.account_id = a.id"
                        + " WHERE f1.account_id = :viewer AND " + suggestible("a")
                        + " GROUP BY a.id, st.followers_count"
                        + " ORDER BY count(*) DESC, coalesce(st.followers_count, 0) DESC, a.id DESC LIMIT :limit")
                .bind("viewer", viewer).bind("limit", limit).mapTo(Long.class).list();
    }

    /** Mastodon's most-followed source, over local accounts with at least one follower. */
    List<Long> mostFollowed(Handle h, long viewer, int limit) {
        return h.createQuery("SELECT a.id FROM accounts a JOIN account_stats st ON st.account_id = a.id"
                        + " WHERE a.domain IS NULL AND st.followers_count > 0 AND " + suggestible("a")
                        + " ORDER BY st.followers_count DESC, a.id DESC LIMIT :limit")
                .bind("viewer", viewer).bind("limit", limit).mapTo(Long.class).list();
    }

    /** Dismisses a suggestion; nothing happens for an account that does not exist, as on Mastodon. */
    void dismiss(Handle h, long viewer, long targetId) {
        h.createUpdate("""
                        INSERT INTO suggestion_dismissals (account_id, target_account_id)
                        SELECT :viewer, id FROM accounts WHERE id = :target
                        ON CONFLICT DO NOTHING""")
                .bind("viewer", viewer).bind("target", targetId).execute();
    }

    /**
     * The profile directory: listable accounts, recently active first (or newest first), without
     * those the viewer excludes.
     */
    List<Long> directory(Handle h, long viewer, boolean newest, boolean localOnly, int offset, int limit) {
        String sql = "SELECT a.id FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id"
                + " WHERE " + listable("a")
                + (localOnly ? " AND a.domain IS NULL" : "")
                + " AND NOT " + excluded("a.id")
                + (newest ? " ORDER BY a.id DESC" : " ORDER BY st.last_status_at DESC NULLS LAST, a.id DESC")
                + " OFFSET :offset LIMIT :limit";
        return h.createQuery(sql).bind("viewer", viewer).bind("offset", offset).bind("limit", limit)
                .mapTo(Long.class).list();
    }
}
