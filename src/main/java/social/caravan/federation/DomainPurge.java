package social.caravan.federation;

import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.notifications.NotificationService;

/**
 * The job a domain suspension queues ({@link DomainBlocks#block}): purges every account of the domain and
 * its subdomains that the blocks suspend ({@link AccountPurge}, each in short transactions), recording
 * under the block's severance event which follows it ended with local accounts, then gives each local
 * account that lost followers or follows one {@code severed_relationships} notification. Every step does
 * only what is left to do, so a job that died midway runs again safely, and a second run changes nothing.
 */
public final class DomainPurge {
    private static final Logger log = LoggerFactory.getLogger(DomainPurge.class);
    public static final String JOB = "federation.purge_domain";
    /** Accounts read at a time, and local accounts notified per transaction. */
    static final int CHUNK = 100;

    /** The job's payload: the blocked domain (normalized) and the severance event of its block. */
    public record Job(String domain, long eventId) {}

    private final Jdbi jdbi;
    private final PurgeStore store = new PurgeStore();
    private final AccountPurge purge;
    private final NotificationService notifications;

    public DomainPurge(Jdbi jdbi, AccountPurge purge, NotificationService notifications) {
        this.jdbi = jdbi;
        this.purge = purge;
        this.notifications = notifications;
    }

    public void run(Job job) {
        int accounts = 0;
        int statuses = 0;
        long after = 0;
        for (List<Long> chunk = next(job.domain(), after); !chunk.isEmpty(); chunk = next(job.domain(), after)) {
            for (long accountId : chunk) {
                statuses += purge.purgeInChunks(accountId,
                        (h, severed) -> store.recordSevered(h, job.eventId(), accountId, severed)).statuses();
                accounts++;
            }
            after = chunk.getLast();
        }
        int told = 0;
        List<PurgeStore.Lost> lost = jdbi.withHandle(h -> store.lost(h, job.eventId()));
        for (int from = 0; from < lost.size(); from += CHUNK) {
            List<PurgeStore.Lost> some = lost.subList(from, Math.min(from + CHUNK, lost.size()));
            told += jdbi.inTransaction(h -> (int) some.stream().filter(l -> notifications.severedRelationships(h,
                    l.accountId(), job.eventId(), l.followers(), l.following())).count());
        }
        log.info("purged {} accounts of the suspended {} ({} statuses); {} local accounts told of severed relationships",
                accounts, job.domain(), statuses, told);
    }

    /**
     * The next accounts of the domain, read from the database rather than the blocks' cache, which may
     * not have heard of the block yet when the job starts.
     */
    private List<Long> next(String domain, long after) {
        return jdbi.withHandle(h -> store.suspendedAccounts(h, domain, after, CHUNK));
    }
}
