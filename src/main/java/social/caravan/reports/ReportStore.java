package social.caravan.reports;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for reports. */
final class ReportStore {
    private static final String COLUMNS = """
            id, account_id, target_account_id, status_ids, rule_ids, comment, category, forwarded, action_taken_at,
            created_at""";

    Report insert(Handle h, long accountId, long targetId, List<Long> statusIds, List<Long> ruleIds, String comment,
                  String category, Long applicationId, boolean forwarded) {
        return h.createQuery("INSERT INTO reports (account_id, target_account_id, status_ids, rule_ids, comment, category,"
                        + " application_id, forwarded) VALUES (:account, :target, :statuses, :rules, :comment, :category,"
                        + " :application, :forwarded) RETURNING " + COLUMNS)
                .bind("forwarded", forwarded)
                .bind("account", accountId)
                .bind("target", targetId)
                .bind("statuses", statusIds.toArray(Long[]::new))
                .bindByType("rules", ruleIds == null ? null : ruleIds.toArray(Long[]::new), Long[].class)
                .bind("comment", comment)
                .bind("category", category)
                .bindByType("application", applicationId, Long.class)
                .map((rs, ctx) -> report(rs)).one();
    }

    List<Report> newest(Handle h, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM reports ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> report(rs)).list();
    }

    private static Report report(ResultSet rs) throws SQLException {
        java.sql.Array rules = rs.getArray("rule_ids");
        Timestamp actionTakenAt = rs.getTimestamp("action_taken_at");
        return new Report(rs.getLong("id"), rs.getLong("account_id"), rs.getLong("target_account_id"),
                List.of((Long[]) rs.getArray("status_ids").getArray()), rules == null ? null : List.of((Long[]) rules.getArray()),
                rs.getString("comment"), rs.getString("category"), rs.getBoolean("forwarded"),
                actionTakenAt == null ? null : actionTakenAt.toInstant(), rs.getTimestamp("created_at").toInstant());
    }

    Optional<Report> find(Handle h, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM reports WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> report(rs)).findOne();
    }
}
