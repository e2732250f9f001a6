package social.caravan.federation;

import java.util.List;
import org.jdbi.v3.core.Handle;
import social.caravan.relationships.RelationshipService;

/** SQL for domain purges: severance events, the follows they ended, the accounts they cover. */
final class PurgeStore {
    /** What one local account lost to an event. */
    record Lost(long accountId, int followers, int following) {}

    /** A new domain_block event for {@code domain}; its id. */
    long insertDomainEvent(Handle h, String domain) {
        return h.createQuery("""
                        INSERT INTO relationship_severance_events (type, target_name) VALUES ('domain_block', :domain)
                        RETURNING id""")
                .bind("domain", domain).mapTo(Long.class).one();
    }

    /**
     * Up to {@code limit} remote accounts after {@code after} (by id) on {@code domain} or under it whose
     * most specific block is a suspension (a subdomain's own milder block keeps its accounts), as
     * {@link DomainBlocks} matches: hosts without their port.
     */
    List<Long> suspendedAccounts(Handle h, String domain, long after, int limit) {
        return h.createQuery("""
                        SELECT a.id
                          FROM accounts a
                         CROSS JOIN LATERAL (SELECT lower(regexp_replace(a.domain, ':[0-9]+$', '')) AS host) d
                         WHERE a.domain IS NOT NULL AND a.id > :after
                           AND (d.host = :domain OR d.host LIKE '%.' || :domain)
                           AND (SELECT b.severity FROM domain_blocks b
                                 WHERE d.host = b.domain OR d.host LIKE '%.' || b.domain
                                 ORDER BY length(b.domain) DESC LIMIT 1) = 'suspend'
                         ORDER BY a.id LIMIT :limit""")
                .bind("domain", domain).bind("after", after).bind("limit", limit).mapTo(Long.class).list();
    }

    /** Records the follows a purge of {@code remoteId} ended, under the event (again: no change). */
    void recordSevered(Handle h, long eventId, long remoteId, List<RelationshipService.Severed> severed) {
        if (severed.isEmpty()) {
            return;
        }
        h.createUpdate("""
                        INSERT INTO severed_relationships
                               (relationship_severance_event_id, local_account_id, remote_account_id, direction)
                        SELECT :event, s.local, :remote, CASE WHEN s.following THEN 'active' ELSE 'passive' END
                          FROM unnest(:locals, :following) AS s (local, following)
                        ON CONFLICT DO NOTHING""")
                .bind("event", eventId).bind("remote", remoteId)
                .bind("locals", severed.stream().map(RelationshipService.Severed::localAccountId).toArray(Long[]::new))
                .bind("following", severed.stream().map(RelationshipService.Severed::following).toArray(Boolean[]::new))
                .execute();
    }

    /** Per local account, the followers (passive) and follows (active) the event ended, by account. */
    List<Lost> lost(Handle h, long eventId) {
        return h.createQuery("""
                        SELECT local_account_id,
                               count(*) FILTER (WHERE direction = 'passive') AS followers,
                               count(*) FILTER (WHERE direction = 'active') AS following
                          FROM severed_relationships WHERE relationship_severance_event_id = :event
                         GROUP BY local_account_id ORDER BY local_account_id""")
                .bind("event", eventId)
                .map((rs, ctx) -> new Lost(rs.getLong("local_account_id"), rs.getInt("followers"), rs.getInt("following")))
                .list();
    }
}
