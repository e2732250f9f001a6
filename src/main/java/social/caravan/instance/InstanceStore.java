package social.caravan.instance;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import social.caravan.core.ids.Ids;

/** SQL for the rules, the texts and terms operators set, and the weekly activity. */
final class InstanceStore {

    List<Rule> rules(Handle h) {
        return h.createQuery("SELECT id, text, hint FROM instance_rules ORDER BY position, id")
                .map((rs, ctx) -> new Rule(rs.getLong("id"), rs.getString("text"), rs.getString("hint"))).list();
    }

    long addRule(Handle h, String text, String hint) {
        return h.createQuery("""
                        INSERT INTO instance_rules (text, hint, position)
                        VALUES (:text, :hint, (SELECT coalesce(max(position), 0) + 1 FROM instance_rules))
                        RETURNING id""")
                .bind("text", text).bind("hint", hint).mapTo(Long.class).one();
    }

    boolean removeRule(Handle h, long id) {
        return h.createUpdate("DELETE FROM instance_rules WHERE id = :id").bind("id", id).execute() > 0;
    }

    Optional<InstanceText> text(Handle h, String name) {
        return h.createQuery("SELECT text, updated_at FROM instance_texts WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new InstanceText(rs.getString("text"), rs.getTimestamp("updated_at").toInstant()))
                .findOne();
    }

    void setText(Handle h, String name, String text) {
        h.createUpdate("""
                        INSERT INTO instance_texts (name, text) VALUES (:name, :text)
                        ON CONFLICT (name) DO UPDATE SET text = EXCLUDED.text, updated_at = now()""")
                .bind("name", name).bind("text", text).execute();
    }

    boolean removeText(Handle h, String name) {
        return h.createUpdate("DELETE FROM instance_texts WHERE name = :name").bind("name", name).execute() > 0;
    }

    /** Every version of the terms, the latest effective date first. */
    List<Terms> terms(Handle h) {
        return h.createQuery("SELECT effective_date, text FROM instance_terms ORDER BY effective_date DESC")
                .map((rs, ctx) -> new Terms(rs.getObject("effective_date", LocalDate.class), rs.getString("text")))
                .list();
    }

    void setTerms(Handle h, LocalDate effective, String text) {
        h.createUpdate("""
                        INSERT INTO instance_terms (effective_date, text) VALUES (:date, :text)
                        ON CONFLICT (effective_date) DO UPDATE SET text = EXCLUDED.text""")
                .bind("date", effective).bind("text", text).execute();
    }

    boolean removeTerms(Handle h, LocalDate effective) {
        return h.createUpdate("DELETE FROM instance_terms WHERE effective_date = :date")
                .bind("date", effective).execute() > 0;
    }

    /**
     * Counts by week index, as Mastodon's activity weeks go: 0 is today (UTC), 1 the seven days
     * before it, and so on, from {@code since} on. Statuses are local posts, not boosts, deleted
     * ones too (the count is of what was posted); logins are accounts that signed in or were
     * issued a token; registrations are new local accounts.
     */
    record WeekCounts(Map<Integer, Long> statuses, Map<Integer, Long> logins, Map<Integer, Long> registrations) {}

    WeekCounts activity(Handle h, LocalDate today, Instant since) {
        String week = "((CAST(:today AS date) - CAST(%s AT TIME ZONE 'UTC' AS date)) + 6) / 7 AS week";
        Map<Integer, Long> statuses = byWeek(h.createQuery("SELECT " + week.formatted("s.created_at") + """
                        , count(*) AS n
                          FROM statuses s JOIN accounts a ON a.id = s.account_id AND a.domain IS NULL
                         WHERE s.id >= :lowest AND s.reblog_of_id IS NULL AND s.created_at >= :since
                         GROUP BY 1""").bind("lowest", Ids.lowerBound(since)), today, since);
        Map<Integer, Long> logins = byWeek(h.createQuery("SELECT " + week.formatted("l.at") + """
                        , count(DISTINCT l.account_id) AS n
                          FROM (SELECT account_id, created_at AS at FROM web_sessions
                                UNION ALL
                                SELECT account_id, created_at FROM oauth_access_tokens WHERE account_id IS NOT NULL
                                UNION ALL
                                SELECT account_id, last_sign_in_at FROM users WHERE last_sign_in_at IS NOT NULL) l
                         WHERE l.at >= :since
                         GROUP BY 1"""), today, since);
        Map<Integer, Long> registrations = byWeek(h.createQuery("SELECT " + week.formatted("a.created_at") + """
                        , count(*) AS n
                          FROM accounts a WHERE a.domain IS NULL AND a.created_at >= :since
                         GROUP BY 1"""), today, since);
        return new WeekCounts(statuses, logins, registrations);
    }

    private static Map<Integer, Long> byWeek(Query query, LocalDate today, Instant since) {
        return query.bind("today", today).bind("since", since)
                .map((rs, ctx) -> Map.entry(rs.getInt("week"), rs.getLong("n"))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
