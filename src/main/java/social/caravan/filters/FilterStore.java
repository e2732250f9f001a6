package social.caravan.filters;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for filters, their keywords and their statuses. Every lookup is scoped to the owner. */
final class FilterStore {
    private static final String FILTER_COLUMNS = "f.id, f.account_id, f.title, f.context, f.action, f.expires_at";

    /** The owner's filters, oldest first, with their rules; {@code activeOnly} leaves out expired ones. */
    /** The accounts among {@code accounts} with a filter that has not expired. */
    List<Long> filtering(Handle h, java.util.Collection<Long> accounts) {
        return h.createQuery("""
                        SELECT DISTINCT account_id FROM custom_filters
                         WHERE account_id = ANY(:accounts) AND (expires_at IS NULL OR expires_at > now())""")
                .bind("accounts", accounts.toArray(Long[]::new))
                .mapTo(Long.class).list();
    }

    List<Filter> filters(Handle h, long accountId) {
        List<Filter> filters = h.createQuery("SELECT " + FILTER_COLUMNS + " FROM custom_filters f WHERE f.account_id = :a ORDER BY f.id")
                .bind("a", accountId).map((rs, ctx) -> filter(rs)).list();
        return withRules(h, filters);
    }

    Optional<Filter> filter(Handle h, long accountId, long id) {
        return h.createQuery("SELECT " + FILTER_COLUMNS + " FROM custom_filters f WHERE f.id = :id AND f.account_id = :a")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> filter(rs)).findOne()
                .map(f -> withRules(h, List.of(f)).getFirst());
    }

    private List<Filter> withRules(Handle h, List<Filter> filters) {
        if (filters.isEmpty()) {
            return filters;
        }
        Long[] ids = filters.stream().map(Filter::id).toArray(Long[]::new);
        Map<Long, List<Filter.Keyword>> keywords = new HashMap<>();
        h.createQuery("SELECT id, custom_filter_id, keyword, whole_word FROM custom_filter_keywords"
                        + " WHERE custom_filter_id = ANY(:ids) ORDER BY id")
                .bind("ids", ids).map((rs, ctx) -> keyword(rs))
                .forEach(k -> keywords.computeIfAbsent(k.filterId(), x -> new ArrayList<>()).add(k));
        Map<Long, List<Filter.StatusRule>> statuses = new HashMap<>();
        h.createQuery("SELECT id, custom_filter_id, status_id FROM custom_filter_statuses"
                        + " WHERE custom_filter_id = ANY(:ids) ORDER BY id")
                .bind("ids", ids).map((rs, ctx) -> statusRule(rs))
                .forEach(s -> statuses.computeIfAbsent(s.filterId(), x -> new ArrayList<>()).add(s));
        return filters.stream().map(f -> f.withRules(keywords.getOrDefault(f.id(), List.of()),
                statuses.getOrDefault(f.id(), List.of()))).toList();
    }

    long insert(Handle h, long accountId, String title, List<String> context, String action, Instant expiresAt) {
        return h.createQuery("""
                        INSERT INTO custom_filters (account_id, title, context, action, expires_at)
                        VALUES (:a, :title, :context, :action, :expiresAt) RETURNING id""")
                .bind("a", accountId).bind("title", title).bind("context", context.toArray(String[]::new))
                .bind("action", action).bindByType("expiresAt", expiresAt, Instant.class)
                .mapTo(Long.class).one();
    }

    void update(Handle h, long id, String title, List<String> context, String action, Instant expiresAt) {
        h.createUpdate("""
                        UPDATE custom_filters SET title = :title, context = :context, action = :action,
                               expires_at = :expiresAt, updated_at = now()
                        WHERE id = :id""")
                .bind("id", id).bind("title", title).bind("context", context.toArray(String[]::new))
                .bind("action", action).bindByType("expiresAt", expiresAt, Instant.class).execute();
    }

    void delete(Handle h, long id) {
        h.createUpdate("DELETE FROM custom_filters WHERE id = :id").bind("id", id).execute();
    }

    /** A keyword of one of the owner's filters. */
    Optional<Filter.Keyword> keyword(Handle h, long accountId, long id) {
        return h.createQuery("""
                        SELECT k.id, k.custom_filter_id, k.keyword, k.whole_word FROM custom_filter_keywords k
                        JOIN custom_filters f ON f.id = k.custom_filter_id
                        WHERE k.id = :id AND f.account_id = :a""")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> keyword(rs)).findOne();
    }

    /** Every keyword of the owner's filters, expired or not, oldest first: what v1 lists. */
    List<Filter.Keyword> keywords(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT k.id, k.custom_filter_id, k.keyword, k.whole_word FROM custom_filter_keywords k
                        JOIN custom_filters f ON f.id = k.custom_filter_id
                        WHERE f.account_id = :a ORDER BY k.id""")
                .bind("a", accountId).map((rs, ctx) -> keyword(rs)).list();
    }

    long insertKeyword(Handle h, long filterId, String keyword, boolean wholeWord) {
        return h.createQuery("""
                        INSERT INTO custom_filter_keywords (custom_filter_id, keyword, whole_word)
                        VALUES (:f, :keyword, :wholeWord) RETURNING id""")
                .bind("f", filterId).bind("keyword", keyword).bind("wholeWord", wholeWord).mapTo(Long.class).one();
    }

    void updateKeyword(Handle h, long id, String keyword, boolean wholeWord) {
        h.createUpdate("UPDATE custom_filter_keywords SET keyword = :keyword, whole_word = :wholeWord WHERE id = :id")
                .bind("id", id).bind("keyword", keyword).bind("wholeWord", wholeWord).execute();
    }

    void deleteKeyword(Handle h, long id) {
        h.createUpdate("DELETE FROM custom_filter_keywords WHERE id = :id").bind("id", id).execute();
    }

    /** A status rule of one of the owner's filters. */
    Optional<Filter.StatusRule> statusRule(Handle h, long accountId, long id) {
        return h.createQuery("""
                        SELECT s.id, s.custom_filter_id, s.status_id FROM custom_filter_statuses s
                        JOIN custom_filters f ON f.id = s.custom_filter_id
                        WHERE s.id = :id AND f.account_id = :a""")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> statusRule(rs)).findOne();
    }

    /** Adds the status to the filter; empty when the filter names it already. */
    Optional<Long> insertStatusRule(Handle h, long filterId, long statusId) {
        return h.createQuery("""
                        INSERT INTO custom_filter_statuses (custom_filter_id, status_id) VALUES (:f, :s)
                        ON CONFLICT (custom_filter_id, status_id) DO NOTHING RETURNING id""")
                .bind("f", filterId).bind("s", statusId).mapTo(Long.class).findOne();
    }

    void deleteStatusRule(Handle h, long id) {
        h.createUpdate("DELETE FROM custom_filter_statuses WHERE id = :id").bind("id", id).execute();
    }

    private static Filter filter(ResultSet rs) throws SQLException {
        Timestamp expires = rs.getTimestamp("expires_at");
        return new Filter(rs.getLong("id"), rs.getLong("account_id"), rs.getString("title"),
                Arrays.asList((String[]) rs.getArray("context").getArray()), rs.getString("action"),
                expires == null ? null : expires.toInstant(), List.of(), List.of());
    }

    private static Filter.Keyword keyword(ResultSet rs) throws SQLException {
        return new Filter.Keyword(rs.getLong("id"), rs.getLong("custom_filter_id"), rs.getString("keyword"),
                rs.getBoolean("whole_word"));
    }

    private static Filter.StatusRule statusRule(ResultSet rs) throws SQLException {
        return new Filter.StatusRule(rs.getLong("id"), rs.getLong("custom_filter_id"), rs.getLong("status_id"));
    }
}
