package social.caravan.notifications;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;

/** Notifications: made inside the transaction of the action that causes them, read by the API. */
public final class NotificationService {
    /** Mastodon's notification types that Caravan makes. */
    public static final String MENTION = "mention";
    public static final String STATUS = "status";
    public static final String REBLOG = "reblog";
    public static final String FOLLOW = "follow";
    public static final String FOLLOW_REQUEST = "follow_request";
    public static final String FAVOURITE = "favourite";
    public static final String POLL = "poll";
    public static final String UPDATE = "update";
    public static final String SEVERED_RELATIONSHIPS = "severed_relationships";

    /** Every type Caravan makes: what {@code types[]} and {@code exclude_types[]} choose among. */
    static final List<String> TYPES = List.of(MENTION, STATUS, REBLOG, FOLLOW, FOLLOW_REQUEST, FAVOURITE, POLL, UPDATE,
            SEVERED_RELATIONSHIPS);
    /** The types Mastodon groups (GROUPABLE_NOTIFICATION_TYPES), and what {@code grouped_types[]} defaults to. */
    static final Set<String> GROUPABLE = Set.of(FAVOURITE, REBLOG, FOLLOW);
    /** A group takes new notifications for this many hours from its first (Mastodon's MAXIMUM_GROUP_SPAN_HOURS). */
    static final int MAX_GROUP_SPAN_HOURS = 12;
    /** Acts that can be undone and redone: each has one notification at most, as in Mastodon. */
    private static final Set<String> ONE_PER_ACT = Set.of(MENTION, STATUS, REBLOG, FOLLOW, FOLLOW_REQUEST, FAVOURITE);

    private final Jdbi jdbi;
    private final NotificationStore store = new NotificationStore();
    private final NotificationPolicies policies;
    private final EventBus bus;

    public NotificationService(Jdbi jdbi, EventBus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
        this.policies = new NotificationPolicies(jdbi, bus);
    }

    NotificationPolicies policies() {
        return policies;
    }

    /**
     * Notifies {@code recipient} of what {@code from} did, in the caller's transaction. Nobody is
     * notified of their own actions (but of their own poll's end), nor by someone they block, mute
     * with notifications or whose domain they block, nor about a conversation they muted, as in
     * Mastodon. Favourites and boosts of one status, and follows, group as Mastodon groups them.
     * The recipient's notification policy may drop it, or filter it: kept out of the lists (and of
     * groups), a filtered mention in its sender's request.
     * Unfiltered ones reach the recipient's streams as a {@code notification} event once it commits.
     */
    public void notify(Handle h, long recipient, long from, String type, Long statusId) {
        if (recipient == from && !type.equals(POLL)) {
            return;
        }
        String verdict = policies.verdict(h, recipient, from, type, statusId);
        if (verdict.equals(NotificationPolicy.DROP)) {
            return;
        }
        if (ONE_PER_ACT.contains(type)) {
            // An act undone and done again replaces its notification (Mastodon destroys it with the act).
            store.deleteSame(h, recipient, from, type, statusId);
        }
        boolean filtered = verdict.equals(NotificationPolicy.FILTER);
        Optional<Long> made = store.insert(h, recipient, from, type, statusId,
                filtered ? null : groupKey(h, recipient, type, statusId), filtered);
        if (made.isPresent() && filtered && type.equals(MENTION) && statusId != null) {
            policies.fileRequest(h, recipient, from, statusId);
        }
        if (made.isPresent() && !filtered) {
            bus.publish(h, Channels.notifications(recipient), "notification", Long.toString(made.get()));
        }
    }

    /**
     * Tells {@code recipient} that a severance event ({@code eventId}, an operator's domain suspension)
     * ended {@code followers} of its followers and {@code following} of its follows, in the caller's
     * transaction, once per event. As on Mastodon it is never filtered by a policy, and it names the
     * recipient as its account. False when it was told already.
     */
    public boolean severedRelationships(Handle h, long recipient, long eventId, int followers, int following) {
        Optional<Long> recorded = store.insertSeveranceEvent(h, recipient, eventId, followers, following);
        if (recorded.isEmpty()) {
            return false;
        }
        long made = store.insertSevered(h, recipient, recorded.get());
        bus.publish(h, Channels.notifications(recipient), "notification", Long.toString(made));
        return true;
    }

    /**
     * Forgets what a remote account whose content is purged caused: its notifications to anyone and
     * the notification requests it opened.
     */
    public void purgeFrom(long accountId) {
        jdbi.useTransaction(h -> store.deleteFrom(h, accountId));
    }

    /** The severance events of {@code severed_relationships} notifications, by record id. */
    Map<Long, SeveranceEvent> severanceEvents(List<Long> ids) {
        return ids.isEmpty() ? Map.of() : jdbi.withHandle(h -> store.severanceEvents(h, ids));
    }

    /**
     * Mastodon's group key: type (and status) plus the hour the group began. A notification joins
     * the recipient's latest group of its kind while that group is under twelve hours old.
     */
    private String groupKey(Handle h, long recipient, String type, Long statusId) {
        String prefix = switch (type) {
            case FAVOURITE, REBLOG -> statusId == null ? null : type + "-" + statusId;
            case FOLLOW -> FOLLOW;
            default -> null;
        };
        if (prefix == null) {
            return null;
        }
        long hour = Instant.now().getEpochSecond() / 3600;
        List<String> open = LongStream.rangeClosed(hour - MAX_GROUP_SPAN_HOURS + 1, hour)
                .mapToObj(bucket -> prefix + "-" + bucket).toList();
        return store.latestGroupKey(h, recipient, open).orElse(prefix + "-" + hour);
    }

    /**
     * Which notifications a listing shows: some types, for v1 optionally one sender, and the
     * filtered ones too when asked ({@code include_filtered}) or when the listing is one sender's.
     */
    record Filter(Set<String> types, Long fromAccountId, boolean includeFiltered) {
        /**
         * As Mastodon's {@code browserable}: unknown types are ignored, so asking only for unknown
         * ones shows nothing; excluded types come off what is left.
         */
        static Filter of(List<String> types, List<String> excludeTypes, Long fromAccountId, boolean includeFiltered) {
            Set<String> chosen = new LinkedHashSet<>(types.isEmpty() ? TYPES : types);
            chosen.retainAll(TYPES);
            excludeTypes.forEach(chosen::remove);
            return new Filter(Set.copyOf(chosen), fromAccountId, includeFiltered || fromAccountId != null);
        }
    }

    /** {@code grouped_types[]}: the groupable types asked for, or all of them when none are. */
    static Set<String> groupedTypes(List<String> asked) {
        if (asked.isEmpty()) {
            return GROUPABLE;
        }
        Set<String> grouped = new HashSet<>(asked);
        grouped.retainAll(GROUPABLE);
        return grouped;
    }

    /** A page of notifications, newest first. */
    List<Notification> page(long accountId, Filter filter, Page page) {
        List<Notification> found = jdbi.withHandle(h -> store.list(h, accountId, filter, lower(page), upper(page),
                page.forward(), page.limit()));
        return page.forward() ? found.reversed() : found;
    }

    Optional<Notification> find(long accountId, long id) {
        return jdbi.withHandle(h -> store.find(h, accountId, id));
    }

    /** How many notifications came after {@code lastReadId} (all when null), counting at most {@code cap}. */
    int unreadCount(long accountId, Filter filter, Long lastReadId, int cap) {
        return jdbi.withHandle(h -> store.count(h, accountId, filter, lastReadId == null ? 0 : lastReadId,
                cap));
    }

    void dismiss(long accountId, long id) {
        if (!jdbi.inTransaction(h -> store.delete(h, accountId, id))) {
            throw ApiException.notFound();
        }
    }

    void clear(long accountId) {
        jdbi.useTransaction(h -> store.clear(h, accountId));
    }

    /** A group as the API shows it: the notification that stands for it, and what the group counts. */
    record Group(String key, Notification notification, long count, long mostRecentId, List<Long> sampleAccountIds,
                 Span span) {}

    /** Where a group sits on a page of groups (Mastodon's page_min_id, page_max_id, latest_page_notification_at). */
    record Span(long minId, long maxId, Instant latestAt) {}

    /**
     * A page of groups, newest first. As Mastodon pages them: the cursor is a notification id, and
     * each group appears once per page, with its notifications counted up to the page's newest.
     */
    List<Group> groupedPage(long accountId, Filter filter, Set<String> grouped, Page page) {
        return jdbi.withHandle(h -> {
            List<Notification> firsts = firstOfEachGroup(h, accountId, filter, grouped, lower(page), upper(page),
                    page.forward(), page.limit());
            if (firsts.isEmpty()) {
                return List.of();
            }
            List<Notification> newestFirst = page.forward() ? firsts.reversed() : firsts;
            // The ids the page covers; a page that ran out reaches to the end it ran into.
            long lo = newestFirst.getLast().id();
            long hi = newestFirst.getFirst().id();
            if (firsts.size() < page.limit()) {
                if (page.forward()) {
                    hi = page.maxId().isPresent() ? page.maxId().getAsLong() - 1 : Long.MAX_VALUE;
                } else {
                    lo = page.sinceId().isPresent() ? page.sinceId().getAsLong() + 1 : 0;
                }
            }
            return groups(h, accountId, newestFirst, grouped, lo, hi, true);
        });
    }

    /** One group by its key ({@code ungrouped-<id>} included), counted whole. */
    Optional<Group> group(long accountId, String key) {
        return jdbi.withHandle(h -> store.inGroup(h, accountId, key, 0, Long.MAX_VALUE, false, 1).stream()
                .flatMap(n -> groups(h, accountId, List.of(n), GROUPABLE, 0, Long.MAX_VALUE, false).stream())
                .findFirst());
    }

    /** A page of a group's notifications, newest first: who is in the group. */
    List<Notification> groupMembers(long accountId, String key, Page page) {
        List<Notification> found = jdbi.withHandle(h -> store.inGroup(h, accountId, key, lower(page), upper(page),
                page.forward(), page.limit()));
        return page.forward() ? found.reversed() : found;
    }

    /** Mastodon answers a dismissal of an unknown group with success: there is nothing left to dismiss. */
    void dismissGroup(long accountId, String key) {
        jdbi.useTransaction(h -> store.deleteGroup(h, accountId, key));
    }

    /** How many groups have notifications after {@code lastReadId} (all when null), counting at most {@code cap}. */
    int unreadGroupCount(long accountId, Filter filter, Set<String> grouped, Long lastReadId, int cap) {
        return jdbi.withHandle(h -> firstOfEachGroup(h, accountId, filter, grouped, lastReadId == null ? 0 : lastReadId,
                Long.MAX_VALUE, true, cap).size());
    }

    /**
     * Walks the notifications between the bounds and keeps the first of each group met, until
     * {@code limit} groups are found: Mastodon's {@code paginate_groups}, in batches.
     */
    private List<Notification> firstOfEachGroup(Handle h, long accountId, Filter filter, Set<String> grouped, long lower,
                                                long upper, boolean oldestFirst, int limit) {
        Map<String, Notification> firsts = new LinkedHashMap<>();
        int batch = 2 * limit;
        while (true) {
            List<Notification> found = store.list(h, accountId, filter, lower, upper, oldestFirst, batch);
            for (Notification n : found) {
                firsts.putIfAbsent(n.groupKeyFor(grouped), n);
                if (firsts.size() == limit) {
                    return List.copyOf(firsts.values());
                }
            }
            if (found.size() < batch) {
                return List.copyOf(firsts.values());
            }
            if (oldestFirst) {
                lower = found.getLast().id();
            } else {
                upper = found.getLast().id();
            }
        }
    }

    /** Groups for the notifications standing for them, counted over the ids {@code lo} to {@code hi}. */
    private List<Group> groups(Handle h, long accountId, List<Notification> notifications, Set<String> grouped, long lo,
                               long hi, boolean paged) {
        List<String> keys = notifications.stream().filter(n -> n.groupedBy(grouped)).map(Notification::groupKey).toList();
        Map<String, NotificationStore.GroupData> data = store.groupData(h, accountId, keys, lo, hi);
        List<Group> groups = new ArrayList<>();
        for (Notification n : notifications) {
            if (!n.groupedBy(grouped)) {
                groups.add(new Group(Notification.ungrouped(n.id()), n, 1, n.id(), List.of(n.fromAccountId()),
                        paged ? new Span(n.id(), n.id(), n.createdAt()) : null));
                continue;
            }
            NotificationStore.GroupData d = data.get(n.groupKey());
            if (d != null) {
                groups.add(new Group(n.groupKey(), n, d.count(), d.mostRecentId(), d.sampleAccountIds(),
                        paged ? new Span(d.minId() == null ? n.id() : d.minId(), d.mostRecentId(), d.latestAt()) : null));
            }
        }
        return groups;
    }

    /** The exclusive lower id bound of a page: min_id when paging forward, else since_id. */
    private static long lower(Page page) {
        if (page.forward()) {
            return page.minId().getAsLong();
        }
        return page.sinceId().orElse(0);
    }

    private static long upper(Page page) {
        return page.maxId().orElse(Long.MAX_VALUE);
    }
}
