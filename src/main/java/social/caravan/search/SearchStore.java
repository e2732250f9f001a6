package social.caravan.search;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import social.caravan.statuses.Visibility;

/** SQL for search: account and hashtag prefixes, and the words of statuses. */
final class SearchStore {
    /** The words of a status; the same expression as the statuses_search index, so it is used. */
    private static final String STATUS_WORDS = "to_tsvector('simple', s.spoiler_text || ' ' || "
            + "CASE WHEN s.text <> '' THEN s.text ELSE regexp_replace(s.content, '<[^>]*>', ' ', 'g') END)";

    /** The account is one the viewer blocks, mutes (until the mute ends), or whose domain they block. */
    private static final String HIDDEN_AUTHOR = """
            (EXISTS (SELECT 1 FROM blocks hb WHERE hb.account_id = :viewer AND hb.target_account_id = s.account_id)
             OR EXISTS (SELECT 1 FROM mutes hm WHERE hm.account_id = :viewer AND hm.target_account_id = s.account_id
                          AND (hm.expires_at IS NULL OR hm.expires_at > now()))
             OR EXISTS (SELECT 1 FROM account_domain_blocks hd JOIN accounts ha ON lower(ha.domain) = hd.domain
                          WHERE hd.account_id = :viewer AND ha.id = s.account_id))""";

    /**
     * What an account search asks: a username prefix, and a domain prefix ({@code localOnly} for
     * this server's domain) or display-name words ({@code words}, a prefix tsquery, may be null).
     */
    record AccountQuery(String username, String domain, boolean localOnly, String words, boolean following) {}

    /**
     * Matching account ids: the exact handle first, then accounts the viewer follows, then shorter
     * usernames. Accounts blocking or blocked by the viewer, and local ones not allowed to sign in,
     * are left out.
     */
    List<Long> accounts(Handle h, long viewer, AccountQuery q, int limit, int offset) {
        String match;
        String exact;
        if (q.domain() != null) {
            match = "lower(a.username) LIKE :usernamePrefix AND lower(a.domain) LIKE :domainPrefix";
            exact = "lower(a.username) = :username AND lower(a.domain) = :domain";
        } else if (q.localOnly()) {
            match = "lower(a.username) LIKE :usernamePrefix AND a.domain IS NULL";
            exact = "lower(a.username) = :username AND a.domain IS NULL";
        } else {
            match = "lower(a.username) LIKE :usernamePrefix"
                    + (q.words() == null ? "" : " OR to_tsvector('simple', a.display_name) @@ to_tsquery('simple', :words)");
            exact = "lower(a.username) = :username AND a.domain IS NULL";
        }
        String followed = "EXISTS (SELECT 1 FROM follows f WHERE f.account_id = :viewer AND f.target_account_id = a.id)";
        Query query = h.createQuery("SELECT a.id FROM accounts a LEFT JOIN users u ON u.account_id = a.id"
                        + " WHERE (a.domain IS NOT NULL OR (u.approved AND NOT u.disabled))"
                        + " AND (" + match + ")"
                        + (q.following() ? " AND " + followed : "")
                        + """
                           AND NOT EXISTS (SELECT 1 FROM blocks b
                                           WHERE (b.account_id = :viewer AND b.target_account_id = a.id)
                                              OR (b.account_id = a.id AND b.target_account_id = :viewer))
                        """
                        + " ORDER BY (" + exact + ") DESC, " + followed + " DESC, length(a.username), lower(a.username), a.id"
                        + " LIMIT :limit OFFSET :offset")
                .bind("viewer", viewer).bind("username", q.username()).bind("usernamePrefix", prefix(q.username()))
                .bind("limit", limit).bind("offset", offset);
        if (q.domain() != null) {
            query.bind("domain", q.domain()).bind("domainPrefix", prefix(q.domain()));
        }
        if (q.words() != null) {
            query.bind("words", q.words());
        }
        return query.mapTo(Long.class).list();
    }

    /** What a status search asks; {@code accountId} limits it to one author. */
    record StatusQuery(String text, Long accountId, long upper, long lower, int limit, int offset) {}

    /**
     * Statuses matching the words that the viewer may see and may search, as on Mastodon: their
     * own, those mentioning them or that they favourited, bookmarked or boosted, and public ones by
     * authors who let their posts be searched. Authors they block or mute are left out. Newest first.
     */
    List<Long> statuses(Handle h, long viewer, StatusQuery q) {
        Query query = h.createQuery("SELECT s.id FROM statuses s"
                        + " WHERE s.deleted_at IS NULL AND s.reblog_of_id IS NULL"
                        + " AND " + STATUS_WORDS + " @@ websearch_to_tsquery('simple', :text)"
                        + " AND " + Visibility.SQL_VISIBLE
                        + """
                           AND (s.account_id = :viewer
                                OR EXISTS (SELECT 1 FROM mentions sm WHERE sm.status_id = s.id AND sm.account_id = :viewer)
                                OR EXISTS (SELECT 1 FROM favourites sf WHERE sf.status_id = s.id AND sf.account_id = :viewer)
                                OR EXISTS (SELECT 1 FROM bookmarks sb WHERE sb.status_id = s.id AND sb.account_id = :viewer)
                                OR EXISTS (SELECT 1 FROM statuses sr WHERE sr.reblog_of_id = s.id AND sr.account_id = :viewer
                                             AND sr.deleted_at IS NULL)
                                OR (s.visibility = 'public'
                                    AND EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = s.account_id AND sa.indexable)))
                        """
                        + " AND NOT " + HIDDEN_AUTHOR
                        + (q.accountId() == null ? "" : " AND s.account_id = :accountId")
                        + " AND s.id < :upper AND s.id > :lower"
                        + " ORDER BY s.id DESC LIMIT :limit OFFSET :offset")
                .bind("viewer", viewer).bind("text", q.text()).bind("upper", q.upper()).bind("lower", q.lower())
                .bind("limit", q.limit()).bind("offset", q.offset());
        if (q.accountId() != null) {
            query.bind("accountId", q.accountId());
        }
        return query.mapTo(Long.class).list();
    }

    record TagRow(long id, String name) {}

    /** Tags by name prefix, shortest first; {@code exactOnly} keeps only the tag of that very name. */
    List<TagRow> tags(Handle h, String name, boolean exactOnly, int limit, int offset) {
        return h.createQuery("SELECT t.id, t.name FROM tags t WHERE lower(t.name) LIKE :prefix"
                        + (exactOnly ? " AND lower(t.name) = :name" : "")
                        + " ORDER BY length(t.name), lower(t.name) LIMIT :limit OFFSET :offset")
                .bind("prefix", prefix(name)).bind("name", name).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> new TagRow(rs.getLong("id"), rs.getString("name"))).list();
    }

    /** Uses per tag and day since {@code since}: public posts (not boosts) and the accounts that wrote them. */
    record TagDay(long tagId, Instant day, long uses, long accounts) {}

    List<TagDay> tagDays(Handle h, List<Long> tagIds, Instant since) {
        if (tagIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("""
                        SELECT st.tag_id, date_trunc('day', s.created_at, 'UTC') AS day,
                               count(*) AS uses, count(DISTINCT s.account_id) AS accounts
                        FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
                        WHERE st.tag_id = ANY(:ids) AND s.created_at >= :since AND s.deleted_at IS NULL
                          AND s.visibility = 'public' AND s.reblog_of_id IS NULL
                        GROUP BY 1, 2""")
                .bind("ids", tagIds.toArray(Long[]::new)).bind("since", since)
                .map((rs, ctx) -> new TagDay(rs.getLong("tag_id"), rs.getTimestamp("day").toInstant(),
                        rs.getLong("uses"), rs.getLong("accounts"))).list();
    }

    /** A LIKE pattern for "starts with", the text's own wildcards escaped. */
    private static String prefix(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
