package social.caravan.timelines;

import social.caravan.core.db.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.statuses.Visibility;

/** SQL for home feeds: home_feeds and home_feed_entries. */
final class FeedStore {

    /** A post as the fan-out to its hashtags' followers needs it: who wrote it, who it mentions, from where. */
    record Post(long id, long accountId, Long[] mentioned, String[] domains) {}

    /** A recipient of a fan-out: whether its feed took the entry, is to be notified, reached the trim size. */
    record Followup(long accountId, boolean fed, boolean notifyOfPost, boolean trim) {}

    /**
     * Which of {@code accounts}' feeds hold the entry, read in a statement of its own: it sees an
     * entry that a rebuild running beside the fan-out committed while the fan-out waited for it.
     */
    List<Long> holding(Handle h, long entryId, List<Long> accounts) {
        return h.createQuery("SELECT account_id FROM home_feed_entries WHERE entry_id = :id AND account_id = ANY(:accounts)")
                .bind("id", entryId).bind("accounts", accounts.toArray(Long[]::new)).mapTo(Long.class).list();
    }

    /**
     * Which of {@code lists}' feeds hold {@code entryId}, read in a statement of its own, as
     * {@link #holding}: a rebuild or merge running at the same time may have filled them first.
     */
    List<Long> listsHolding(Handle h, long entryId, List<Long> lists) {
        return h.createQuery("SELECT list_id FROM list_feed_entries WHERE entry_id = :id AND list_id = ANY(:lists)")
                .bind("id", entryId).bind("lists", lists.toArray(Long[]::new)).mapTo(Long.class).list();
    }

    /**
     * A list of an active owner that holds a fan-out's author: whether its feed took the entry, and
     * whether it reached the trim size.
     */
    record FedList(long listId, boolean fed, boolean trim) {}

    /** A feed's state for its reader: read within the active days, read today, being rebuilt. */
    record State(boolean active, boolean readToday, boolean rebuilding) {}

    /** The post to fan out, unless it was deleted meanwhile. */
    Optional<Post> post(Handle h, long statusId) {
        return h.createQuery("""
                        SELECT s.id, s.account_id,
                               array(SELECT m.account_id FROM mentions m WHERE m.status_id = s.id) AS mentioned,
                               array_remove(ARRAY[lower(a.domain)], NULL) AS domains
                          FROM statuses s JOIN accounts a ON a.id = s.account_id
                         WHERE s.id = :id AND s.deleted_at IS NULL""")
                .bind("id", statusId)
                .map((rs, ctx) -> new Post(rs.getLong("id"), rs.getLong("account_id"),
                        (Long[]) rs.getArray("mentioned").getArray(), (String[]) rs.getArray("domains").getArray()))
                .findOne();
    }

    /** A recipient of one of several statuses fanned out together. */
    record Delivery(long statusId, long authorId, Followup followup) {}

    /**
     * Fan-out of statuses (posts and boosts) in one statement. The recipients of each are its author
     * (when local) and the followers who should see it by Mastodon's home-feed rules; the active ones
     * among them get the entry (unless the post or another boost of it is already near the top of
     * their feed) and their entry count goes up. An inactive author's own posts come back with the
     * rebuild, like everything else. Returns, per status, those whose feed took the entry, the active
     * ones whose feed did not (a rebuild or merge running at the same time may have taken it first:
     * {@link #holding} asks after they committed), those to notify (a follow with notify, for a status
     * that notifies, not notified already: a job may run twice), and whether each feed reached
     * {@code trimAt}, counted over all the statuses. Deleted statuses, and boosts of deleted ones, are
     * left out. Statuses of one statement do not see each other's entries: a batch holds posts, whose
     * rules do not look at other entries, and boosts go one at a time.
     */
    List<Delivery> fanout(Handle h, long[] statusIds, int activeDays, int recentEntries, int trimAt) {
        return h.createQuery("""
                        WITH posts AS MATERIALIZED (
                            SELECT s.id, s.account_id AS author, a.domain IS NULL AS local, s.visibility, s.language,
                                   s.in_reply_to_account_id AS reply_to, s.reblog_of_id AS original,
                                   o.account_id AS original_author,
                                   array_remove(ARRAY[lower(a.domain), lower(oa.domain)], NULL) AS domains,
                                   -- as Mastodon: posts notify, boosts and replies to others do not; direct ones
                                   -- notify by mention already
                                   s.reblog_of_id IS NULL AND s.visibility <> 'direct'
                                     AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id) AS notifies
                              FROM statuses s
                              JOIN accounts a ON a.id = s.account_id
                              LEFT JOIN statuses o ON o.id = s.reblog_of_id
                              LEFT JOIN accounts oa ON oa.id = o.account_id
                             WHERE s.id = ANY(:ids) AND s.deleted_at IS NULL AND (s.reblog_of_id IS NULL OR o.deleted_at IS NULL)
                        ),
                        recipients AS MATERIALIZED (
                            SELECT p.id AS status_id, p.author, p.original, p.author AS account_id, false AS notify
                              FROM posts p WHERE p.local
                            UNION ALL
                            SELECT p.id, p.author, p.original, f.account_id,
                                   f.notify AND p.notifies AND NOT EXISTS (
                                       SELECT 1 FROM notifications n WHERE n.account_id = f.account_id AND n.id > p.id
                                          AND n.type = 'status' AND n.status_id = p.id)
                              FROM posts p
                              JOIN follows f ON f.target_account_id = p.author
                              JOIN accounts fa ON fa.id = f.account_id AND fa.domain IS NULL
                             -- direct: only the mentioned (who follow the author, as Mastodon delivers it)
                             WHERE (p.visibility <> 'direct'
                                    OR f.account_id IN (SELECT m.account_id FROM mentions m WHERE m.status_id = p.id))
                               AND (f.languages IS NULL OR p.language IS NULL OR p.language = ANY(f.languages))
                               -- nothing by, boosting or mentioning whom the follower blocks or mutes, nor from blocked domains
                               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = f.account_id
                                                  AND (b.target_account_id IN (p.author, p.original_author)
                                                       OR b.target_account_id IN (SELECT m.account_id FROM mentions m
                                                                                   WHERE m.status_id IN (p.id, p.original))))
                               AND NOT EXISTS (SELECT 1 FROM mutes mu WHERE mu.account_id = f.account_id
                                                  AND (mu.target_account_id IN (p.author, p.original_author)
                                                       OR mu.target_account_id IN (SELECT m.account_id FROM mentions m
                                                                                    WHERE m.status_id IN (p.id, p.original)))
                                                  AND (mu.expires_at IS NULL OR mu.expires_at > now()))
                               AND NOT EXISTS (SELECT 1 FROM account_domain_blocks d WHERE d.account_id = f.account_id
                                                  AND d.domain = ANY(p.domains))
                               -- replies: to oneself, to the follower, or to someone the follower follows too
                               AND (p.reply_to IS NULL OR p.reply_to = p.author OR f.account_id = p.reply_to
                                    OR EXISTS (SELECT 1 FROM follows rf WHERE rf.account_id = f.account_id
                                                  AND rf.target_account_id = p.reply_to))
                               -- boosts: not hidden by the follow, not of the follower's own post, not by someone its author blocks
                               AND (p.original IS NULL OR (f.show_reblogs AND f.account_id <> p.original_author
                                    AND NOT EXISTS (SELECT 1 FROM blocks ob WHERE ob.account_id = p.original_author
                                                       AND ob.target_account_id = f.account_id)))
                               -- not when the follower keeps the author in an exclusive list
                               AND NOT""" + " " + Filters.inExclusiveList("f.account_id", "p.author") + """
                        ),
                        fed AS (
                            INSERT INTO home_feed_entries (account_id, entry_id, reblog_of_id)
                            SELECT r.account_id, r.status_id, r.original FROM recipients r
                             WHERE EXISTS (SELECT 1 FROM home_feeds hf WHERE hf.account_id = r.account_id
                                              AND hf.active_at > now() - make_interval(days => :activeDays))
                               -- an original that arrives after a boost of it is not shown twice
                               AND (r.original IS NOT NULL OR NOT EXISTS (
                                       SELECT 1 FROM home_feed_entries e WHERE e.account_id = r.account_id
                                          AND e.reblog_of_id = r.status_id))
                               -- a boost is left out when the original or another boost of it is among the recent entries
                               AND (r.original IS NULL OR NOT EXISTS (
                                       SELECT 1 FROM home_feed_entries e
                                        WHERE e.account_id = r.account_id AND (e.entry_id = r.original OR e.reblog_of_id = r.original)
                                          AND (SELECT count(*) FROM (SELECT 1 FROM home_feed_entries n
                                                                      WHERE n.account_id = e.account_id AND n.entry_id > e.entry_id
                                                                      LIMIT :recent) newer) < :recent))
                             ORDER BY r.account_id, r.status_id
                            ON CONFLICT DO NOTHING
                            RETURNING account_id, entry_id
                        ),
                        counted AS (
                            -- in account order, so concurrent fan-outs lock feeds in the same order
                            INSERT INTO home_feeds (account_id, entries)
                            SELECT account_id, count(*) FROM fed GROUP BY account_id ORDER BY account_id
                            ON CONFLICT (account_id) DO UPDATE SET entries = home_feeds.entries + EXCLUDED.entries
                            RETURNING account_id, entries
                        )
                        SELECT r.status_id, r.author, r.account_id, r.notify, fd.entry_id IS NOT NULL AS fed,
                               coalesce(c.entries >= :trimAt, false) AS trim
                          FROM recipients r
                          LEFT JOIN fed fd ON fd.account_id = r.account_id AND fd.entry_id = r.status_id
                          LEFT JOIN counted c ON c.account_id = r.account_id
                         WHERE r.notify OR fd.entry_id IS NOT NULL
                            -- an active feed that did not take it may hold it already, from a rebuild or merge
                            -- that ran at the same time: the caller asks again, after they committed
                            OR EXISTS (SELECT 1 FROM home_feeds hf WHERE hf.account_id = r.account_id
                                          AND hf.active_at > now() - make_interval(days => :activeDays))""")
                .bind("ids", statusIds)
                .bind("activeDays", activeDays)
                .bind("recent", recentEntries)
                .bind("trimAt", trimAt)
                .map((rs, ctx) -> new Delivery(rs.getLong("status_id"), rs.getLong("author"),
                        new Followup(rs.getLong("account_id"), rs.getBoolean("fed"), rs.getBoolean("notify"),
                                rs.getBoolean("trim"))))
                .list();
    }

    /** Those of {@code statusIds} that are public posts (not boosts) with hashtags: their tags' followers get them too. */
    List<Long> taggedPublic(Handle h, long[] statusIds) {
        return h.createQuery("""
                        SELECT s.id FROM statuses s
                         WHERE s.id = ANY(:ids) AND s.visibility = 'public' AND s.reblog_of_id IS NULL
                           AND EXISTS (SELECT 1 FROM statuses_tags st WHERE st.status_id = s.id)""")
                .bind("ids", statusIds).mapTo(Long.class).list();
    }

    /**
     * Fan-out to the followers of a public post's hashtags, as Mastodon delivers to hashtag
     * followers: not to the author, nor to anyone who blocks or mutes the author or an account the
     * post mentions, blocks the author's domain, or is blocked by the author. Only active feeds get
     * the entry; a feed that has it already (through a follow) is left as it is. Returns the feeds
     * that took it, and whether each reached {@code trimAt}.
     */
    List<Followup> fanoutToTagFollowers(Handle h, Post p, int activeDays, int trimAt) {
        return h.createQuery("""
                        WITH recipients AS MATERIALIZED (
                            SELECT DISTINCT tf.account_id
                              FROM statuses_tags st
                              JOIN tag_follows tf ON tf.tag_id = st.tag_id
                              JOIN accounts fa ON fa.id = tf.account_id AND fa.domain IS NULL
                             WHERE st.status_id = :id AND tf.account_id <> :author
                               AND NOT EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = :author AND sa.silenced)
                               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = tf.account_id
                                                  AND b.target_account_id = ANY(:involved))
                               AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = tf.account_id
                                                  AND m.target_account_id = ANY(:involved)
                                                  AND (m.expires_at IS NULL OR m.expires_at > now()))
                               AND NOT EXISTS (SELECT 1 FROM account_domain_blocks d WHERE d.account_id = tf.account_id
                                                  AND d.domain = ANY(:domains))
                               AND NOT EXISTS (SELECT 1 FROM blocks ab WHERE ab.account_id = :author
                                                  AND ab.target_account_id = tf.account_id)
                        ),
                        fed AS (
                            INSERT INTO home_feed_entries (account_id, entry_id)
                            SELECT r.account_id, :id FROM recipients r
                             WHERE EXISTS (SELECT 1 FROM home_feeds hf WHERE hf.account_id = r.account_id
                                              AND hf.active_at > now() - make_interval(days => :activeDays))
                               AND NOT EXISTS (SELECT 1 FROM home_feed_entries e WHERE e.account_id = r.account_id
                                                  AND e.reblog_of_id = :id)
                             ORDER BY r.account_id
                            ON CONFLICT DO NOTHING
                            RETURNING account_id
                        ),
                        counted AS (
                            INSERT INTO home_feeds (account_id, entries)
                            SELECT account_id, 1 FROM fed ORDER BY account_id
                            ON CONFLICT (account_id) DO UPDATE SET entries = home_feeds.entries + 1
                            RETURNING account_id, entries
                        )
                        SELECT account_id, entries >= :trimAt AS trim FROM counted""")
                .bind("id", p.id())
                .bind("author", p.accountId())
                .bind("involved", involved(p))
                .bind("domains", p.domains())
                .bind("activeDays", activeDays)
                .bind("trimAt", trimAt)
                .map((rs, ctx) -> new Followup(rs.getLong("account_id"), true, false, rs.getBoolean("trim")))
                .list();
    }

    /** The author and everyone the post mentions. */
    private static Long[] involved(Post p) {
        List<Long> ids = new ArrayList<>(List.of(p.mentioned()));
        ids.add(p.accountId());
        return ids.toArray(Long[]::new);
    }

    /**
     * Fills a feed from the newest statuses of the account itself and of those it follows (only
     * {@code target}, when given: a new follow), by the same rules as fan-out; of one status and its
     * boosts only the first enters, and nothing already present under another entry. Keeps at most
     * {@code max} new entries; returns the feed's entry count.
     */
    int fill(Handle h, long accountId, Long target, int perAccount, int max) {
        return h.createQuery("""
                        WITH sources AS (
                            SELECT CAST(:viewer AS bigint) AS author, NULL::text[] AS languages, true AS show_reblogs
                             WHERE CAST(:target AS bigint) IS NULL
                            UNION ALL
                            SELECT f.target_account_id, f.languages, f.show_reblogs FROM follows f
                             WHERE f.account_id = :viewer AND (CAST(:target AS bigint) IS NULL OR f.target_account_id = :target)
                        ),
                        candidates AS (
                            SELECT s.id, s.reblog_of_id, coalesce(s.reblog_of_id, s.id) AS shown
                              FROM sources src
                             CROSS JOIN LATERAL (SELECT * FROM statuses s WHERE s.account_id = src.author AND s.deleted_at IS NULL
                                                  ORDER BY s.id DESC LIMIT :perAccount) s
                             WHERE""" + " " + Visibility.SQL_VISIBLE + " AND " + Filters.ORIGINAL_VISIBLE + """
                                AND (s.account_id = :viewer OR (
                                        (src.languages IS NULL OR s.language IS NULL OR s.language = ANY(src.languages))
                                    AND""" + " " + Filters.HOME_NOT_HIDDEN + """
                                    AND NOT""" + " " + Filters.inExclusiveList(":viewer", "s.account_id") + """
                                    AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (s.account_id, :viewer)
                                         OR EXISTS (SELECT 1 FROM follows rf WHERE rf.account_id = :viewer
                                                       AND rf.target_account_id = s.in_reply_to_account_id))
                                    AND (s.reblog_of_id IS NULL OR (src.show_reblogs AND""" + " " + Filters.ORIGINAL_AUTHOR + """
                                          <> :viewer))))
                        ),
                        firsts AS (
                            SELECT c.id, c.reblog_of_id FROM (
                                SELECT c.*, row_number() OVER (PARTITION BY c.shown ORDER BY c.id) AS nth FROM candidates c) c
                             WHERE c.nth = 1
                               AND NOT EXISTS (SELECT 1 FROM home_feed_entries e WHERE e.account_id = :viewer AND e.entry_id <> c.id
                                                  AND (e.entry_id = c.shown OR e.reblog_of_id = c.shown))
                             ORDER BY c.id DESC LIMIT :max
                        ),
                        fed AS (
                            INSERT INTO home_feed_entries (account_id, entry_id, reblog_of_id)
                            SELECT :viewer, id, reblog_of_id FROM firsts
                            ON CONFLICT DO NOTHING
                            RETURNING 1
                        )
                        INSERT INTO home_feeds (account_id, entries) SELECT :viewer, count(*) FROM fed
                        ON CONFLICT (account_id) DO UPDATE SET entries = home_feeds.entries + EXCLUDED.entries
                        RETURNING entries""")
                .bind("viewer", accountId)
                .bind("target", target)
                .bind("perAccount", perAccount)
                .bind("max", max)
                .mapTo(Integer.class)
                .one();
    }

    /** Cuts these feeds back to their newest {@code keep} entries, and sets their counts right. */
    void trim(Handle h, List<Long> accountIds, int keep) {
        h.createUpdate("""
                        WITH cut AS (
                            SELECT a.id AS account_id,
                                   (SELECT e.entry_id FROM home_feed_entries e WHERE e.account_id = a.id
                                     ORDER BY e.entry_id DESC OFFSET :keep - 1 LIMIT 1) AS oldest_kept
                              FROM unnest(:accounts) AS a(id)
                        ),
                        gone AS (
                            DELETE FROM home_feed_entries d USING cut
                             WHERE d.account_id = cut.account_id AND d.entry_id < cut.oldest_kept
                        )
                        UPDATE home_feeds hf
                           SET entries = CASE WHEN cut.oldest_kept IS NULL
                                              THEN (SELECT count(*) FROM home_feed_entries e WHERE e.account_id = hf.account_id)
                                              ELSE :keep END
                          FROM cut WHERE hf.account_id = cut.account_id""")
                .bind("accounts", accountIds.toArray(Long[]::new))
                .bind("keep", keep)
                .execute();
    }

    Optional<State> state(Handle h, long accountId, int activeDays) {
        return h.createQuery("""
                        SELECT coalesce(active_at > now() - make_interval(days => :days), false) AS active,
                               coalesce(active_at > now() - interval '1 day', false) AS read_today, rebuilding
                          FROM home_feeds WHERE account_id = :a""")
                .bind("a", accountId).bind("days", activeDays)
                .map((rs, ctx) -> new State(rs.getBoolean("active"), rs.getBoolean("read_today"), rs.getBoolean("rebuilding")))
                .findOne();
    }

    /** The reader is back: active from now, and the feed is being rebuilt. */
    void startRebuild(Handle h, long accountId) {
        h.createUpdate("""
                        INSERT INTO home_feeds (account_id, active_at, rebuilding) VALUES (:a, now(), true)
                        ON CONFLICT (account_id) DO UPDATE SET active_at = now(), rebuilding = true""")
                .bind("a", accountId).execute();
    }

    void markRead(Handle h, long accountId) {
        h.createUpdate("UPDATE home_feeds SET active_at = now() WHERE account_id = :a").bind("a", accountId).execute();
    }

    void endRebuild(Handle h, long accountId) {
        h.createUpdate("UPDATE home_feeds SET rebuilding = false WHERE account_id = :a").bind("a", accountId).execute();
    }

    /** A page of a feed and the feed's state, read together. */
    record Read(State state, List<Long> entryIds) {}

    /**
     * A page of the viewer's feed, by entry id, and the feed's state, in one statement. Read-time
     * checks keep the page right between fan-out and now: the visibility policy (for a boost, on its
     * original too), the viewer still following the author (or a tag of a public post), blocks and
     * mutes made since. The accounts the viewer blocks or mutes are gathered once, so each entry
     * costs array comparisons instead of index probes; the full check with domain blocks runs only
     * for viewers who block a domain.
     */
    Read read(Handle h, long viewer, Window w, int activeDays) {
        return w.bind(h.createQuery(readSql(w))).bind("viewer", viewer).bind("days", activeDays)
                .map((rs, ctx) -> new Read(
                        new State(rs.getBoolean("active"), rs.getBoolean("read_today"), rs.getBoolean("rebuilding")),
                        w.newestFirst(List.of((Long[]) rs.getArray("ids").getArray()))))
                .one();
    }

    /** {@link #read}'s statement: binds :viewer, :days and the window's bounds. */
    static String readSql(Window w) {
        String page = """
                SELECT e.entry_id
                  FROM home_feed_entries e
                  JOIN statuses s ON s.id = e.entry_id
                  LEFT JOIN statuses o ON o.id = s.reblog_of_id
                 WHERE e.account_id = :viewer AND""" + " " + w.where("e.entry_id") + " AND " + Visibility.SQL_VISIBLE + """
                   AND (s.account_id = :viewer OR EXISTS (SELECT 1 FROM follows f WHERE f.account_id = :viewer
                                                             AND f.target_account_id = s.account_id)
                        OR""" + " " + Filters.FOLLOWED_TAG + """
                )
                   AND (s.reblog_of_id IS NULL OR""" + " " + Visibility.visibleTo("o") + """
                )
                   AND s.account_id <> ALL(hidden.ids) AND (o.account_id IS NULL OR o.account_id <> ALL(hidden.ids))
                   AND (cardinality(hidden.ids) = 0 OR NOT EXISTS (
                           SELECT 1 FROM mentions hx WHERE hx.status_id IN (s.id, s.reblog_of_id)
                              AND hx.account_id <> :viewer AND hx.account_id = ANY(hidden.ids)))
                   AND (NOT hidden.domains OR""" + " " + Filters.HOME_NOT_HIDDEN + ")" + w.order("e.entry_id");
        return """
                WITH hidden AS MATERIALIZED (
                    SELECT array(SELECT target_account_id FROM blocks WHERE account_id = :viewer
                                 UNION ALL
                                 SELECT target_account_id FROM mutes WHERE account_id = :viewer
                                    AND (expires_at IS NULL OR expires_at > now())) AS ids,
                           EXISTS (SELECT 1 FROM account_domain_blocks WHERE account_id = :viewer) AS domains)
                SELECT coalesce(hf.active_at > now() - make_interval(days => :days), false) AS active,
                       coalesce(hf.active_at > now() - interval '1 day', false) AS read_today,
                       coalesce(hf.rebuilding, false) AS rebuilding,
                       array(SELECT p.entry_id FROM hidden, LATERAL (""" + page + """
                ) p) AS ids
                  FROM (VALUES (1)) AS one LEFT JOIN home_feeds hf ON hf.account_id = :viewer""";
    }

    // ---------------------------------------------------------------------------------------------
    // List feeds: list_feed_entries and list_feeds, filled like home feeds.

    /**
     * Mastodon's rules for a list feed, on a status row {@code s} and a list row {@code l}: public,
     * unlisted and private posts; from members other than the owner, only what the owner's home feed
     * would take from them (the follow's languages and boosts, nothing by, boosting or mentioning
     * whom the owner blocks or mutes, nothing from an author who blocks the owner, no boosts of the
     * owner's own posts or of authors who block the owner); replies to oneself, to the owner, and by
     * the list's replies_policy to followed accounts or to members.
     */
    private static final String LIST_RULES = """
            s.deleted_at IS NULL AND s.visibility <> 'direct'
            AND (s.account_id = l.account_id OR (
                    EXISTS (SELECT 1 FROM follows lf WHERE lf.account_id = l.account_id AND lf.target_account_id = s.account_id
                               AND (lf.languages IS NULL OR s.language IS NULL OR s.language = ANY(lf.languages))
                               AND (s.reblog_of_id IS NULL OR lf.show_reblogs))
                AND NOT EXISTS (SELECT 1 FROM blocks lb WHERE lb.account_id = s.account_id AND lb.target_account_id = l.account_id)
                AND (s.reblog_of_id IS NULL OR NOT EXISTS (
                        SELECT 1 FROM statuses lo WHERE lo.id = s.reblog_of_id
                           AND (lo.account_id = l.account_id OR EXISTS (SELECT 1 FROM blocks lob WHERE lob.account_id = lo.account_id
                                                                          AND lob.target_account_id = l.account_id))))
                AND""" + " " + Filters.homeNotHidden("l.account_id") + """
            ))
            AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (s.account_id, l.account_id)
                 OR (l.replies_policy = 'followed' AND EXISTS (SELECT 1 FROM follows rf WHERE rf.account_id = l.account_id
                                                                  AND rf.target_account_id = s.in_reply_to_account_id))
                 OR (l.replies_policy = 'list' AND EXISTS (SELECT 1 FROM list_accounts rl WHERE rl.list_id = l.id
                                                              AND rl.account_id = s.in_reply_to_account_id)))""";

    /** A list of an active owner holding the author of one of several statuses fanned out together. */
    record ListDelivery(long statusId, FedList list) {}

    /**
     * List fan-out of statuses in one statement: each enters every list that holds its author, of an
     * owner whose home feed is active, by {@link #LIST_RULES}; an original already shown through a
     * boost, and a boost whose original (or another boost of it) is among the recent entries, are left
     * out as on home. Returns, per status, each list of an active owner that holds its author: whether
     * it took the entry, and whether it reached {@code trimAt}, counted over all the statuses.
     */
    List<ListDelivery> listFanout(Handle h, long[] statusIds, int activeDays, int recentEntries, int trimAt) {
        return h.createQuery("""
                        WITH fed AS (
                            INSERT INTO list_feed_entries (list_id, entry_id, reblog_of_id)
                            SELECT l.id, s.id, s.reblog_of_id
                              FROM statuses s
                              JOIN list_accounts la ON la.account_id = s.account_id
                              JOIN lists l ON l.id = la.list_id
                              JOIN home_feeds hf ON hf.account_id = l.account_id
                                                AND hf.active_at > now() - make_interval(days => :activeDays)
                             WHERE s.id = ANY(:ids)
                               AND""" + " " + LIST_RULES + """
                               AND (s.reblog_of_id IS NOT NULL OR NOT EXISTS (
                                       SELECT 1 FROM list_feed_entries e WHERE e.list_id = l.id AND e.reblog_of_id = s.id))
                               AND (s.reblog_of_id IS NULL OR NOT EXISTS (
                                       SELECT 1 FROM list_feed_entries e
                                        WHERE e.list_id = l.id AND (e.entry_id = s.reblog_of_id OR e.reblog_of_id = s.reblog_of_id)
                                          AND (SELECT count(*) FROM (SELECT 1 FROM list_feed_entries n
                                                                      WHERE n.list_id = e.list_id AND n.entry_id > e.entry_id
                                                                      LIMIT :recent) newer) < :recent))
                             ORDER BY l.id, s.id
                            ON CONFLICT DO NOTHING
                            RETURNING list_id, entry_id
                        ),
                        counted AS (
                            -- in list order, so concurrent fan-outs lock list feeds in the same order
                            INSERT INTO list_feeds (list_id, entries)
                            SELECT list_id, count(*) FROM fed GROUP BY list_id ORDER BY list_id
                            ON CONFLICT (list_id) DO UPDATE SET entries = list_feeds.entries + EXCLUDED.entries
                            RETURNING list_id, entries
                        )
                        SELECT s.id AS status_id, l.id AS list_id, fd.list_id IS NOT NULL AS fed,
                               coalesce(c.entries >= :trimAt, false) AS trim
                          FROM statuses s
                          JOIN list_accounts la ON la.account_id = s.account_id
                          JOIN lists l ON l.id = la.list_id
                          JOIN home_feeds hf ON hf.account_id = l.account_id
                                            AND hf.active_at > now() - make_interval(days => :activeDays)
                          LEFT JOIN fed fd ON fd.list_id = l.id AND fd.entry_id = s.id
                          LEFT JOIN counted c ON c.list_id = l.id
                         WHERE s.id = ANY(:ids)""")
                .bind("ids", statusIds)
                .bind("activeDays", activeDays)
                .bind("recent", recentEntries)
                .bind("trimAt", trimAt)
                .map((rs, ctx) -> new ListDelivery(rs.getLong("status_id"),
                        new FedList(rs.getLong("list_id"), rs.getBoolean("fed"), rs.getBoolean("trim"))))
                .list();
    }

    /**
     * Fills a list feed from the newest statuses of its members (only {@code member}, when given:
     * one just added), by the list rules and what the owner may see; of one status and its boosts
     * only the first enters, and nothing already present under another entry. Keeps at most
     * {@code max} new entries; returns the feed's entry count.
     */
    int fillList(Handle h, long listId, long ownerId, Long member, int perAccount, int max) {
        return h.createQuery("""
                        WITH candidates AS (
                            SELECT s.id, s.reblog_of_id, coalesce(s.reblog_of_id, s.id) AS shown
                              FROM lists l
                              JOIN list_accounts la ON la.list_id = l.id
                             CROSS JOIN LATERAL (SELECT * FROM statuses s WHERE s.account_id = la.account_id AND s.deleted_at IS NULL
                                                  ORDER BY s.id DESC LIMIT :perAccount) s
                             WHERE l.id = :list AND l.account_id = :viewer
                               AND (CAST(:member AS bigint) IS NULL OR la.account_id = :member)
                               AND""" + " " + Visibility.SQL_VISIBLE + " AND " + Filters.ORIGINAL_VISIBLE + """
                               AND""" + " " + LIST_RULES + """
                        ),
                        firsts AS (
                            SELECT c.id, c.reblog_of_id FROM (
                                SELECT c.*, row_number() OVER (PARTITION BY c.shown ORDER BY c.id) AS nth FROM candidates c) c
                             WHERE c.nth = 1
                               AND NOT EXISTS (SELECT 1 FROM list_feed_entries e WHERE e.list_id = :list AND e.entry_id <> c.id
                                                  AND (e.entry_id = c.shown OR e.reblog_of_id = c.shown))
                             ORDER BY c.id DESC LIMIT :max
                        ),
                        fed AS (
                            INSERT INTO list_feed_entries (list_id, entry_id, reblog_of_id)
                            SELECT :list, id, reblog_of_id FROM firsts
                            ON CONFLICT DO NOTHING
                            RETURNING 1
                        )
                        INSERT INTO list_feeds (list_id, entries) SELECT :list, count(*) FROM fed
                        ON CONFLICT (list_id) DO UPDATE SET entries = list_feeds.entries + EXCLUDED.entries
                        RETURNING entries""")
                .bind("list", listId)
                .bind("viewer", ownerId)
                .bindByType("member", member, Long.class)
                .bind("perAccount", perAccount)
                .bind("max", max)
                .mapTo(Integer.class)
                .one();
    }

    /** Cuts these list feeds back to their newest {@code keep} entries, and sets their counts right. */
    void trimLists(Handle h, List<Long> listIds, int keep) {
        h.createUpdate("""
                        WITH cut AS (
                            SELECT l.id AS list_id,
                                   (SELECT e.entry_id FROM list_feed_entries e WHERE e.list_id = l.id
                                     ORDER BY e.entry_id DESC OFFSET :keep - 1 LIMIT 1) AS oldest_kept
                              FROM unnest(:lists) AS l(id)
                        ),
                        gone AS (
                            DELETE FROM list_feed_entries d USING cut
                             WHERE d.list_id = cut.list_id AND d.entry_id < cut.oldest_kept
                        )
                        UPDATE list_feeds lf
                           SET entries = CASE WHEN cut.oldest_kept IS NULL
                                              THEN (SELECT count(*) FROM list_feed_entries e WHERE e.list_id = lf.list_id)
                                              ELSE :keep END
                          FROM cut WHERE lf.list_id = cut.list_id""")
                .bind("lists", listIds.toArray(Long[]::new))
                .bind("keep", keep)
                .execute();
    }

    /** Takes the statuses (and boosts) of these accounts out of a list feed. */
    void unmergeFromList(Handle h, long listId, List<Long> accountIds) {
        h.createUpdate("""
                        WITH gone AS (
                            DELETE FROM list_feed_entries e USING statuses s
                             WHERE e.list_id = :list AND s.id = e.entry_id AND s.account_id = ANY(:accounts)
                            RETURNING 1
                        )
                        UPDATE list_feeds SET entries = greatest(entries - (SELECT count(*) FROM gone), 0)
                         WHERE list_id = :list""")
                .bind("list", listId)
                .bind("accounts", accountIds.toArray(Long[]::new))
                .execute();
    }

    /** The owner of a list, if it still exists. */
    Optional<Long> listOwner(Handle h, long listId) {
        return h.createQuery("SELECT account_id FROM lists WHERE id = :list").bind("list", listId).mapTo(Long.class).findOne();
    }

    /** The ids of an account's lists. */
    List<Long> listsOf(Handle h, long accountId) {
        return h.createQuery("SELECT id FROM lists WHERE account_id = :a ORDER BY id").bind("a", accountId).mapTo(Long.class).list();
    }

    /**
     * A page of a list feed, by entry id, for its owner {@code viewer}. Read-time checks keep it
     * right between fan-out and now: the visibility policy, the author still a member (members
     * leave with the follow), blocks and mutes made since.
     */
    List<Long> listPage(Handle h, long listId, long viewer, Window w) {
        String sql = "SELECT e.entry_id FROM list_feed_entries e JOIN statuses s ON s.id = e.entry_id"
                + " WHERE e.list_id = :list AND " + w.where("e.entry_id")
                + " AND " + Visibility.SQL_VISIBLE
                + " AND EXISTS (SELECT 1 FROM list_accounts m WHERE m.list_id = :list AND m.account_id = s.account_id)"
                + " AND " + Filters.ORIGINAL_VISIBLE
                + " AND " + Filters.HOME_NOT_HIDDEN
                + w.order("e.entry_id");
        return w.newestFirst(w.bind(h.createQuery(sql)).bind("list", listId).bind("viewer", viewer).mapTo(Long.class).list());
    }
}
