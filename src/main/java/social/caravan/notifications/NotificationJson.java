package social.caravan.notifications;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;

/**
 * How notifications and notification groups render in the Mastodon client API. Statuses render
 * through {@link StatusService}, so a status the recipient may no longer see is never shown: its
 * notification is left out instead.
 */
public final class NotificationJson {
    /** The types whose notifications carry the status they are about. */
    static final Set<String> STATUS_TYPES = Set.of(NotificationService.FAVOURITE, NotificationService.REBLOG,
            NotificationService.STATUS, NotificationService.MENTION, NotificationService.POLL, NotificationService.UPDATE);

    private final NotificationService notifications;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final StatusService statuses;
    private final StatusFilters filters;

    NotificationJson(NotificationService notifications, AccountService accounts, AccountJson accountJson,
                     StatusService statuses, StatusFilters filters) {
        this.notifications = notifications;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.statuses = statuses;
        this.filters = filters;
    }

    /** Mastodon's Notification entity; {@code status} only for the types about one, {@code event} for severed relationships. */
    public record NotificationView(String id, String type, Instant createdAt, String groupKey, AccountJson.AccountView account,
                            @JsonInclude(JsonInclude.Include.NON_NULL) StatusJson.StatusView status,
                            @JsonInclude(JsonInclude.Include.NON_NULL) EventView event) {}

    /** Mastodon's RelationshipSeveranceEvent, as it renders what one account lost to it. */
    public record EventView(String id, String type, boolean purged, String targetName, int followersCount,
                            int followingCount, Instant createdAt) {}

    /** Mastodon's NotificationGroup; the page fields only on a page of groups, {@code status_id} only for status types. */
    record GroupView(String groupKey, long notificationsCount, String type, long mostRecentNotificationId,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String pageMinId,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String pageMaxId,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Instant latestPageNotificationAt,
                     List<String> sampleAccountIds,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String statusId,
                     @JsonInclude(JsonInclude.Include.NON_NULL) EventView event) {}

    /** What {@code expand_accounts=partial_avatars} shows of the accounts not rendered in full. */
    record PartialAccountView(String id, String acct, boolean locked, boolean bot, String url, String avatar,
                              String avatarStatic) {}

    /** Mastodon's GroupedNotificationsResults: each account and status once, the groups referring to them by id. */
    record GroupedView(List<AccountJson.AccountView> accounts,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<PartialAccountView> partialAccounts,
                       List<StatusJson.StatusView> statuses, List<GroupView> notificationGroups) {}

    List<NotificationView> render(List<Notification> notifications, long viewer) {
        Map<Long, AccountJson.AccountView> senders = accounts(notifications.stream().map(Notification::fromAccountId).toList());
        Map<Long, StatusJson.StatusView> shown = statuses(notifications.stream().map(Notification::statusId).toList(), viewer);
        Map<Long, EventView> events = events(notifications);
        List<NotificationView> views = new ArrayList<>();
        for (Notification n : notifications) {
            AccountJson.AccountView sender = senders.get(n.fromAccountId());
            StatusJson.StatusView status = n.statusId() == null ? null : shown.get(n.statusId());
            if (sender == null || (STATUS_TYPES.contains(n.type()) && status == null)) {
                continue;
            }
            views.add(new NotificationView(Long.toString(n.id()), n.type(), n.createdAt(),
                    n.groupKey() == null ? Notification.ungrouped(n.id()) : n.groupKey(), sender,
                    STATUS_TYPES.contains(n.type()) ? status : null, events.get(n.severanceEventId())));
        }
        return views;
    }

    /** The severance events the notifications tell of, rendered, by record id. */
    private Map<Long, EventView> events(List<Notification> shown) {
        List<Long> ids = shown.stream().map(Notification::severanceEventId).filter(Objects::nonNull).distinct().toList();
        Map<Long, EventView> views = new HashMap<>();
        notifications.severanceEvents(ids).forEach((id, e) -> views.put(id, new EventView(Long.toString(e.id()), e.type(),
                e.purged(), e.targetName(), e.followersCount(), e.followingCount(), e.createdAt())));
        return views;
    }

    /**
     * The groups with their accounts and statuses. With {@code partialAvatars}, only each group's
     * most recent account is rendered in full, the other samples as partial accounts (Mastodon's
     * {@code expand_accounts=partial_avatars}).
     */
    GroupedView render(List<NotificationService.Group> groups, long viewer, boolean partialAvatars) {
        Map<Long, StatusJson.StatusView> shown = statuses(groups.stream().map(g -> g.notification().statusId()).toList(), viewer);
        List<NotificationService.Group> kept = groups.stream().filter(g -> !STATUS_TYPES.contains(g.notification().type())
                || shown.containsKey(g.notification().statusId())).toList();
        Map<Long, AccountJson.AccountView> samples = accounts(kept.stream().flatMap(g -> g.sampleAccountIds().stream()).toList());

        Set<Long> full = new LinkedHashSet<>();
        Set<Long> partial = new LinkedHashSet<>();
        for (NotificationService.Group g : kept) {
            List<Long> ids = g.sampleAccountIds().stream().filter(samples::containsKey).toList();
            if (!partialAvatars) {
                full.addAll(ids);
            } else if (!ids.isEmpty()) {
                full.add(ids.getFirst());
                partial.addAll(ids.subList(1, ids.size()));
            }
        }
        partial.removeAll(full);

        Map<Long, EventView> events = events(kept.stream().map(NotificationService.Group::notification).toList());
        List<GroupView> views = kept.stream().map(g -> view(g, samples, events)).toList();
        List<StatusJson.StatusView> statusViews = kept.stream().map(g -> g.notification().statusId())
                .filter(Objects::nonNull).distinct().map(shown::get).filter(Objects::nonNull).toList();
        return new GroupedView(full.stream().map(samples::get).toList(),
                partialAvatars ? partial.stream().map(samples::get).map(NotificationJson::partial).toList() : null,
                statusViews, views);
    }

    private static GroupView view(NotificationService.Group g, Map<Long, AccountJson.AccountView> samples,
                                  Map<Long, EventView> events) {
        Notification n = g.notification();
        NotificationService.Span span = g.span();
        return new GroupView(g.key(), g.count(), n.type(), g.mostRecentId(),
                span == null ? null : Long.toString(span.minId()), span == null ? null : Long.toString(span.maxId()),
                span == null ? null : span.latestAt(),
                g.sampleAccountIds().stream().filter(samples::containsKey).map(String::valueOf).toList(),
                STATUS_TYPES.contains(n.type()) ? Long.toString(n.statusId()) : null, events.get(n.severanceEventId()));
    }

    private static PartialAccountView partial(AccountJson.AccountView a) {
        return new PartialAccountView(a.id(), a.acct(), a.locked(), a.bot(), a.url(), a.avatar(), a.avatarStatic());
    }

    /** Mastodon's NotificationRequest; {@code last_status} null when there is none the viewer may see. */
    record RequestView(String id, Instant createdAt, Instant updatedAt, String notificationsCount,
                       AccountJson.AccountView account, StatusJson.StatusView lastStatus) {}

    /** The requests whose sender still exists, in their order. */
    List<RequestView> requests(List<NotificationRequest> requests, long viewer) {
        Map<Long, AccountJson.AccountView> senders = accounts(requests.stream().map(NotificationRequest::fromAccountId).toList());
        Map<Long, StatusJson.StatusView> shown = statuses(requests.stream().map(NotificationRequest::lastStatusId).toList(),
                viewer);
        return requests.stream().filter(r -> senders.containsKey(r.fromAccountId()))
                .map(r -> new RequestView(Long.toString(r.id()), r.createdAt(), r.updatedAt(),
                        Long.toString(r.notificationsCount()), senders.get(r.fromAccountId()),
                        r.lastStatusId() == null ? null : shown.get(r.lastStatusId())))
                .toList();
    }

    /** The accounts of {@code ids}, in their order. */
    List<AccountJson.AccountView> accountList(List<Long> ids) {
        Map<Long, AccountJson.AccountView> byId = accounts(ids);
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    private Map<Long, AccountJson.AccountView> accounts(List<Long> ids) {
        Map<Long, AccountJson.AccountView> byId = new HashMap<>();
        for (Account a : accounts.findAll(ids.stream().distinct().toList())) {
            byId.put(a.id(), accountJson.render(a));
        }
        return byId;
    }

    /**
     * The statuses the viewer may see among {@code ids}, rendered with their filters, by id. One a
     * {@code hide} filter of the notifications context matches is left out, and so its notification.
     */
    private Map<Long, StatusJson.StatusView> statuses(List<Long> ids, long viewer) {
        List<Long> distinct = ids.stream().filter(Objects::nonNull).distinct().toList();
        Map<Long, StatusJson.StatusView> byId = new HashMap<>();
        if (distinct.isEmpty()) {
            return byId;
        }
        for (StatusJson.StatusView view : filters.apply(viewer, StatusFilters.Context.NOTIFICATIONS,
                statuses.viewsOf(distinct, viewer))) {
            byId.put(Long.parseLong(view.id()), view);
        }
        return byId;
    }
}
