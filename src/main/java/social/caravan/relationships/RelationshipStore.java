package social.caravan.relationships;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import social.caravan.core.db.Window;
import social.caravan.core.http.Page;

/**
 * SQL for follows, follow requests, blocks, mutes, domain blocks and notes. A mute whose
 * {@code expires_at} has passed counts as gone everywhere, as the notifications and timelines read it.
 */
final class RelationshipStore {
    private static final String ACTIVE_MUTE = "(m.expires_at IS NULL OR m.expires_at > now())";

    /** One row of a paged list: the hidden id it is paged by, the account it names, and a mute's end. */
    record Entry(long key, long accountId, Instant expiresAt) {}

    record DomainEntry(long key, String domain) {}

    /** A follow: who follows whom. */
    record Pair(long accountId, long targetAccountId) {}

    /** A local account muting another, and whether it hides that account's notifications. */
    record Muter(long accountId, boolean hideNotifications) {}

    boolean following(Handle h, long accountId, long targetId) {
        return exists(h, "SELECT EXISTS (SELECT 1 FROM follows WHERE account_id = :a AND target_account_id = :t)",
                accountId, targetId);
    }

    boolean requested(Handle h, long accountId, long targetId) {
        return exists(h, "SELECT EXISTS (SELECT 1 FROM follow_requests WHERE account_id = :a AND target_account_id = :t)",
                accountId, targetId);
    }

    boolean blocking(Handle h, long accountId, long targetId) {
        return exists(h, "SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = :a AND target_account_id = :t)",
                accountId, targetId);
    }

    boolean muting(Handle h, long accountId, long targetId) {
        return exists(h, "SELECT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = :a AND m.target_account_id = :t AND "
                + ACTIVE_MUTE + ")", accountId, targetId);
    }

    boolean blockedEitherWay(Handle h, long accountId, long targetId) {
        return exists(h, """
                SELECT EXISTS (SELECT 1 FROM blocks WHERE (account_id = :a AND target_account_id = :t)
                                                       OR (account_id = :t AND target_account_id = :a))""",
                accountId, targetId);
    }

    boolean domainBlocking(Handle h, long accountId, String domain) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM account_domain_blocks WHERE account_id = :a AND domain = lower(:d))")
                .bind("a", accountId).bind("d", domain).mapTo(Boolean.class).one();
    }

    private static boolean exists(Handle h, String sql, long accountId, long targetId) {
        return h.createQuery(sql).bind("a", accountId).bind("t", targetId).mapTo(Boolean.class).one();
    }

    /**
     * Makes the follow, or changes the options of the one there is (a null option stays as it was);
     * true when it is new. {@code xmax = 0} holds only for a row this statement inserted.
     */
    boolean upsertFollow(Handle h, long accountId, long targetId, RelationshipService.FollowOptions o) {
        return upsert(h, "follows", accountId, targetId, o);
    }

    /** As {@link #upsertFollow}, for a request to follow a locked account. */
    boolean upsertRequest(Handle h, long accountId, long targetId, RelationshipService.FollowOptions o) {
        return upsert(h, "follow_requests", accountId, targetId, o);
    }

    /** {@code table} is follows or follow_requests, never input. */
    private static boolean upsert(Handle h, String table, long accountId, long targetId,
                                  RelationshipService.FollowOptions o) {
        return h.createQuery("INSERT INTO " + table + """
                         AS x (account_id, target_account_id, show_reblogs, notify, languages)
                        VALUES (:a, :t, coalesce(CAST(:reblogs AS boolean), true), coalesce(CAST(:notify AS boolean), false),
                                CAST(:languages AS text[]))
                        ON CONFLICT (account_id, target_account_id) DO UPDATE
                           SET show_reblogs = coalesce(CAST(:reblogs AS boolean), x.show_reblogs),
                               notify = coalesce(CAST(:notify AS boolean), x.notify),
                               languages = CASE WHEN :setLanguages THEN CAST(:languages AS text[]) ELSE x.languages END
                        RETURNING (xmax = 0) AS inserted""")
                .bind("a", accountId)
                .bind("t", targetId)
                .bind("reblogs", o.reblogs())
                .bind("notify", o.notifyOnPosts())
                .bind("setLanguages", o.languages() != null)
                .bind("languages", o.languages() == null || o.languages().isEmpty()
                        ? null : o.languages().toArray(String[]::new))
                .mapTo(Boolean.class).one();
    }

    boolean deleteFollow(Handle h, long accountId, long targetId) {
        return h.createUpdate("DELETE FROM follows WHERE account_id = :a AND target_account_id = :t")
                .bind("a", accountId).bind("t", targetId).execute() > 0;
    }

    void deleteRequest(Handle h, long accountId, long targetId) {
        takeRequest(h, accountId, targetId);
    }

    /** Removes a pending request and returns the options it asked for. */
    Optional<RelationshipService.FollowOptions> takeRequest(Handle h, long accountId, long targetId) {
        return h.createQuery("""
                        DELETE FROM follow_requests WHERE account_id = :a AND target_account_id = :t
                        RETURNING show_reblogs, notify, languages""")
                .bind("a", accountId).bind("t", targetId)
                .map((rs, ctx) -> new RelationshipService.FollowOptions(rs.getBoolean("show_reblogs"),
                        rs.getBoolean("notify"), languages(rs.getArray("languages"))))
                .findOne();
    }

    /** Removes the follows between the account and accounts on {@code domain}, both ways. */
    List<Pair> deleteFollowsWithDomain(Handle h, long accountId, String domain) {
        return h.createQuery("""
                        DELETE FROM follows f USING accounts a
                         WHERE ((f.account_id = :a AND a.id = f.target_account_id)
                             OR (f.target_account_id = :a AND a.id = f.account_id))
                           AND lower(a.domain) = :domain
                        RETURNING f.account_id, f.target_account_id""")
                .bind("a", accountId).bind("domain", domain)
                .map((rs, ctx) -> new Pair(rs.getLong("account_id"), rs.getLong("target_account_id"))).list();
    }

    void deleteRequestsWithDomain(Handle h, long accountId, String domain) {
        h.createUpdate("""
                        DELETE FROM follow_requests r USING accounts a
                         WHERE ((r.account_id = :a AND a.id = r.target_account_id)
                             OR (r.target_account_id = :a AND a.id = r.account_id))
                           AND lower(a.domain) = :domain""")
                .bind("a", accountId).bind("domain", domain).execute();
    }

    /** A follow ended by a purge: who followed whom, and whether the account on the other side is local. */
    record Ended(long accountId, long targetAccountId, boolean otherLocal) {}

    /**
     * Deletes every follow of and by {@code accountId}, ordered by the account on the other side (the
     * order their counts are then taken in).
     */
    List<Ended> deleteFollowsOf(Handle h, long accountId) {
        return h.createQuery("""
                        WITH gone AS (DELETE FROM follows WHERE account_id = :a OR target_account_id = :a
                                      RETURNING account_id, target_account_id)
                        SELECT g.account_id, g.target_account_id, o.domain IS NULL AS other_local
                          FROM gone g JOIN accounts o
                            ON o.id = CASE WHEN g.account_id = :a THEN g.target_account_id ELSE g.account_id END
                         ORDER BY o.id""")
                .bind("a", accountId)
                .map((rs, ctx) -> new Ended(rs.getLong("account_id"), rs.getLong("target_account_id"),
                        rs.getBoolean("other_local")))
                .list();
    }

    /** Deletes every follow request of and to {@code accountId}, and the blocks and mutes it made. */
    void deleteRequestsBlocksAndMutesBy(Handle h, long accountId) {
        h.createUpdate("DELETE FROM follow_requests WHERE account_id = :a OR target_account_id = :a")
                .bind("a", accountId).execute();
        h.createUpdate("DELETE FROM blocks WHERE account_id = :a").bind("a", accountId).execute();
        h.createUpdate("DELETE FROM mutes WHERE account_id = :a").bind("a", accountId).execute();
    }

    void block(Handle h, long accountId, long targetId) {
        h.createUpdate("INSERT INTO blocks (account_id, target_account_id) VALUES (:a, :t) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("t", targetId).execute();
    }

    /** True when there was a block to lift. */
    boolean unblock(Handle h, long accountId, long targetId) {
        return h.createUpdate("DELETE FROM blocks WHERE account_id = :a AND target_account_id = :t")
                .bind("a", accountId).bind("t", targetId).execute() > 0;
    }

    /** Mutes until {@code seconds} from now (0: for good); muting again replaces both choices. */
    void mute(Handle h, long accountId, long targetId, boolean hideNotifications, int seconds) {
        // An expired mute is gone: muting again starts a new one, listed (and paged) as new.
        h.createUpdate("DELETE FROM mutes m WHERE m.account_id = :a AND m.target_account_id = :t AND NOT " + ACTIVE_MUTE)
                .bind("a", accountId).bind("t", targetId).execute();
        h.createUpdate("""
                        INSERT INTO mutes (account_id, target_account_id, hide_notifications, expires_at)
                        VALUES (:a, :t, :hide, CASE WHEN :seconds > 0 THEN now() + make_interval(secs => :seconds) END)
                        ON CONFLICT (account_id, target_account_id) DO UPDATE
                           SET hide_notifications = EXCLUDED.hide_notifications, expires_at = EXCLUDED.expires_at""")
                .bind("a", accountId).bind("t", targetId).bind("hide", hideNotifications).bind("seconds", seconds)
                .execute();
    }

    void unmute(Handle h, long accountId, long targetId) {
        h.createUpdate("DELETE FROM mutes WHERE account_id = :a AND target_account_id = :t")
                .bind("a", accountId).bind("t", targetId).execute();
    }

    void setNote(Handle h, long accountId, long targetId, String comment) {
        h.createUpdate("""
                        INSERT INTO account_notes (account_id, target_account_id, comment) VALUES (:a, :t, :c)
                        ON CONFLICT (account_id, target_account_id) DO UPDATE SET comment = EXCLUDED.comment""")
                .bind("a", accountId).bind("t", targetId).bind("c", comment).execute();
    }

    void deleteNote(Handle h, long accountId, long targetId) {
        h.createUpdate("DELETE FROM account_notes WHERE account_id = :a AND target_account_id = :t")
                .bind("a", accountId).bind("t", targetId).execute();
    }

    void blockDomain(Handle h, long accountId, String domain) {
        h.createUpdate("INSERT INTO account_domain_blocks (account_id, domain) VALUES (:a, :d) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("d", domain).execute();
    }

    void unblockDomain(Handle h, long accountId, String domain) {
        h.createUpdate("DELETE FROM account_domain_blocks WHERE account_id = :a AND domain = :d")
                .bind("a", accountId).bind("d", domain).execute();
    }

    /** How {@code viewer} stands with each of {@code ids} that exists, in no particular order. */
    List<Relationship> relationships(Handle h, long viewer, List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("""
                        SELECT a.id,
                               f.id IS NOT NULL AS following, f.show_reblogs, f.notify, f.languages,
                               r.id IS NOT NULL AS requested, r.show_reblogs AS r_show_reblogs, r.notify AS r_notify,
                               r.languages AS r_languages,
                               EXISTS (SELECT 1 FROM follows WHERE account_id = a.id AND target_account_id = :viewer) AS followed_by,
                               EXISTS (SELECT 1 FROM blocks WHERE account_id = :viewer AND target_account_id = a.id) AS blocking,
                               EXISTS (SELECT 1 FROM blocks WHERE account_id = a.id AND target_account_id = :viewer) AS blocked_by,
                               m.id IS NOT NULL AS muting, coalesce(m.hide_notifications, false) AS muting_notifications,
                               m.expires_at AS muting_expires_at,
                               EXISTS (SELECT 1 FROM follow_requests WHERE account_id = a.id AND target_account_id = :viewer)
                                   AS requested_by,
                               EXISTS (SELECT 1 FROM account_domain_blocks d WHERE d.account_id = :viewer
                                                                               AND d.domain = lower(a.domain)) AS domain_blocking,
                               coalesce(n.comment, '') AS note,
                               EXISTS (SELECT 1 FROM account_pins p WHERE p.account_id = :viewer AND p.target_account_id = a.id)
                                   AS endorsed
                          FROM accounts a
                          LEFT JOIN follows f ON f.account_id = :viewer AND f.target_account_id = a.id
                          LEFT JOIN follow_requests r ON r.account_id = :viewer AND r.target_account_id = a.id
                          LEFT JOIN mutes m ON m.account_id = :viewer AND m.target_account_id = a.id
                                           AND (m.expires_at IS NULL OR m.expires_at > now())
                          LEFT JOIN account_notes n ON n.account_id = :viewer AND n.target_account_id = a.id
                         WHERE a.id = ANY(:ids)""")
                .bind("viewer", viewer).bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> relationship(rs)).list();
    }

    private static Relationship relationship(ResultSet rs) throws SQLException {
        boolean following = rs.getBoolean("following");
        boolean requested = rs.getBoolean("requested");
        // The follow's options, or the pending request's when there is no follow yet, as Mastodon shows them.
        boolean reblogs = following ? rs.getBoolean("show_reblogs") : requested && rs.getBoolean("r_show_reblogs");
        boolean notify = following ? rs.getBoolean("notify") : requested && rs.getBoolean("r_notify");
        List<String> languages = following ? languages(rs.getArray("languages"))
                : requested ? languages(rs.getArray("r_languages")) : null;
        return new Relationship(Long.toString(rs.getLong("id")), following, reblogs, notify, languages,
                rs.getBoolean("followed_by"), rs.getBoolean("blocking"), rs.getBoolean("blocked_by"),
                rs.getBoolean("muting"), rs.getBoolean("muting_notifications"),
                instant(rs.getTimestamp("muting_expires_at")), requested, rs.getBoolean("requested_by"),
                rs.getBoolean("domain_blocking"), rs.getBoolean("endorsed"), rs.getString("note"));
    }

    /** For each of {@code ids}: the accounts the viewer follows that follow it, unless either hides its network. */
    Map<Long, List<Long>> familiarFollowers(Handle h, long viewer, List<Long> ids) {
        Map<Long, List<Long>> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        h.createQuery("""
                        SELECT f.target_account_id, f.account_id
                          FROM follows f
                          JOIN follows mine ON mine.account_id = :viewer AND mine.target_account_id = f.account_id
                          JOIN accounts follower ON follower.id = f.account_id AND NOT follower.hide_collections
                          JOIN accounts target ON target.id = f.target_account_id AND NOT target.hide_collections
                         WHERE f.target_account_id = ANY(:ids)
                         ORDER BY f.id DESC""")
                .bind("viewer", viewer).bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> new Pair(rs.getLong("account_id"), rs.getLong("target_account_id")))
                .forEach(p -> found.computeIfAbsent(p.targetAccountId(), k -> new ArrayList<>()).add(p.accountId()));
        return found;
    }

    /**
     * Followers of {@code accountId}, paged by the follow ids. A signed-in viewer other than the
     * account does not see accounts it blocks, mutes or is blocked by, as Mastodon hides them.
     */
    List<Entry> followers(Handle h, long accountId, long viewer, Page page) {
        return page(h, "SELECT x.id, x.account_id FROM follows x WHERE x.target_account_id = :account"
                        + excluded("x.account_id", accountId, viewer), page,
                q -> q.bind("account", accountId).bind("viewer", viewer), RelationshipStore::entry);
    }

    List<Entry> following(Handle h, long accountId, long viewer, Page page) {
        return page(h, "SELECT x.id, x.target_account_id AS account_id FROM follows x WHERE x.account_id = :account"
                        + excluded("x.target_account_id", accountId, viewer), page,
                q -> q.bind("account", accountId).bind("viewer", viewer), RelationshipStore::entry);
    }

    private static String excluded(String column, long accountId, long viewer) {
        if (viewer == 0 || viewer == accountId) {
            return "";
        }
        return " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = :viewer AND b.target_account_id = " + column
                + ") OR (b.account_id = " + column + " AND b.target_account_id = :viewer))"
                + " AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = :viewer AND m.target_account_id = " + column
                + " AND " + ACTIVE_MUTE + ")";
    }

    long pendingRequests(Handle h, long accountId) {
        return h.createQuery("SELECT count(*) FROM follow_requests WHERE target_account_id = :a")
                .bind("a", accountId).mapTo(Long.class).one();
    }

    List<Entry> followRequests(Handle h, long accountId, Page page) {
        return page(h, "SELECT x.id, x.account_id FROM follow_requests x WHERE x.target_account_id = :account", page,
                q -> q.bind("account", accountId), RelationshipStore::entry);
    }

    List<Entry> blocks(Handle h, long accountId, Page page) {
        return page(h, "SELECT x.id, x.target_account_id AS account_id FROM blocks x WHERE x.account_id = :account", page,
                q -> q.bind("account", accountId), RelationshipStore::entry);
    }

    List<Entry> mutes(Handle h, long accountId, Page page) {
        return page(h, """
                        SELECT x.id, x.target_account_id AS account_id, x.expires_at FROM mutes x
                         WHERE x.account_id = :account AND (x.expires_at IS NULL OR x.expires_at > now())""", page,
                q -> q.bind("account", accountId),
                (rs, ctx) -> new Entry(rs.getLong("id"), rs.getLong("account_id"), instant(rs.getTimestamp("expires_at"))));
    }

    List<DomainEntry> domainBlocks(Handle h, long accountId, Page page) {
        return page(h, "SELECT x.id, x.domain FROM account_domain_blocks x WHERE x.account_id = :account", page,
                q -> q.bind("account", accountId), (rs, ctx) -> new DomainEntry(rs.getLong("id"), rs.getString("domain")));
    }

    /** Endorses an account the viewer follows; the endorsement goes with the follow. */
    void endorse(Handle h, long accountId, long targetId) {
        h.createUpdate("""
                        INSERT INTO account_pins (account_id, target_account_id, follow_id)
                        SELECT f.account_id, f.target_account_id, f.id FROM follows f
                         WHERE f.account_id = :a AND f.target_account_id = :t
                        ON CONFLICT DO NOTHING""")
                .bind("a", accountId).bind("t", targetId).execute();
    }

    void unendorse(Handle h, long accountId, long targetId) {
        h.createUpdate("DELETE FROM account_pins WHERE account_id = :a AND target_account_id = :t")
                .bind("a", accountId).bind("t", targetId).execute();
    }

    /** The accounts {@code accountId} endorses, paged by their ids as Mastodon pages them. */
    List<Long> endorsements(Handle h, long accountId, Window w) {
        return w.newestFirst(w.bind(h.createQuery("SELECT x.target_account_id FROM account_pins x WHERE x.account_id = :account AND "
                        + w.where("x.target_account_id") + w.order("x.target_account_id")))
                .bind("account", accountId).mapTo(Long.class).list());
    }

    /**
     * One page of {@code select} (whose table is {@code x}), newest first, by Mastodon's rules:
     * max_id and since_id page back from the newest, min_id forward from the cursor.
     */
    private static <T> List<T> page(Handle h, String select, Page page, Consumer<Query> binds, RowMapper<T> mapper) {
        Window window = Window.of(page);
        Query query = window.bind(h.createQuery(select + " AND " + window.where("x.id") + window.order("x.id")));
        binds.accept(query);
        return window.newestFirst(query.map(mapper).list());
    }

    private static Entry entry(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Entry(rs.getLong("id"), rs.getLong("account_id"), null);
    }

    private static List<String> languages(Array array) throws SQLException {
        return array == null ? null : Arrays.asList((String[]) array.getArray());
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /**
     * The accounts that must not see a status of {@code authorId} involving {@code involved} (the
     * author and the accounts it mentions): they block or mute one of them, block the author's
     * domain, or the author blocks them. Mastodon's streaming checks, asked from the other side, so
     * the cost does not grow with the number of viewers.
     */
    List<Long> hiding(Handle h, long authorId, Collection<Long> involved, String authorDomain) {
        return h.createQuery("""
                        SELECT b.account_id FROM blocks b WHERE b.target_account_id = ANY(:involved)
                        UNION
                        SELECT m.account_id FROM mutes m WHERE m.target_account_id = ANY(:involved)
                           AND (m.expires_at IS NULL OR m.expires_at > now())
                        UNION
                        SELECT ab.target_account_id FROM blocks ab WHERE ab.account_id = :author
                        UNION
                        SELECT d.account_id FROM account_domain_blocks d
                         WHERE CAST(:domain AS text) IS NOT NULL AND d.domain = :domain""")
                .bind("involved", involved.toArray(Long[]::new))
                .bind("author", authorId)
                .bind("domain", authorDomain)
                .mapTo(Long.class).list();
    }

    /** Sets the Follow activity id of a follow or request; {@code table} is follows or follow_requests, never input. */
    void setUri(Handle h, String table, long accountId, long targetId, String uri) {
        h.createUpdate("UPDATE " + table + " SET uri = :uri WHERE account_id = :a AND target_account_id = :t")
                .bind("uri", uri).bind("a", accountId).bind("t", targetId).execute();
    }

    /** The Follow activity id behind a follow or a pending request, if one was recorded. */
    Optional<String> followUri(Handle h, long accountId, long targetId) {
        return h.createQuery("""
                        SELECT uri FROM follows WHERE account_id = :a AND target_account_id = :t AND uri IS NOT NULL
                        UNION ALL
                        SELECT uri FROM follow_requests WHERE account_id = :a AND target_account_id = :t AND uri IS NOT NULL
                        LIMIT 1""")
                .bind("a", accountId).bind("t", targetId).mapTo(String.class).findOne();
    }

    List<String> remoteFollowerInboxes(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url)
                          FROM follows f JOIN accounts a ON a.id = f.account_id
                         WHERE f.target_account_id = :t AND a.domain IS NOT NULL AND a.inbox_url IS NOT NULL""")
                .bind("t", accountId).mapTo(String.class).list();
    }

    List<Long> localFollowers(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id
                         WHERE f.target_account_id = :t AND a.domain IS NULL""")
                .bind("t", accountId).mapTo(Long.class).list();
    }

    /** Up to {@code limit} local followers of {@code accountId} after {@code after}, by id. */
    List<Long> localFollowersAfter(Handle h, long accountId, long after, int limit) {
        return h.createQuery("""
                        SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id
                         WHERE f.target_account_id = :t AND a.domain IS NULL AND f.account_id > :after
                         ORDER BY f.account_id LIMIT :limit""")
                .bind("t", accountId).bind("after", after).bind("limit", limit).mapTo(Long.class).list();
    }

    List<Long> localBlockers(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT b.account_id FROM blocks b JOIN accounts a ON a.id = b.account_id
                         WHERE b.target_account_id = :t AND a.domain IS NULL""")
                .bind("t", accountId).mapTo(Long.class).list();
    }

    List<Muter> localMuters(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT m.account_id, m.hide_notifications FROM mutes m JOIN accounts a ON a.id = m.account_id
                         WHERE m.target_account_id = :t AND a.domain IS NULL AND """ + ACTIVE_MUTE)
                .bind("t", accountId)
                .map((rs, ctx) -> new Muter(rs.getLong("account_id"), rs.getBoolean("hide_notifications"))).list();
    }

    Optional<Long> followerByUri(Handle h, long targetId, String uri) {
        return h.createQuery("""
                        SELECT account_id FROM follow_requests WHERE target_account_id = :t AND uri = :uri
                        UNION ALL
                        SELECT account_id FROM follows WHERE target_account_id = :t AND uri = :uri
                        LIMIT 1""")
                .bind("t", targetId).bind("uri", uri).mapTo(Long.class).findOne();
    }
}
