package social.caravan.announcements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** SQL for announcements, their dismissals and reactions. */
final class AnnouncementStore {
    private static final String COLUMNS = """
            id, text, content, mention_account_ids, tags, starts_at, ends_at, all_day, published_at, updated_at""";
    /** Shown until it ends; Mastodon unpublishes ended ones, this leaves them out when read. */
    private static final String ACTIVE = "(ends_at IS NULL OR ends_at > now())";
    /** Mastodon's order: by when it starts, else when it was published. */
    private static final String CHRONOLOGICAL = " ORDER BY coalesce(starts_at, published_at), id";

    long insert(Handle h, String text, String content, List<Long> mentionAccountIds, List<String> tags, Instant startsAt,
                Instant endsAt, boolean allDay) {
        return h.createQuery("""
                        INSERT INTO announcements (text, content, mention_account_ids, tags, starts_at, ends_at, all_day)
                        VALUES (:text, :content, :mentions, :tags, :starts, :ends, :allDay) RETURNING id""")
                .bind("text", text).bind("content", content)
                .bind("mentions", mentionAccountIds.toArray(Long[]::new)).bind("tags", tags.toArray(String[]::new))
                .bindByType("starts", startsAt == null ? null : Timestamp.from(startsAt), Timestamp.class)
                .bindByType("ends", endsAt == null ? null : Timestamp.from(endsAt), Timestamp.class)
                .bind("allDay", allDay)
                .mapTo(Long.class).one();
    }

    List<Announcement> active(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM announcements WHERE " + ACTIVE + CHRONOLOGICAL)
                .map((rs, ctx) -> announcement(rs)).list();
    }

    List<Announcement> all(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM announcements" + CHRONOLOGICAL)
                .map((rs, ctx) -> announcement(rs)).list();
    }

    Optional<Announcement> findActive(Handle h, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM announcements WHERE id = :id AND " + ACTIVE)
                .bind("id", id).map((rs, ctx) -> announcement(rs)).findOne();
    }

    boolean delete(Handle h, long id) {
        return h.createUpdate("DELETE FROM announcements WHERE id = :id").bind("id", id).execute() == 1;
    }

    void dismiss(Handle h, long accountId, long id) {
        h.createUpdate("INSERT INTO announcement_dismissals (announcement_id, account_id) VALUES (:id, :account)"
                        + " ON CONFLICT DO NOTHING")
                .bind("id", id).bind("account", accountId).execute();
    }

    Set<Long> dismissed(Handle h, long accountId) {
        return Set.copyOf(h.createQuery("SELECT announcement_id FROM announcement_dismissals WHERE account_id = :account")
                .bind("account", accountId).mapTo(Long.class).list());
    }

    /** Every reaction on these announcements, in the order each emoji was first chosen. */
    List<AnnouncementService.Reaction> reactions(Handle h, List<Long> ids, long viewer) {
        return h.createQuery("""
                        SELECT announcement_id, name, count(*) AS count, bool_or(account_id = :viewer) AS me
                          FROM announcement_reactions WHERE announcement_id = ANY(:ids)
                         GROUP BY announcement_id, name ORDER BY min(created_at), name""")
                .bind("ids", ids.toArray(Long[]::new)).bind("viewer", viewer)
                .map((rs, ctx) -> new AnnouncementService.Reaction(rs.getLong("announcement_id"), rs.getString("name"), rs.getInt("count"),
                        rs.getBoolean("me")))
                .list();
    }

    /** Serialises reactions to one announcement, so its limit of distinct emoji is counted without a race. */
    void lock(Handle h, long id) {
        h.createQuery("SELECT id FROM announcements WHERE id = :id FOR UPDATE").bind("id", id).mapTo(Long.class).one();
    }

    /** The distinct emoji on the announcement other than {@code name}. */
    int otherNames(Handle h, long id, String name) {
        return h.createQuery("SELECT count(DISTINCT name) FROM announcement_reactions WHERE announcement_id = :id AND name <> :name")
                .bind("id", id).bind("name", name).mapTo(Integer.class).one();
    }

    boolean hasName(Handle h, long id, String name) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM announcement_reactions WHERE announcement_id = :id AND name = :name)")
                .bind("id", id).bind("name", name).mapTo(Boolean.class).one();
    }

    /** False when the account already reacted with this emoji. */
    boolean react(Handle h, long accountId, long id, String name) {
        return h.createUpdate("""
                        INSERT INTO announcement_reactions (announcement_id, account_id, name) VALUES (:id, :account, :name)
                        ON CONFLICT DO NOTHING""")
                .bind("id", id).bind("account", accountId).bind("name", name).execute() == 1;
    }

    int reactionCount(Handle h, long id, String name) {
        return h.createQuery("SELECT count(*) FROM announcement_reactions WHERE announcement_id = :id AND name = :name")
                .bind("id", id).bind("name", name).mapTo(Integer.class).one();
    }

    boolean unreact(Handle h, long accountId, long id, String name) {
        return h.createUpdate("DELETE FROM announcement_reactions WHERE announcement_id = :id AND account_id = :account AND name = :name")
                .bind("id", id).bind("account", accountId).bind("name", name).execute() == 1;
    }

    private static Announcement announcement(ResultSet rs) throws SQLException {
        return new Announcement(rs.getLong("id"), rs.getString("text"), rs.getString("content"),
                List.of((Long[]) rs.getArray("mention_account_ids").getArray()), List.of((String[]) rs.getArray("tags").getArray()),
                instant(rs.getTimestamp("starts_at")), instant(rs.getTimestamp("ends_at")), rs.getBoolean("all_day"),
                rs.getTimestamp("published_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
