package social.caravan.federation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for the instance's domain blocks. */
final class DomainBlockStore {
    private static final String COLUMNS = "domain, severity, reject_media, created_at";

    void upsert(Handle h, String domain, DomainBlock.Severity severity, boolean rejectMedia) {
        h.createUpdate("""
                        INSERT INTO domain_blocks (domain, severity, reject_media) VALUES (:domain, :severity, :reject)
                        ON CONFLICT (domain) DO UPDATE SET severity = excluded.severity,
                               reject_media = excluded.reject_media, updated_at = now()""")
                .bind("domain", domain).bind("severity", severity.key()).bind("reject", rejectMedia).execute();
    }

    /** The severity of the block of exactly {@code domain}, if any, locked until the transaction ends. */
    Optional<DomainBlock.Severity> severityForUpdate(Handle h, String domain) {
        return h.createQuery("SELECT severity FROM domain_blocks WHERE domain = :domain FOR UPDATE")
                .bind("domain", domain).mapTo(String.class).findOne().map(DomainBlock.Severity::parse);
    }

    boolean delete(Handle h, String domain) {
        return h.createUpdate("DELETE FROM domain_blocks WHERE domain = :domain").bind("domain", domain).execute() > 0;
    }

    List<DomainBlock> list(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM domain_blocks ORDER BY domain").map((rs, ctx) -> block(rs)).list();
    }

    /** The most specific block among {@code domains} (a host and its parent domains, longest first). */
    private static DomainBlock block(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new DomainBlock(rs.getString("domain"), DomainBlock.Severity.parse(rs.getString("severity")),
                rs.getBoolean("reject_media"), rs.getTimestamp("created_at").toInstant());
    }
}
