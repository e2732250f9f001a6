package social.caravan.notifications;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;

/**
 * Notification policies and requests, as Mastodon 4.3+ has them. {@link NotificationService#notify}
 * asks {@link #verdict} for each notification: a dropped one is never made; a filtered one is kept
 * out of the lists, and a filtered mention opens (or updates) a request for its sender. Accepting a
 * request lets that sender through from then on and brings their filtered notifications back.
 */
final class NotificationPolicies {
    /** The types a policy may filter or drop (Mastodon's filterable notification types). */
    static final Set<String> FILTERABLE = Set.of(NotificationService.MENTION, NotificationService.REBLOG,
            NotificationService.FOLLOW, NotificationService.FOLLOW_REQUEST, NotificationService.FAVOURITE);

    private final Jdbi jdbi;
    private final EventBus bus;
    private final PolicyStore store = new PolicyStore();

    NotificationPolicies(Jdbi jdbi, EventBus bus) {
        this.bus = bus;
        this.jdbi = jdbi;
    }

    /**
     * Accept, filter or drop, in the caller's transaction: the strictest of what the recipient's
     * policy says for each way the sender is a stranger. A sender whose request was accepted, and a
     * mention from someone whose role is above the recipient's, always get through. Accounts of silenced
     * domains are limited: {@code for_limited_accounts} applies to them unless the recipient follows them.
     */
    String verdict(Handle h, long recipientId, long fromId, String type, Long statusId) {
        if (!FILTERABLE.contains(type)) {
            return NotificationPolicy.ACCEPT;
        }
        PolicyStore.Sender sender = store.sender(h, recipientId, fromId);
        boolean mention = type.equals(NotificationService.MENTION);
        if (sender.permitted() || (mention && sender.staff())) {
            return NotificationPolicy.ACCEPT;
        }
        NotificationPolicy policy = store.policy(h, recipientId).orElse(NotificationPolicy.DEFAULT);
        List<String> verdicts = new ArrayList<>();
        if (!sender.followed()) {
            verdicts.add(policy.forNotFollowing());
            if (sender.limited()) {
                verdicts.add(policy.forLimitedAccounts());
            }
            if (sender.newAccount()) {
                verdicts.add(policy.forNewAccounts());
            }
            if (mention && statusId != null && !policy.forPrivateMentions().equals(NotificationPolicy.ACCEPT)
                    && store.unsolicitedPrivateMention(h, recipientId, fromId, statusId)) {
                verdicts.add(policy.forPrivateMentions());
            }
        }
        if (!sender.follower()) {
            verdicts.add(policy.forNotFollowers());
        }
        return NotificationPolicy.strictest(verdicts);
    }

    /** After a filtered mention was kept: its sender's request points at it. */
    void fileRequest(Handle h, long recipientId, long fromId, long statusId) {
        store.fileRequest(h, recipientId, fromId, statusId);
    }

    /** A policy with what its requests hold. */
    record Summarized(NotificationPolicy policy, long pendingRequests, long pendingNotifications) {}

    Summarized policy(long accountId) {
        return jdbi.withHandle(h -> summarized(h, accountId));
    }

    /** Saves the policy with {@code changes} made to it; a value other than accept, filter or drop is a 422. */
    Summarized update(long accountId, UnaryOperator<NotificationPolicy> changes) {
        return jdbi.inTransaction(h -> {
            NotificationPolicy changed = changes.apply(store.policy(h, accountId).orElse(NotificationPolicy.DEFAULT));
            check("For not following", changed.forNotFollowing());
            check("For not followers", changed.forNotFollowers());
            check("For new accounts", changed.forNewAccounts());
            check("For private mentions", changed.forPrivateMentions());
            check("For limited accounts", changed.forLimitedAccounts());
            store.savePolicy(h, accountId, changed);
            return summarized(h, accountId);
        });
    }

    private static void check(String attribute, String value) {
        if (!NotificationPolicy.VALUES.contains(value)) {
            throw ApiException.unprocessable("Validation failed: " + attribute + " is not included in the list");
        }
    }

    private Summarized summarized(Handle h, long accountId) {
        PolicyStore.Summary summary = store.summary(h, accountId);
        return new Summarized(store.policy(h, accountId).orElse(NotificationPolicy.DEFAULT), summary.requests(),
                summary.notifications());
    }

    /** A page of requests, newest first (by when each was opened, as Mastodon pages them). */
    List<NotificationRequest> requests(long accountId, Page page) {
        Window window = Window.of(page);
        return window.newestFirst(jdbi.withHandle(h -> store.requests(h, accountId, window)));
    }

    NotificationRequest request(long accountId, long id) {
        return jdbi.withHandle(h -> store.request(h, accountId, id)).orElseThrow(ApiException::notFound);
    }

    void accept(long accountId, long id) {
        jdbi.useTransaction(h -> {
            NotificationRequest request = store.request(h, accountId, id).orElseThrow(ApiException::notFound);
            store.accept(h, accountId, request.fromAccountId());
            merged(h, accountId);
        });
    }

    /** Accepted notifications are back in the list: apps reload it on this event, as Mastodon's streams say. */
    private void merged(Handle h, long accountId) {
        bus.publish(h, Channels.notifications(accountId), "notifications_merged", "1");
    }

    /** Dismissing throws the request's notifications away; the sender's next mention is filtered again. */
    void dismiss(long accountId, long id) {
        jdbi.useTransaction(h -> {
            NotificationRequest request = store.request(h, accountId, id).orElseThrow(ApiException::notFound);
            store.deleteFiltered(h, accountId, request.fromAccountId());
            store.deleteRequest(h, accountId, request.fromAccountId());
        });
    }

    /** Accepts those of {@code ids} that are the account's requests; others are ignored, as in Mastodon. */
    void acceptAll(long accountId, List<Long> ids) {
        jdbi.useTransaction(h -> {
            List<NotificationRequest> accepted = store.requests(h, accountId, ids);
            for (NotificationRequest request : accepted) {
                store.accept(h, accountId, request.fromAccountId());
            }
            if (!accepted.isEmpty()) {
                merged(h, accountId);
            }
        });
    }

    /**
     * Removes those of {@code ids} that are the account's requests. As Mastodon's bulk dismissal,
     * this removes the requests only: their notifications stay filtered, and count again in the
     * sender's next request.
     */
    void dismissAll(long accountId, List<Long> ids) {
        jdbi.useTransaction(h -> {
            for (NotificationRequest request : store.requests(h, accountId, ids)) {
                store.deleteRequest(h, accountId, request.fromAccountId());
            }
        });
    }
}
