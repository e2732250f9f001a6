package social.caravan.statuses;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import social.caravan.core.db.Window;

/** SQL for statuses, their stats, mentions, tags and idempotency keys. */
final class StatusStore {
    private static final String COLUMNS = """
            s.id, s.account_id, s.text, s.content, s.spoiler_text, s.sensitive, s.visibility, s.language,
            s.in_reply_to_id, s.in_reply_to_account_id, s.reblog_of_id, s.conversation_id, s.application_id, s.created_at,
            s.edited_at, s.uri, s.url, s.media::text AS media, s.emojis::text AS emojis""";

    record NewStatus(long accountId, String text, String content, String spoilerText, boolean sensitive,
                     Visibility visibility, String language, Long inReplyToId, Long inReplyToAccountId,
                     Long reblogOfId, Long conversationId, Long applicationId) {}

    long insert(Handle h, NewStatus s) {
        long id = h.createQuery("""
                        INSERT INTO statuses (account_id, text, content, spoiler_text, sensitive, visibility, language,
                                              in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id,
                                              application_id)
                        VALUES (:accountId, :text, :content, :spoilerText, :sensitive, :visibility, :language,
                                :inReplyToId, :inReplyToAccountId, :reblogOfId, :conversationId, :applicationId)
                        RETURNING id""")
                .bind("accountId", s.accountId())
                .bind("text", s.text())
                .bind("content", s.content())
                .bind("spoilerText", s.spoilerText())
                .bind("sensitive", s.sensitive())
                .bind("visibility", s.visibility().key())
                .bind("language", s.language())
                .bind("inReplyToId", s.inReplyToId())
                .bind("inReplyToAccountId", s.inReplyToAccountId())
                .bind("reblogOfId", s.reblogOfId())
                .bind("conversationId", s.conversationId())
                .bind("applicationId", s.applicationId())
                .mapTo(Long.class).one();
        if (s.conversationId() == null) {
            // A thread's first post names its conversation.
            h.createUpdate("UPDATE statuses SET conversation_id = id WHERE id = :id").bind("id", id).execute();
        }
        h.createUpdate("INSERT INTO status_stats (status_id) VALUES (:id)").bind("id", id).execute();
        return id;
    }

    void insertMentions(Handle h, long statusId, List<Long> accountIds) {
        for (long accountId : accountIds) {
            h.createUpdate("INSERT INTO mentions (status_id, account_id) VALUES (:s, :a) ON CONFLICT DO NOTHING")
                    .bind("s", statusId).bind("a", accountId).execute();
        }
    }

    void insertTags(Handle h, long statusId, Set<String> names) {
        for (String name : names) {
            long tagId = h.createQuery("""
                            WITH found AS (SELECT id FROM tags WHERE lower(name) = lower(:name)),
                                 made AS (INSERT INTO tags (name) SELECT :name WHERE NOT EXISTS (SELECT 1 FROM found)
                                          ON CONFLICT DO NOTHING RETURNING id)
                            SELECT id FROM found UNION ALL SELECT id FROM made""")
                    .bind("name", name).mapTo(Long.class).findFirst()
                    .orElseGet(() -> h.createQuery("SELECT id FROM tags WHERE lower(name) = lower(:name)")
                            .bind("name", name).mapTo(Long.class).one());
            h.createUpdate("INSERT INTO statuses_tags (tag_id, status_id) VALUES (:t, :s) ON CONFLICT DO NOTHING")
                    .bind("t", tagId).bind("s", statusId).execute();
        }
    }

    void addReply(Handle h, long parentId, int delta) {
        h.createUpdate("UPDATE status_stats SET replies_count = greatest(replies_count + :d, 0) WHERE status_id = :id")
                .bind("id", parentId).bind("d", delta).execute();
    }

    /** The status if {@code viewer} (0 when signed out) may see it. */
    Optional<Status> findVisible(Handle h, long id, long viewer) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.id = :id AND " + Visibility.SQL_VISIBLE)
                .bind("id", id).bind("viewer", viewer).map((rs, ctx) -> status(rs)).findOne();
    }

    /** Visible statuses among {@code ids}, in no particular order. */
    List<Status> findVisible(Handle h, List<Long> ids, long viewer) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.id = ANY(:ids) AND " + Visibility.SQL_VISIBLE)
                .bind("ids", ids.toArray(Long[]::new)).bind("viewer", viewer).map((rs, ctx) -> status(rs)).list();
    }

    Optional<Status> findOwn(Handle h, long id, long accountId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.id = :id AND s.account_id = :a AND s.deleted_at IS NULL FOR UPDATE")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> status(rs)).findOne();
    }

    /** The chain of statuses this one replies to that the viewer may see, oldest first. */
    List<Status> ancestors(Handle h, long id, long viewer, int limit) {
        return h.createQuery("""
                        WITH RECURSIVE up(id, depth) AS (
                            SELECT in_reply_to_id, 1 FROM statuses WHERE id = :id AND in_reply_to_id IS NOT NULL
                            UNION ALL
                            SELECT p.in_reply_to_id, up.depth + 1 FROM up JOIN statuses p ON p.id = up.id
                             WHERE p.in_reply_to_id IS NOT NULL AND up.depth < :limit)
                        SELECT""" + " " + COLUMNS + " FROM up JOIN statuses s ON s.id = up.id WHERE "
                        + Visibility.SQL_VISIBLE + " ORDER BY s.id")
                .bind("id", id).bind("viewer", viewer).bind("limit", limit).map((rs, ctx) -> status(rs)).list();
    }

    /** Replies, replies to replies and so on, that the viewer may see, in thread order by id. */
    List<Status> descendants(Handle h, long id, long viewer, int limit) {
        return h.createQuery("""
                        WITH RECURSIVE down(id, depth) AS (
                            SELECT id, 1 FROM statuses WHERE in_reply_to_id = :id
                            UNION ALL
                            SELECT c.id, down.depth + 1 FROM down JOIN statuses c ON c.in_reply_to_id = down.id
                             WHERE down.depth < 64)
                        SELECT""" + " " + COLUMNS + " FROM down JOIN statuses s ON s.id = down.id WHERE "
                        + Visibility.SQL_VISIBLE + " ORDER BY s.id LIMIT :limit")
                .bind("id", id).bind("viewer", viewer).bind("limit", limit).map((rs, ctx) -> status(rs)).list();
    }

    void markDeleted(Handle h, long id) {
        h.createUpdate("UPDATE statuses SET deleted_at = now() WHERE id = :id OR reblog_of_id = :id")
                .bind("id", id).execute();
    }

    record Counts(int replies, int reblogs, int favourites) {}

    /** The viewer's own marks on a status. */
    record Flags(boolean favourited, boolean reblogged, boolean bookmarked, boolean pinned, boolean muted) {
        static final Flags NONE = new Flags(false, false, false, false, false);
    }

    /** What a status shows that changes without an edit: its counts, and the viewer's flags. */
    record Snapshot(long id, Counts counts, Flags flags) {}

    /** Snapshots of {@code ids}, in one statement; flags are all false for the signed-out viewer 0. */
    List<Snapshot> snapshots(Handle h, List<Long> ids, long viewer) {
        return h.createQuery("""
                        SELECT s.id,
                               coalesce(st.replies_count, 0) AS replies_count, coalesce(st.reblogs_count, 0) AS reblogs_count,
                               coalesce(st.favourites_count, 0) AS favourites_count,
                               :viewer <> 0 AND EXISTS (SELECT 1 FROM favourites f WHERE f.account_id = :viewer AND f.status_id = s.id)
                                 AS favourited,
                               :viewer <> 0 AND EXISTS (SELECT 1 FROM statuses r WHERE r.reblog_of_id = s.id AND r.account_id = :viewer
                                                           AND r.deleted_at IS NULL) AS reblogged,
                               :viewer <> 0 AND EXISTS (SELECT 1 FROM bookmarks b WHERE b.account_id = :viewer AND b.status_id = s.id)
                                 AS bookmarked,
                               :viewer <> 0 AND EXISTS (SELECT 1 FROM status_pins p WHERE p.account_id = :viewer AND p.status_id = s.id)
                                 AS pinned,
                               :viewer <> 0 AND EXISTS (SELECT 1 FROM conversation_mutes c WHERE c.account_id = :viewer
                                                           AND c.conversation_id = s.conversation_id) AS muted
                          FROM statuses s LEFT JOIN status_stats st ON st.status_id = s.id
                         WHERE s.id = ANY(:ids)""")
                .bind("ids", ids.toArray(Long[]::new)).bind("viewer", viewer)
                .map((rs, ctx) -> new Snapshot(rs.getLong("id"),
                        new Counts(rs.getInt("replies_count"), rs.getInt("reblogs_count"), rs.getInt("favourites_count")),
                        new Flags(rs.getBoolean("favourited"), rs.getBoolean("reblogged"), rs.getBoolean("bookmarked"),
                                rs.getBoolean("pinned"), rs.getBoolean("muted"))))
                .list();
    }

    /** Which of {@code ids} the viewer may see. */
    Set<Long> visibleAmong(Handle h, List<Long> ids, long viewer) {
        return Set.copyOf(h.createQuery("SELECT s.id FROM statuses s WHERE s.id = ANY(:ids) AND " + Visibility.SQL_VISIBLE)
                .bind("ids", ids.toArray(Long[]::new)).bind("viewer", viewer).mapTo(Long.class).list());
    }

    /** The statuses' rows, and those of the statuses they boost, with their mentions and tags, deleted or not. */
    List<StatusBody> bodies(Handle h, List<Long> ids) {
        return h.createQuery("SELECT " + COLUMNS + """
                        ,
                               array(SELECT m.account_id FROM mentions m WHERE m.status_id = s.id ORDER BY m.account_id) AS mentioned,
                               array(SELECT t.name FROM statuses_tags x JOIN tags t ON t.id = x.tag_id
                                      WHERE x.status_id = s.id ORDER BY t.name) AS tag_names,
                               EXISTS (SELECT 1 FROM polls p WHERE p.status_id = s.id) AS has_poll
                          FROM statuses s
                         WHERE s.id = ANY(:ids || array(SELECT b.reblog_of_id FROM statuses b
                                                         WHERE b.id = ANY(:ids) AND b.reblog_of_id IS NOT NULL))""")
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> new StatusBody(status(rs), List.of((Long[]) rs.getArray("mentioned").getArray()),
                        List.of((String[]) rs.getArray("tag_names").getArray()), rs.getBoolean("has_poll")))
                .list();
    }

    List<Long> mentioned(Handle h, long statusId) {
        return h.createQuery("SELECT account_id FROM mentions WHERE status_id = :s ORDER BY account_id")
                .bind("s", statusId).mapTo(Long.class).list();
    }

    Optional<Long> idempotent(Handle h, long accountId, String key) {
        return h.createQuery("SELECT status_id FROM idempotency_keys WHERE account_id = :a AND key = :k AND created_at > now() - interval '1 hour'")
                .bind("a", accountId).bind("k", key).mapTo(Long.class).findOne();
    }

    void rememberIdempotency(Handle h, long accountId, String key, long statusId) {
        h.createUpdate("""
                        INSERT INTO idempotency_keys (account_id, key, status_id) VALUES (:a, :k, :s)
                        ON CONFLICT (account_id, key) DO UPDATE SET status_id = EXCLUDED.status_id, created_at = now()""")
                .bind("a", accountId).bind("k", key).bind("s", statusId).execute();
    }

    private static Status status(ResultSet rs) throws SQLException {
        return new Status(rs.getLong("id"), rs.getLong("account_id"), rs.getString("text"), rs.getString("content"),
                rs.getString("spoiler_text"), rs.getBoolean("sensitive"), Visibility.parse(rs.getString("visibility")),
                rs.getString("language"), (Long) rs.getObject("in_reply_to_id"), (Long) rs.getObject("in_reply_to_account_id"),
                (Long) rs.getObject("reblog_of_id"), rs.getLong("conversation_id"), (Long) rs.getObject("application_id"),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("edited_at")), rs.getString("uri"),
                rs.getString("url"), rs.getString("media"), rs.getString("emojis"));
    }

    private static List<String> pollOptions(java.sql.Array array) throws SQLException {
        return array == null ? null : List.of((String[]) array.getArray());
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /** Records a favourite; false when it was already there. */
    boolean favourite(Handle h, long accountId, long statusId) {
        boolean added = h.createUpdate("INSERT INTO favourites (account_id, status_id) VALUES (:a, :s) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("s", statusId).execute() == 1;
        if (added) {
            h.createUpdate("UPDATE status_stats SET favourites_count = favourites_count + 1 WHERE status_id = :s")
                    .bind("s", statusId).execute();
        }
        return added;
    }

    boolean unfavourite(Handle h, long accountId, long statusId) {
        boolean removed = h.createUpdate("DELETE FROM favourites WHERE account_id = :a AND status_id = :s")
                .bind("a", accountId).bind("s", statusId).execute() == 1;
        if (removed) {
            h.createUpdate("UPDATE status_stats SET favourites_count = greatest(favourites_count - 1, 0) WHERE status_id = :s")
                    .bind("s", statusId).execute();
        }
        return removed;
    }

    Optional<Status> reblogBy(Handle h, long accountId, long statusId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.reblog_of_id = :s AND s.account_id = :a AND s.deleted_at IS NULL")
                .bind("a", accountId).bind("s", statusId).map((rs, ctx) -> status(rs)).findOne();
    }

    void addReblog(Handle h, long statusId, int delta) {
        h.createUpdate("UPDATE status_stats SET reblogs_count = greatest(reblogs_count + :d, 0) WHERE status_id = :s")
                .bind("s", statusId).bind("d", delta).execute();
    }

    boolean bookmark(Handle h, long accountId, long statusId) {
        return h.createUpdate("INSERT INTO bookmarks (account_id, status_id) VALUES (:a, :s) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("s", statusId).execute() == 1;
    }

    void unbookmark(Handle h, long accountId, long statusId) {
        h.createUpdate("DELETE FROM bookmarks WHERE account_id = :a AND status_id = :s")
                .bind("a", accountId).bind("s", statusId).execute();
    }

    boolean isPinned(Handle h, long accountId, long statusId) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM status_pins WHERE account_id = :a AND status_id = :s)")
                .bind("a", accountId).bind("s", statusId).mapTo(Boolean.class).one();
    }

    void update(Handle h, long id, String text, String content, String spoilerText, boolean sensitive, String language) {
        h.createUpdate("""
                        UPDATE statuses SET text = :text, content = :content, spoiler_text = :spoiler, sensitive = :sensitive,
                               language = :language, edited_at = now()
                         WHERE id = :id""")
                .bind("id", id).bind("text", text).bind("content", content).bind("spoiler", spoilerText)
                .bind("sensitive", sensitive).bind("language", language).execute();
    }

    void replaceTags(Handle h, long statusId, Set<String> names) {
        h.createUpdate("DELETE FROM statuses_tags WHERE status_id = :s").bind("s", statusId).execute();
        insertTags(h, statusId, names);
    }

    /**
     * A version of a status; {@code pollOptions} null when it had no poll, {@code emojis} its custom emoji as
     * rendered JSON (null: none).
     */
    record Edit(String text, String content, String spoilerText, boolean sensitive, List<String> pollOptions,
                Instant createdAt, String emojis) {}

    void insertEdit(Handle h, long statusId, Edit edit) {
        h.createUpdate("""
                        INSERT INTO status_edits (status_id, text, content, spoiler_text, sensitive, poll_options, created_at,
                                                  emojis)
                        VALUES (:s, :text, :content, :spoiler, :sensitive, :pollOptions, :at, CAST(:emojis AS jsonb))""")
                .bind("s", statusId).bind("text", edit.text()).bind("content", edit.content())
                .bind("spoiler", edit.spoilerText()).bind("sensitive", edit.sensitive())
                .bindByType("pollOptions", edit.pollOptions() == null ? null : edit.pollOptions().toArray(String[]::new),
                        String[].class)
                .bind("at", Timestamp.from(edit.createdAt())).bind("emojis", edit.emojis()).execute();
    }

    List<Edit> edits(Handle h, long statusId) {
        return h.createQuery("""
                        SELECT text, content, spoiler_text, sensitive, poll_options, created_at, emojis::text AS emojis
                          FROM status_edits WHERE status_id = :s ORDER BY id""")
                .bind("s", statusId)
                .map((rs, ctx) -> new Edit(rs.getString("text"), rs.getString("content"), rs.getString("spoiler_text"),
                        rs.getBoolean("sensitive"), pollOptions(rs.getArray("poll_options")),
                        rs.getTimestamp("created_at").toInstant(), rs.getString("emojis")))
                .list();
    }

    int pinCount(Handle h, long accountId) {
        return h.createQuery("SELECT count(*) FROM status_pins p JOIN statuses s ON s.id = p.status_id WHERE p.account_id = :a AND s.deleted_at IS NULL")
                .bind("a", accountId).mapTo(Integer.class).one();
    }

    /** Whether it was not pinned already. */
    boolean pin(Handle h, long accountId, long statusId) {
        return h.createUpdate("INSERT INTO status_pins (account_id, status_id) VALUES (:a, :s) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("s", statusId).execute() > 0;
    }

    /** Whether it was pinned. */
    boolean unpin(Handle h, long accountId, long statusId) {
        return h.createUpdate("DELETE FROM status_pins WHERE account_id = :a AND status_id = :s")
                .bind("a", accountId).bind("s", statusId).execute() > 0;
    }

    void muteConversation(Handle h, long accountId, long conversationId) {
        h.createUpdate("INSERT INTO conversation_mutes (account_id, conversation_id) VALUES (:a, :c) ON CONFLICT DO NOTHING")
                .bind("a", accountId).bind("c", conversationId).execute();
    }

    void unmuteConversation(Handle h, long accountId, long conversationId) {
        h.createUpdate("DELETE FROM conversation_mutes WHERE account_id = :a AND conversation_id = :c")
                .bind("a", accountId).bind("c", conversationId).execute();
    }

    /** (paging key, account id) pairs, newest first: who favourited, by the hidden favourite id. */
    List<long[]> favouritedBy(Handle h, long statusId, Window window) {
        return actors(h, "SELECT id, account_id FROM favourites WHERE status_id = :s", statusId, window);
    }

    /** (paging key, account id) pairs, newest first: who boosted, by the boost's own id. */
    List<long[]> rebloggedBy(Handle h, long statusId, Window window) {
        return actors(h, "SELECT id, account_id FROM statuses WHERE reblog_of_id = :s AND deleted_at IS NULL", statusId, window);
    }

    List<Long> boosters(Handle h, long statusId) {
        return h.createQuery("SELECT DISTINCT account_id FROM statuses WHERE reblog_of_id = :s AND deleted_at IS NULL")
                .bind("s", statusId).mapTo(Long.class).list();
    }

    private static List<long[]> actors(Handle h, String select, long statusId, Window window) {
        return window.newestFirst(window.bind(h.createQuery(select + " AND " + window.where("id") + window.order("id")))
                .bind("s", statusId)
                .map((rs, ctx) -> new long[] {rs.getLong("id"), rs.getLong("account_id")}).list());
    }

    /** Whether the operator's domain blocks silence the account: its posts stay off the public streams. */
    boolean silenced(Handle h, long accountId) {
        return h.createQuery("SELECT silenced FROM accounts WHERE id = :id").bind("id", accountId)
                .mapTo(Boolean.class).findOne().orElse(false);
    }

    /** Who may have a status on a stream: its tags, its author's local followers and the lists holding the author. */
    record Audience(List<String> tags, List<Long> followers, List<Long> lists) {}

    Audience audience(Handle h, long statusId, long authorId) {
        List<String> tags = h.createQuery("""
                        SELECT t.name FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = :id""")
                .bind("id", statusId).mapTo(String.class).list();
        List<Long> followers = h.createQuery("""
                        SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
                         WHERE f.target_account_id = :author""")
                .bind("author", authorId).mapTo(Long.class).list();
        List<Long> lists = h.createQuery("SELECT list_id FROM list_accounts WHERE account_id = :author")
                .bind("author", authorId).mapTo(Long.class).list();
        return new Audience(tags, followers, lists);
    }

    /**
     * Inserts a status from another server with its URI, URL, attachments and publication time, and
     * returns it; empty when a status with that URI exists (a concurrent delivery of the same
     * activity) or was deleted before it came (a tombstone). One statement for the status, its conversation (its own id when it starts one) and its
     * counts row: a remote post is stored at the inbox's rate, so round trips and row versions count.
     */
    Optional<Status> insertRemote(Handle h, NewStatus s, String uri, String url, String media, String emojis,
                                  Instant createdAt) {
        return h.createQuery("""
                        WITH new AS (SELECT next_id() AS id),
                        status AS (
                          INSERT INTO statuses (id, account_id, text, content, spoiler_text, sensitive, visibility, language,
                                                in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id,
                                                uri, url, media, emojis, created_at)
                          SELECT (SELECT id FROM new), :accountId, '', :content, :spoilerText, :sensitive, :visibility,
                                 :language, :inReplyToId, :inReplyToAccountId, :reblogOfId,
                                 coalesce(:conversationId, (SELECT id FROM new)),
                                 :uri, :url, CAST(:media AS jsonb), CAST(:emojis AS jsonb), coalesce(:createdAt, now())
                           WHERE NOT EXISTS (SELECT 1 FROM status_tombstones t WHERE t.uri = :uri)
                          ON CONFLICT (uri) WHERE uri IS NOT NULL DO NOTHING
                          RETURNING *),
                        stats AS (INSERT INTO status_stats (status_id) SELECT id FROM status)
                        SELECT""" + " " + COLUMNS + " FROM status s")
                .bind("accountId", s.accountId())
                .bind("content", s.content())
                .bind("spoilerText", s.spoilerText())
                .bind("sensitive", s.sensitive())
                .bind("visibility", s.visibility().key())
                .bind("language", s.language())
                .bindByType("inReplyToId", s.inReplyToId(), Long.class)
                .bindByType("inReplyToAccountId", s.inReplyToAccountId(), Long.class)
                .bindByType("reblogOfId", s.reblogOfId(), Long.class)
                .bindByType("conversationId", s.conversationId(), Long.class)
                .bind("uri", uri)
                .bind("url", url)
                .bind("media", media)
                .bind("emojis", emojis)
                .bindByType("createdAt", createdAt == null ? null : Timestamp.from(createdAt), Timestamp.class)
                .map((rs, ctx) -> status(rs)).findOne();
    }

    void updateRemote(Handle h, long id, String media, String emojis, Instant editedAt) {
        h.createUpdate("""
                        UPDATE statuses SET media = CAST(:media AS jsonb), emojis = CAST(:emojis AS jsonb),
                               edited_at = coalesce(:at, now())
                         WHERE id = :id""")
                .bind("id", id).bind("media", media).bind("emojis", emojis)
                .bindByType("at", editedAt == null ? null : Timestamp.from(editedAt), Timestamp.class).execute();
    }

    /** Remembers that {@code uri} of {@code accountId} was deleted, so it is not stored if it comes later. */
    void tombstone(Handle h, long accountId, String uri) {
        h.createUpdate("INSERT INTO status_tombstones (uri, account_id) VALUES (:uri, :a) ON CONFLICT (uri) DO NOTHING")
                .bind("uri", uri).bind("a", accountId).execute();
    }

    Optional<Status> findByUri(Handle h, String uri) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.uri = :uri AND s.deleted_at IS NULL")
                .bind("uri", uri).map((rs, ctx) -> status(rs)).findOne();
    }

    /** Deleted or not: a status once stored under a URI is not stored again. */
    Optional<Status> findByUriAny(Handle h, String uri) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.uri = :uri")
                .bind("uri", uri).map((rs, ctx) -> status(rs)).findOne();
    }

    Optional<Status> findAny(Handle h, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s WHERE s.id = :id")
                .bind("id", id).map((rs, ctx) -> status(rs)).findOne();
    }

    /** At most {@code limit} of an account's statuses not yet deleted, newest first. */
    List<Status> allOf(Handle h, long accountId, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM statuses s"
                        + " WHERE s.account_id = :a AND s.deleted_at IS NULL ORDER BY s.id DESC LIMIT :limit")
                .bind("a", accountId).bind("limit", limit).map((rs, ctx) -> status(rs)).list();
    }

    /** Deletes every favourite of an account and takes each off its status's count; returns those statuses. */
    List<Long> deleteFavourites(Handle h, long accountId) {
        return h.createQuery("""
                        WITH gone AS (DELETE FROM favourites WHERE account_id = :a RETURNING status_id),
                        counted AS (UPDATE status_stats st SET favourites_count = greatest(st.favourites_count - 1, 0)
                                      FROM gone WHERE st.status_id = gone.status_id)
                        SELECT status_id FROM gone ORDER BY status_id""")
                .bind("a", accountId).mapTo(Long.class).list();
    }

    /** Whether a remote author is silenced (kept off public timelines), and whether anyone follows it. */
    record Reach(boolean silenced, boolean followed) {}

    Reach reach(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT a.silenced, EXISTS (SELECT 1 FROM follows f WHERE f.target_account_id = a.id) AS followed
                          FROM accounts a WHERE a.id = :a""")
                .bind("a", accountId)
                .map((rs, ctx) -> new Reach(rs.getBoolean("silenced"), rs.getBoolean("followed")))
                .findOne().orElse(new Reach(false, false));
    }

    Map<Long, String> storedUris(Handle h, List<Long> ids) {
        Map<Long, String> found = new HashMap<>();
        h.createQuery("SELECT id, uri FROM statuses WHERE id = ANY(:ids) AND uri IS NOT NULL")
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("uri")))
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    /**
     * Public and unlisted replies to {@code statusId} after {@code minId}, oldest first: by {@code authorId}
     * (self-replies), or by everyone else.
     */
    List<Long> replyIds(Handle h, long statusId, long authorId, boolean selfReplies, long minId, int limit) {
        return h.createQuery("""
                        SELECT id FROM statuses
                         WHERE in_reply_to_id = :s AND deleted_at IS NULL AND visibility IN ('public', 'unlisted')
                           AND (account_id = :a) = :self AND id > :min
                         ORDER BY id LIMIT :limit""")
                .bind("s", statusId).bind("a", authorId).bind("self", selfReplies).bind("min", minId)
                .bind("limit", limit).mapTo(Long.class).list();
    }

    /** For each of {@code ids}: its author's first public or unlisted replies to it, oldest first. */
    Map<Long, List<Long>> selfReplyIds(Handle h, List<Long> ids, int limit) {
        Map<Long, List<Long>> found = new HashMap<>();
        h.createQuery("""
                        SELECT p.id AS parent_id, r.id
                          FROM statuses p
                          CROSS JOIN LATERAL (
                                SELECT s.id FROM statuses s
                                 WHERE s.in_reply_to_id = p.id AND s.account_id = p.account_id AND s.deleted_at IS NULL
                                   AND s.visibility IN ('public', 'unlisted')
                                 ORDER BY s.id LIMIT :limit) r
                         WHERE p.id = ANY(:ids)
                         ORDER BY p.id, r.id""")
                .bind("ids", ids.toArray(Long[]::new)).bind("limit", limit)
                .map((rs, ctx) -> Map.entry(rs.getLong("parent_id"), rs.getLong("id")))
                .forEach(e -> found.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return found;
    }
}
