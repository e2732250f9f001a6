package social.caravan.timelines;

import social.caravan.core.db.Window;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;

/**
 * Home feeds, filled on write as Mastodon fills them: fan-out of each new status and boost, a
 * rebuild when a reader returns after {@code activeDays}, a merge when someone follows.
 */
public final class FeedService {
    /** Rebuilds a returning reader's feed; GET /api/v1/timelines/home answers 206 until it is done. */
    public static final String REBUILD_JOB = "timelines.rebuild_home";
    /** Brings a newly followed account's recent statuses into the follower's feed (Mastodon's MergeWorker). */
    public static final String MERGE_JOB = "timelines.merge";

    public record Rebuild(long accountId) {}

    public record Merge(long accountId, long targetAccountId) {}

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

    public FeedService(Jdbi jdbi, NotificationService notifications, JobQueue queue, int activeDays) {
        this.jdbi = jdbi;
        this.notifications = notifications;
        this.queue = queue;
        this.activeDays = activeDays;
    }

    /**
     * Puts a new status or boost into its author's feed and its followers' feeds, and notifies the
     * followers who asked to be, in one transaction. Running it again changes nothing.
     */
    public void fanout(long statusId) {
        jdbi.useTransaction(h -> store.post(h, statusId).ifPresent(post -> {
            // As Mastodon: posts notify, boosts and replies to others do not; direct ones notify by mention already.
            boolean notifies = post.reblogOfId() == null && !post.visibility().equals("direct")
                    && (post.inReplyToAccountId() == null || post.inReplyToAccountId() == post.accountId());
            List<FeedStore.Followup> followups = new ArrayList<>(
                    store.fanout(h, post, notifies, activeDays, RECENT_ENTRIES, TRIM_AT));
            // Followed hashtags: a public post (not a boost) also reaches the followers of its tags.
            if (post.reblogOfId() == null && post.visibility().equals("public")) {
                followups.addAll(store.fanoutToTagFollowers(h, post, activeDays, TRIM_AT));
            }
            for (FeedStore.Followup f : followups) {
                if (f.notifyOfPost()) {
                    notifications.notify(h, f.accountId(), post.accountId(), NotificationService.STATUS, post.id());
                }
            }
            List<Long> full = followups.stream().filter(FeedStore.Followup::trim).map(FeedStore.Followup::accountId).toList();
            if (!full.isEmpty()) {
                store.trim(h, full, MAX_ENTRIES);
            }
        }));
    }

    /** Fills a returning reader's feed from their own and their follows' newest statuses. */
    public void rebuild(long accountId) {
        jdbi.useTransaction(h -> {
            fill(h, accountId, null);
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

    private void fill(Handle h, long accountId, Long target) {
        if (store.fill(h, accountId, target, PER_ACCOUNT, MAX_ENTRIES) >= TRIM_AT) {
            store.trim(h, List.of(accountId), MAX_ENTRIES);
        }
    }

    /** A page of the home feed; {@code partial} while it is being rebuilt. */
    record Home(List<Long> entryIds, boolean partial) {}

    /**
     * Reading home is what makes an account active. A reader back after the active days (or
     * reading for the first time) gets what the feed holds now and a rebuild; otherwise the read
     * is recorded at most once a day, so a busy reader costs no write per request.
     */
    Home home(long viewer, Window window) {
        return jdbi.inTransaction(h -> {
            FeedStore.State state = store.state(h, viewer, activeDays).orElse(new FeedStore.State(false, false, false));
            if (!state.active()) {
                store.startRebuild(h, viewer);
            } else if (!state.readToday()) {
                store.markRead(h, viewer);
            }
            boolean partial = !state.active() || state.rebuilding();
            if (partial) {
                // A no-op while the rebuild is queued or running; brings it back if its job died.
                queue.enqueue(h, Queues.DEFAULT, REBUILD_JOB, new Rebuild(viewer), null, "rebuild_home:" + viewer);
            }
            return new Home(store.page(h, viewer, window), partial);
        });
    }
}
