package social.caravan.notifications;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.Visibility;

/** SQL for the notifications table. */
final class NotificationStore {
    private static final String COLUMNS = """
            n.id, n.account_id, n.from_account_id, n.type, n.status_id, n.group_key, n.created_at,
            n.account_relationship_severance_event_id""";
    /** How many of a group's most recent senders a group shows, as Mastodon's SAMPLE_ACCOUNTS_SIZE. */
    private static final int SAMPLE_ACCOUNTS = 8;

    /**
     * Whether the recipient {@code %1$s} hides what {@code %2$s} does: a block, an unexpired mute
     * with notifications, or a block of the sender's domain.
     */
    private static final String SENDER_HIDDEN = """
            (EXISTS (SELECT 1 FROM blocks hb WHERE hb.account_id = %1$s AND hb.target_account_id = %2$s)
             OR EXISTS (SELECT 1 FROM mutes hm WHERE hm.account_id = %1$s AND hm.target_account_id = %2$s
                         AND hm.hide_notifications AND (hm.expires_at IS NULL OR hm.expires_at > now()))
             OR EXISTS (SELECT 1 FROM accounts ha JOIN account_domain_blocks hd ON hd.domain = ha.domain
                         WHERE ha.id = %2$s AND hd.account_id = %1$s))""";

    /**
     * A notification {@code n} still worth showing to its recipient (bound as {@code :viewer}): the
     * sender is not hidden now, the recipient may still see the status it is about (the one
     * visibility policy), and the act still stands — Mastodon destroys a notification with its
     * mention, favourite, boost, follow or follow request.
     */
    static final String LIVE = "NOT " + SENDER_HIDDEN.formatted("n.account_id", "n.from_account_id") + """

             AND (n.status_id IS NULL OR EXISTS (SELECT 1 FROM statuses s WHERE s.id = n.status_id AND\s"""
            + Visibility.SQL_VISIBLE + """
            ))
             AND CASE n.type
                 WHEN 'mention' THEN EXISTS (SELECT 1 FROM mentions lm
                      WHERE lm.status_id = n.status_id AND lm.account_id = n.account_id)
                 WHEN 'favourite' THEN EXISTS (SELECT 1 FROM favourites lf
                      WHERE lf.account_id = n.from_account_id AND lf.status_id = n.status_id)
                 WHEN 'reblog' THEN EXISTS (SELECT 1 FROM statuses lr
                      WHERE lr.reblog_of_id = n.status_id AND lr.account_id = n.from_account_id AND lr.deleted_at IS NULL)
                 WHEN 'follow' THEN EXISTS (SELECT 1 FROM follows lo
                      WHERE lo.account_id = n.from_account_id AND lo.target_account_id = n.account_id)
                 WHEN 'follow_request' THEN EXISTS (SELECT 1 FROM follow_requests lq
                      WHERE lq.account_id = n.from_account_id AND lq.target_account_id = n.account_id)
                 ELSE true END""";

    /**
     * Adds a notification unless the recipient hides the sender or muted the conversation the
     * status is in; its id when added.
     */
    Optional<Long> insert(Handle h, long recipientId, long fromId, String type, Long statusId, String groupKey,
                          boolean filtered) {
        return h.createQuery("""
                        INSERT INTO notifications (account_id, from_account_id, type, status_id, group_key, filtered)
                        SELECT :recipient, :from, :type, :status, :groupKey, :filtered
                         WHERE NOT EXISTS (SELECT 1 FROM statuses cs JOIN conversation_mutes cm ON cm.conversation_id = cs.conversation_id
                                            WHERE cs.id = :status AND cm.account_id = :recipient)
                           AND NOT\s""" + SENDER_HIDDEN.formatted(":recipient", ":from") + """

                        RETURNING id""")
                .bind("recipient", recipientId)
                .bind("from", fromId)
                .bind("type", type)
                .bind("status", statusId)
                .bind("groupKey", groupKey)
                .bind("filtered", filtered)
                .mapTo(Long.class)
                .findOne();
    }

    /**
     * Records what {@code recipient} lost to a severance event, once; the id of the record when it is
     * new (a purge run again records nothing twice).
     */
    Optional<Long> insertSeveranceEvent(Handle h, long recipient, long eventId, int followers, int following) {
        return h.createQuery("""
                        INSERT INTO account_relationship_severance_events
                               (account_id, relationship_severance_event_id, followers_count, following_count)
                        VALUES (:recipient, :event, :followers, :following)
                        ON CONFLICT (relationship_severance_event_id, account_id) DO NOTHING
                        RETURNING id""")
                .bind("recipient", recipient).bind("event", eventId).bind("followers", followers)
                .bind("following", following).mapTo(Long.class).findOne();
    }

    /** A {@code severed_relationships} notification: it has no sender, so it names the recipient, as Mastodon's does. */
    long insertSevered(Handle h, long recipient, long accountEventId) {
        return h.createQuery("""
                        INSERT INTO notifications (account_id, from_account_id, type, account_relationship_severance_event_id)
                        VALUES (:recipient, :recipient, :type, :event)
                        RETURNING id""")
                .bind("recipient", recipient).bind("type", NotificationService.SEVERED_RELATIONSHIPS)
                .bind("event", accountEventId).mapTo(Long.class).one();
    }

    /** The severance events these records tell of, as the API shows them, by record id. */
    Map<Long, SeveranceEvent> severanceEvents(Handle h, List<Long> ids) {
        return h.createQuery("""
                        SELECT e.id, r.type, r.purged, r.target_name, e.followers_count, e.following_count, e.created_at
                          FROM account_relationship_severance_events e
                          JOIN relationship_severance_events r ON r.id = e.relationship_severance_event_id
                         WHERE e.id = ANY(:ids)""")
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> new SeveranceEvent(rs.getLong("id"), rs.getString("type"), rs.getBoolean("purged"),
                        rs.getString("target_name"), rs.getInt("followers_count"), rs.getInt("following_count"),
                        rs.getTimestamp("created_at").toInstant()))
                .list().stream().collect(Collectors.toMap(SeveranceEvent::id, e -> e));
    }

    /** Deletes what {@code fromId} caused: its notifications to anyone, and the requests it opened. */
    void deleteFrom(Handle h, long fromId) {
        h.createUpdate("DELETE FROM notifications WHERE from_account_id = :from").bind("from", fromId).execute();
        h.createUpdate("DELETE FROM notification_requests WHERE from_account_id = :from").bind("from", fromId).execute();
    }

    /** Removes the earlier notifications of the same act (same sender, type and status). */
    void deleteSame(Handle h, long recipientId, long fromId, String type, Long statusId) {
        h.createUpdate("""
                        DELETE FROM notifications
                         WHERE account_id = :recipient AND from_account_id = :from AND type = :type
                           AND status_id IS NOT DISTINCT FROM :status""")
                .bind("recipient", recipientId)
                .bind("from", fromId)
                .bind("type", type)
                .bind("status", statusId)
                .execute();
    }

    /** The most recently used of {@code candidates} among the recipient's group keys. */
    Optional<String> latestGroupKey(Handle h, long recipientId, List<String> candidates) {
        return h.createQuery("""
                        SELECT group_key FROM notifications
                         WHERE account_id = :recipient AND group_key = ANY(:candidates)
                         ORDER BY id DESC LIMIT 1""")
                .bind("recipient", recipientId)
                .bind("candidates", candidates.toArray(String[]::new))
                .mapTo(String.class).findOne();
    }

    /**
     * The recipient's live notifications that {@code filter} chooses, with ids strictly between
     * {@code lower} and {@code upper}, newest or oldest first.
     */
    List<Notification> list(Handle h, long accountId, NotificationService.Filter filter, long lower, long upper,
                            boolean oldestFirst, int limit) {
        return select(h, accountId, chosen(filter), lower, upper, oldestFirst, limit, q -> bind(q, filter));
    }

    /** The condition a {@link NotificationService.Filter} puts on {@code n}, binding :types and :from. */
    private static String chosen(NotificationService.Filter filter) {
        return "n.type = ANY(:types)"
                + (filter.fromAccountId() == null ? "" : " AND n.from_account_id = :from")
                + (filter.includeFiltered() ? "" : " AND NOT n.filtered");
    }

    private static void bind(Query q, NotificationService.Filter filter) {
        q.bind("types", filter.types().toArray(String[]::new));
        if (filter.fromAccountId() != null) {
            q.bind("from", filter.fromAccountId().longValue());
        }
    }

    /** The live notifications a group key names (see {@link KeyMatch}), newest or oldest first. */
    List<Notification> inGroup(Handle h, long accountId, String groupKey, long lower, long upper, boolean oldestFirst,
                               int limit) {
        KeyMatch match = KeyMatch.of(groupKey);
        return select(h, accountId, match.sql(), lower, upper, oldestFirst, limit, q -> q.bind("key", match.value()));
    }

    private List<Notification> select(Handle h, long accountId, String condition, long lower, long upper,
                                      boolean oldestFirst, int limit, Consumer<Query> binder) {
        Query q = h.createQuery("SELECT " + COLUMNS + " FROM notifications n WHERE n.account_id = :viewer AND "
                        + condition + " AND n.id > :lower AND n.id < :upper AND " + LIVE
                        + " ORDER BY n.id " + (oldestFirst ? "ASC" : "DESC") + " LIMIT :limit")
                .bind("viewer", accountId)
                .bind("lower", lower)
                .bind("upper", upper)
                .bind("limit", limit);
        binder.accept(q);
        return q.map((rs, ctx) -> notification(rs)).list();
    }

    Optional<Notification> find(Handle h, long accountId, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM notifications n WHERE n.id = :id AND n.account_id = :viewer AND " + LIVE)
                .bind("id", id)
                .bind("viewer", accountId)
                .map((rs, ctx) -> notification(rs)).findOne();
    }

    /** How many live notifications {@code filter} chooses come after {@code afterId}, counting at most {@code cap}. */
    int count(Handle h, long accountId, NotificationService.Filter filter, long afterId, int cap) {
        Query q = h.createQuery("SELECT count(*) FROM (SELECT 1 FROM notifications n WHERE n.account_id = :viewer AND "
                        + chosen(filter) + " AND n.id > :after AND " + LIVE + " LIMIT :cap) counted")
                .bind("viewer", accountId)
                .bind("after", afterId)
                .bind("cap", cap);
        bind(q, filter);
        return q.mapTo(Integer.class).one();
    }

    /** What a group shows: counted over its live notifications up to {@code hi}; {@code minId} the first from {@code lo}. */
    record GroupData(long mostRecentId, Instant latestAt, long count, List<Long> sampleAccountIds, Long minId) {}

    /** For each of {@code keys} (real group keys, not ungrouped ones) that has a live notification up to {@code hi}. */
    Map<String, GroupData> groupData(Handle h, long accountId, List<String> keys, long lo, long hi) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        // "1 : n", not "1:n", which JDBI would read as a named parameter.
        return h.createQuery("""
                        SELECT k.key, g.most_recent, g.latest_at, g.total, g.samples, p.min_id
                          FROM unnest(:keys) AS k(key)
                          CROSS JOIN LATERAL (
                              SELECT max(n.id) AS most_recent, (array_agg(n.created_at ORDER BY n.id DESC))[1] AS latest_at,
                                     count(*) AS total,
                                     (array_agg(n.from_account_id ORDER BY n.id DESC))[1 :\s""" + SAMPLE_ACCOUNTS + """
                        ] AS samples
                                FROM notifications n
                               WHERE n.account_id = :viewer AND n.group_key = k.key AND n.id <= :hi AND\s""" + LIVE + """
                        ) g
                          CROSS JOIN LATERAL (
                              SELECT min(n.id) AS min_id FROM notifications n
                               WHERE n.account_id = :viewer AND n.group_key = k.key AND n.id >= :lo AND\s""" + LIVE + """
                        ) p
                         WHERE g.total > 0""")
                .bind("keys", keys.toArray(String[]::new))
                .bind("viewer", accountId)
                .bind("lo", lo)
                .bind("hi", hi)
                .map((rs, ctx) -> Map.entry(rs.getString("key"), new GroupData(rs.getLong("most_recent"),
                        rs.getTimestamp("latest_at").toInstant(), rs.getLong("total"),
                        List.of((Long[]) rs.getArray("samples").getArray()), (Long) rs.getObject("min_id"))))
                .list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Deletes one of the recipient's notifications, shown or not; false when there is none. */
    boolean delete(Handle h, long accountId, long id) {
        return h.createUpdate("DELETE FROM notifications WHERE id = :id AND account_id = :account")
                .bind("id", id).bind("account", accountId).execute() > 0;
    }

    void deleteGroup(Handle h, long accountId, String groupKey) {
        KeyMatch match = KeyMatch.of(groupKey);
        h.createUpdate("DELETE FROM notifications n WHERE n.account_id = :viewer AND " + match.sql())
                .bind("viewer", accountId).bind("key", match.value()).execute();
    }

    void clear(Handle h, long accountId) {
        h.createUpdate("DELETE FROM notifications WHERE account_id = :account").bind("account", accountId).execute();
    }

    /**
     * What a group key names, as Mastodon's {@code by_group_key}: {@code ungrouped-<id>} is that one
     * notification (none when the id is not a number), any other key the notifications that share it.
     */
    private record KeyMatch(String sql, Object value) {
        static KeyMatch of(String groupKey) {
            if (groupKey.startsWith(Notification.UNGROUPED)) {
                long id = Ids.parse(groupKey.substring(Notification.UNGROUPED.length())).orElse(-1);
                return new KeyMatch("n.id = :key", id);
            }
            return new KeyMatch("n.group_key = :key", groupKey);
        }
    }

    private static Notification notification(ResultSet rs) throws SQLException {
        return new Notification(rs.getLong("id"), rs.getLong("account_id"), rs.getLong("from_account_id"),
                rs.getString("type"), (Long) rs.getObject("status_id"), rs.getString("group_key"),
                rs.getTimestamp("created_at").toInstant(), (Long) rs.getObject("account_relationship_severance_event_id"));
    }
}
