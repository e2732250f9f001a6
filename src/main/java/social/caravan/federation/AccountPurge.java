package social.caravan.federation;

import java.util.List;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.AccountService;
import social.caravan.notifications.NotificationService;
import social.caravan.polls.PollService;
import social.caravan.relationships.RelationshipService;
import social.caravan.statuses.StatusService;

/**
 * Removes what a remote account stored here, as Mastodon's DeleteAccountService does for a remote account,
 * keeping the account's row: its statuses (posts and boosts, which leave feeds, streams and counts as a
 * Delete of each does), its favourites and poll votes (the counts fall), its follows and follow requests
 * both ways (counted; its list memberships and endorsements rest on the follows and go with them), and
 * the notifications it caused. Each room does its part through its service; nothing is sent to the
 * account's server. Used for a remote actor's Delete of itself, for each account of a suspended domain, and
 * for a local account before its rows are deleted ({@link ActorDeletion}; its own Delete is what federates).
 */
public final class AccountPurge {
    /** Statuses deleted per transaction by {@link #purgeInChunks}. */
    static final int STATUSES_PER_TRANSACTION = 500;

    /** What a purge removed: statuses, and the follows it ended with local accounts. */
    public record Purged(int statuses, List<RelationshipService.Severed> severed) {}

    private final Jdbi jdbi;
    private final AccountService accounts;
    private final StatusService statuses;
    private final PollService polls;
    private final RelationshipService relationships;
    private final NotificationService notifications;

    public AccountPurge(Jdbi jdbi, AccountService accounts, StatusService statuses, PollService polls,
                        RelationshipService relationships, NotificationService notifications) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.statuses = statuses;
        this.polls = polls;
        this.relationships = relationships;
        this.notifications = notifications;
    }

    /**
     * Everything in one transaction: the caller's when it has one open (an inbox batch's, whose held-back
     * counts, fan-outs and stream events the rooms' calls join), else its own.
     */
    public Purged purge(long accountId) {
        return jdbi.inTransaction(h -> rest(accountId, statuses.deleteAllRemote(accountId)));
    }

    /** A remote actor that deleted itself: purged, and its key forgotten, so nothing signed with it is taken later. */
    public Purged purgeDeleted(long accountId) {
        return jdbi.inTransaction(h -> {
            Purged purged = purge(accountId);
            accounts.forgetKey(accountId);
            return purged;
        });
    }

    /**
     * The same in short transactions, for a purge that runs outside any (a domain's): the statuses
     * {@link #STATUSES_PER_TRANSACTION} at a time, then the rest in one, in which {@code record} gets what
     * was severed. Each step deletes only what is left, so a purge that died midway can run again.
     */
    Purged purgeInChunks(long accountId, BiConsumer<Handle, List<RelationshipService.Severed>> record) {
        int deleted = 0;
        int last;
        do {
            last = statuses.deleteSomeRemote(accountId, STATUSES_PER_TRANSACTION);
            deleted += last;
        } while (last == STATUSES_PER_TRANSACTION);
        int statusCount = deleted;
        return jdbi.inTransaction(h -> {
            Purged purged = rest(accountId, statusCount);
            record.accept(h, purged.severed());
            return purged;
        });
    }

    /** After the statuses (whose deletion reaches the followers' streams while they still follow): the rest. */
    private Purged rest(long accountId, int statusCount) {
        statuses.withdrawFavouritesRemote(accountId);
        polls.withdrawVotes(accountId);
        List<RelationshipService.Severed> severed = relationships.severRemote(accountId);
        notifications.purgeFrom(accountId);
        return new Purged(statusCount, severed);
    }
}
