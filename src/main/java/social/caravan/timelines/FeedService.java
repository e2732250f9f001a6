package social.caravan.timelines;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.db.HeldBack;
import social.caravan.core.db.Window;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;

/**
 * Home feeds, filled on write as Mastodon fills them: fan-out of each new status and boost, a
 * rebuild when a reader returns after {@code activeDays}, a merge when someone follows. List feeds
 * are filled beside them, by the same fan-out, rebuild and merges.
 */
public final class FeedService {
    /** Rebuilds a returning reader's feed; GET /api/v1/timelines/home answers 206 until it is done. */
    public static final String REBUILD_JOB = "timelines.rebuild_home";
    /** Brings a newly followed account's recent statuses into the follower's feed (Mastodon's MergeWorker). */
    public static final String MERGE_JOB = "timelines.merge";

    public record Rebuild(long accountId) {}

    public record Merge(long accountId, long targetAccountId) {}

    /** Brings an account just added to a list's recent statuses into the list feed (Mastodon's MergeWorker for lists). */
    public static final String MERGE_LIST_JOB = "timelines.merge_list";

    public record MergeList(long listId, long accountId) {}

    /** Mastodon keeps 400 entries per home feed. */
    static final int MAX_ENTRIES = 400;
    /**
     * A feed is cut back to 400 once it holds 440: cutting needs a 400-entry probe, which at every
     * insert would cost that probe per follower per post.
     */
    static final int TRIM_AT = 440;
    /** A boost is left out when its original or another boost of it is among this many newest entries (Mastodon's REBLOG_FALLOFF). */
    static final int RECENT_ENTRIES = 40;
    /** How many statuses of each followed account a rebuild looks at (Mastodon: half the feed). */
    static final int PER_ACCOUNT = MAX_ENTRIES / 2;

    private final Jdbi jdbi;
    private final FeedStore store = new FeedStore();
    private final NotificationService notifications;
    private final JobQueue queue;
    private final int activeDays;
    private final EventBus bus;

    /** The statuses whose fan-out waits for the end of a {@link #fanoutLast}. */
    private final HeldBack<Long> heldBack = new HeldBack<>();

    public FeedService(Jdbi jdbi, NotificationService notifications, JobQueue queue, int activeDays, EventBus bus) {
        this.jdbi = jdbi;
        this.notifications = notifications;
        this.queue = queue;
        this.activeDays = activeDays;
        this.bus = bus;
    }

    /**
     * Puts a new status or boost into its author's feed and its followers' feeds, and notifies the
     * followers who asked to be, in one transaction; the feeds that took it, home and lists, get an
     * {@code update} on the bus. Running it again changes nothing.
     */
    public void fanout(long statusId) {
        jdbi.useTransaction(h -> fanout(h, List.of(statusId)));
    }

    /**
     * The fan-out of {@link #fanout(long)} in the caller's transaction; held back to the end of it
     * while the transaction is inside {@link #fanoutLast}. For posts: the statuses of one fan-out do
     * not see each other's entries, which the rules for boosts look at (boosts go through
     * {@link #fanout(long)}, one at a time).
     */
    public void fanoutInTransaction(Handle h, long statusId) {
        if (!heldBack.hold(h, statusId)) {
            fanout(h, List.of(statusId));
        }
    }

    /**
     * Runs {@code work} in the caller's transaction, then the fan-outs it asked for, all together: a
     * statement for the home feeds of all the posts, one for the lists. A transaction that stores many
     * statuses then locks feed rows only after every other row it changes, so two of them cannot each
     * hold what the other waits for (a busy reader's feed row, an author's counts).
     */
    public void fanoutLast(Handle h, Runnable work) {
        List<Long> held = heldBack.collect(h, work);
        if (!held.isEmpty()) {
            fanout(h, held);
        }
    }

    /**
     * Home feeds and lists of all the statuses in a statement each, hashtag followers for the public
     * posts with tags, then each status's notifications and stream events, and the trims.
     */
    private void fanout(Handle h, List<Long> statusIds) {
        long[] ids = statusIds.stream().mapToLong(Long::longValue).toArray();
        Map<Long, List<FeedStore.Followup>> followups = new HashMap<>();
        Map<Long, Long> authors = new HashMap<>();
        for (FeedStore.Delivery d : store.fanout(h, ids, activeDays, RECENT_ENTRIES, TRIM_AT)) {
            followups.computeIfAbsent(d.statusId(), k -> new ArrayList<>()).add(d.followup());
            authors.put(d.statusId(), d.authorId());
        }
        // The lists that hold the author take it too, by their own rules.
        Map<Long, List<FeedStore.FedList>> lists = new HashMap<>();
        for (FeedStore.ListDelivery d : store.listFanout(h, ids, activeDays, RECENT_ENTRIES, TRIM_AT)) {
            lists.computeIfAbsent(d.statusId(), k -> new ArrayList<>()).add(d.list());
        }
        Set<Long> tagged = Set.copyOf(store.taggedPublic(h, ids));
        List<FeedStore.Followup> all = new ArrayList<>();
        List<FeedStore.FedList> allLists = new ArrayList<>();
        for (long id : statusIds) {
            List<FeedStore.Followup> fed = new ArrayList<>(followups.getOrDefault(id, List.of()));
            // Followed hashtags: a public post (not a boost) also reaches the followers of its tags.
            if (tagged.contains(id)) {
                store.post(h, id).ifPresent(post -> fed.addAll(store.fanoutToTagFollowers(h, post, activeDays, TRIM_AT)));
            }
            finish(h, id, authors.getOrDefault(id, 0L), fed, lists.getOrDefault(id, List.of()));
            all.addAll(fed);
            allLists.addAll(lists.getOrDefault(id, List.of()));
        }
        trim(h, all, allLists);
    }

    /** Trims the feeds and lists that reached the trim size, each once. */
    private void trim(Handle h, List<FeedStore.Followup> followups, List<FeedStore.FedList> lists) {
        List<Long> full = followups.stream().filter(FeedStore.Followup::trim).map(FeedStore.Followup::accountId)
                .distinct().toList();
        if (!full.isEmpty()) {
            store.trim(h, full, MAX_ENTRIES);
        }
        List<Long> fullLists = lists.stream().filter(FeedStore.FedList::trim).map(FeedStore.FedList::listId)
                .distinct().toList();
        if (!fullLists.isEmpty()) {
            store.trimLists(h, fullLists, MAX_ENTRIES);
        }
    }

    /**
     * What follows a post's fan-out: its notifications, and an {@code update} on the streams of the
     * feeds and lists that hold it.
     */
    private void finish(Handle h, long statusId, long authorId, List<FeedStore.Followup> followups,
                        List<FeedStore.FedList> lists) {
        for (FeedStore.Followup f : followups) {
            if (f.notifyOfPost()) {
                notifications.notify(h, f.accountId(), authorId, NotificationService.STATUS, statusId);
            }
        }
        List<String> channels = new ArrayList<>();
        followups.stream().filter(FeedStore.Followup::fed).forEach(f -> channels.add(Channels.home(f.accountId())));
        List<Long> unsure = followups.stream().filter(f -> !f.fed()).map(FeedStore.Followup::accountId).toList();
        if (!unsure.isEmpty()) {
            store.holding(h, statusId, unsure).forEach(a -> channels.add(Channels.home(a)));
        }
        lists.stream().filter(FeedStore.FedList::fed).forEach(l -> channels.add(Channels.list(l.listId())));
        List<Long> unsureLists = lists.stream().filter(l -> !l.fed()).map(FeedStore.FedList::listId).toList();
        if (!unsureLists.isEmpty()) {
            store.listsHolding(h, statusId, unsureLists).forEach(l -> channels.add(Channels.list(l)));
        }
        bus.publish(h, channels, "update", Long.toString(statusId));
    }

    /** Fills a returning reader's feed from their own and their follows' newest statuses, and their lists' feeds. */
    public void rebuild(long accountId) {
        jdbi.useTransaction(h -> {
            fill(h, accountId, null);
            for (long listId : store.listsOf(h, accountId)) {
                fillList(h, listId, accountId, null);
            }
            store.endRebuild(h, accountId);
        });
    }

    /** Adds a newly followed account's recent statuses to an active follower's feed. */
    public void merge(long accountId, long targetAccountId) {
        jdbi.useTransaction(h -> {
            if (store.state(h, accountId, activeDays).filter(FeedStore.State::active).isPresent()) {
                fill(h, accountId, targetAccountId);
            }
        });
    }

    /** Adds a list member's recent statuses to the list feed, when its owner is active and it is still a member. */
    public void mergeList(long listId, long accountId) {
        jdbi.useTransaction(h -> store.listOwner(h, listId)
                .filter(owner -> store.state(h, owner, activeDays).filter(FeedStore.State::active).isPresent())
                .ifPresent(owner -> fillList(h, listId, owner, accountId)));
    }

    /** Takes the statuses of accounts removed from a list out of its feed, in the caller's transaction. */
    public void unmergeFromList(Handle h, long listId, List<Long> accountIds) {
        store.unmergeFromList(h, listId, accountIds);
    }

    /** A page of a list's feed for its owner; the caller has checked the ownership. */
    public List<Long> listFeed(long listId, long owner, Window window) {
        return jdbi.withHandle(h -> store.listPage(h, listId, owner, window));
    }

    private void fillList(Handle h, long listId, long owner, Long member) {
        if (store.fillList(h, listId, owner, member, PER_ACCOUNT, MAX_ENTRIES) >= TRIM_AT) {
            store.trimLists(h, List.of(listId), MAX_ENTRIES);
        }
    }

    private void fill(Handle h, long accountId, Long target) {
        if (store.fill(h, accountId, target, PER_ACCOUNT, MAX_ENTRIES) >= TRIM_AT) {
            store.trim(h, List.of(accountId), MAX_ENTRIES);
        }
    }

    /**
     * An open user stream counts as reading home, as Mastodon counts any signed-in activity: the
     * feed is kept filled, or rebuilt for a reader who was away.
     */
    public void activate(long accountId) {
        FeedStore.State state = jdbi.withHandle(h -> store.state(h, accountId, activeDays))
                .orElse(new FeedStore.State(false, false, false));
        if (!state.active() || !state.readToday()) {
            touch(accountId, state);
        }
    }

    private void touch(long viewer, FeedStore.State state) {
        boolean partial = !state.active() || state.rebuilding();
        jdbi.useTransaction(h -> {
            if (!state.active()) {
                store.startRebuild(h, viewer);
            } else if (!state.readToday()) {
                store.markRead(h, viewer);
            }
            if (partial) {
                // A no-op while the rebuild is queued or running; brings it back if its job died.
                queue.enqueue(h, Queues.DEFAULT, REBUILD_JOB, new Rebuild(viewer), null, "rebuild_home:" + viewer);
            }
        });
    }

    /** A page of the home feed; {@code partial} while it is being rebuilt. */
    record Home(List<Long> entryIds, boolean partial) {}

    /**
     * Reading home is what makes an account active. A reader back after the active days (or
     * reading for the first time) gets what the feed holds now and a rebuild; otherwise the read
     * is recorded at most once a day, so a busy reader costs one statement and no write.
     */
    Home home(long viewer, Window window) {
        FeedStore.Read read = jdbi.withHandle(h -> store.read(h, viewer, window, activeDays));
        FeedStore.State state = read.state();
        boolean partial = !state.active() || state.rebuilding();
        if (partial || !state.readToday()) {
            touch(viewer, state);
        }
        return new Home(read.entryIds(), partial);
    }
}
