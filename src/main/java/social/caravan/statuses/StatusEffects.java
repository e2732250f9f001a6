package social.caravan.statuses;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.cache.Invalidations;
import social.caravan.notifications.NotificationService;

/**
 * What local and remote acts on statuses share, inside the acting transaction: dropping what they
 * changed from the caches, the streams a status shows on, what a deletion changes, and who is local.
 */
final class StatusEffects {
    private final StatusStore store;
    private final AccountService accounts;
    private final NotificationService notifications;
    private final Invalidations invalidations;
    private final EventBus bus;
    private final DirectStatuses directStatuses;

    StatusEffects(StatusStore store, AccountService accounts, NotificationService notifications,
                  Invalidations invalidations, EventBus bus, DirectStatuses directStatuses) {
        this.store = store;
        this.accounts = accounts;
        this.notifications = notifications;
        this.invalidations = invalidations;
        this.bus = bus;
        this.directStatuses = directStatuses;
    }

    /**
     * What an act changed, dropped from this process's caches as soon as it commits: a status (its
     * counts or body) and the acting account's flags. Other processes hear of it from the triggers.
     */
    void changed(Handle h, long statusId, long actorId) {
        invalidations.changedOnCommit(h, StatusService.STATUS, statusId);
        invalidations.changedOnCommit(h, StatusService.VIEWER, actorId);
    }

    /**
     * The public streams a public post appears on, as Mastodon broadcasts it: its hashtags' streams,
     * and the public ones unless it replies to someone else; the local or the remote ones by its origin.
     */
    static List<String> publicChannels(Status status, java.util.Collection<String> tags, boolean local) {
        List<String> channels = new ArrayList<>();
        for (String tag : tags) {
            channels.add(Channels.hashtag(tag, false));
            if (local) {
                channels.add(Channels.hashtag(tag, true));
            }
        }
        if (status.inReplyToAccountId() == null || status.inReplyToAccountId() == status.accountId()) {
            channels.add(Channels.PUBLIC);
            channels.add(local ? Channels.PUBLIC_LOCAL : Channels.PUBLIC_REMOTE);
        }
        return channels;
    }

    /**
     * Every stream that may show a status, for its {@code delete} and {@code status.update} events:
     * the public ones (when public), the author's, followers' and mentioned accounts' home
     * streams and the lists holding the author. Each viewer's stream re-checks what it shows.
     */
    List<String> streamsShowing(Handle h, Status status) {
        StatusStore.Audience audience = store.audience(h, status.id(), status.accountId());
        List<String> channels = new ArrayList<>();
        if (status.visibility() == Visibility.PUBLIC && status.reblogOfId() == null && !store.silenced(h, status.accountId())) {
            channels.addAll(publicChannels(status, audience.tags(), isLocal(h, status.accountId())));
        }
        channels.add(Channels.home(status.accountId()));
        if (status.visibility() != Visibility.DIRECT) {
            audience.followers().forEach(f -> channels.add(Channels.home(f)));
            audience.lists().forEach(l -> channels.add(Channels.list(l)));
        }
        store.mentioned(h, status.id()).forEach(m -> channels.add(Channels.home(m)));
        return channels;
    }

    /** What deleting a status changes: the row (and boosts of it), counts, conversations. */
    void deleted(Handle h, Status status) {
        long id = status.id();
        long authorId = status.accountId();
        store.markDeleted(h, id);
        changed(h, id, authorId);
        if (status.inReplyToId() != null) {
            store.addReply(h, status.inReplyToId(), -1);
            changed(h, status.inReplyToId(), authorId);
        }
        if (status.reblogOfId() != null) {
            store.addReblog(h, status.reblogOfId(), -1);
            changed(h, status.reblogOfId(), authorId);
        }
        accounts.countStatus(h, authorId, -1);
        if (status.visibility() == Visibility.DIRECT) {
            directStatuses.deleted(h, status);
        }
        bus.publish(h, streamsShowing(h, status), "delete", Long.toString(id));
    }

    /** Whether an account is this server's (from the account cache, read with the caller's handle when missed). */
    boolean isLocal(Handle h, long accountId) {
        return accounts.findAll(h, List.of(accountId)).stream().anyMatch(Account::local);
    }

    /** The local accounts among {@code ids}: only they get notifications. */
    List<Long> locals(Handle h, List<Long> ids) {
        if (ids.isEmpty()) {
            return ids;
        }
        Set<Long> local = new HashSet<>();
        accounts.findAll(h, ids).stream().filter(Account::local).forEach(a -> local.add(a.id()));
        return ids.stream().filter(local::contains).toList();
    }

    void notifyLocal(Handle h, long recipient, long from, String type, long statusId) {
        if (isLocal(h, recipient)) {
            notifications.notify(h, recipient, from, type, statusId);
        }
    }
}
