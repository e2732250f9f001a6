package social.caravan.federation;

import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Handle;
import social.caravan.accounts.ProfileEvents;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.polls.PollEvents;
import social.caravan.relationships.RelationshipEvents;
import social.caravan.reports.Report;
import social.caravan.reports.ReportEvents;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusEvents;
import social.caravan.tags.TagEvents;

/**
 * Where local acts that other servers should hear of arrive, inside the transaction that makes them:
 * each becomes a {@link #PUBLISH_JOB} on the push queue, committed with the act. The job
 * ({@link Publisher}) renders the activity and queues one delivery per inbox; rendering needs the
 * committed rows, so it cannot happen here.
 */
public final class Outbox implements StatusEvents, RelationshipEvents, ProfileEvents, ReportEvents, PollEvents, TagEvents {
    public static final String PUBLISH_JOB = "federation.publish";

    /** What to publish: {@code kind} names the activity; the ids it needs (statuses, accounts), and a Follow's id. */
    public record Publish(String kind, long actorId, Long statusId, Long targetId, String uri) {}

    static final String CREATE = "create";
    static final String UPDATE = "update";
    static final String DELETE = "delete";
    static final String LIKE = "like";
    static final String UNDO_LIKE = "undo_like";
    static final String ANNOUNCE = "announce";
    static final String UNDO_ANNOUNCE = "undo_announce";
    static final String FOLLOW = "follow";
    static final String UNDO_FOLLOW = "undo_follow";
    static final String ACCEPT = "accept";
    static final String REJECT = "reject";
    static final String BLOCK = "block";
    static final String UNDO_BLOCK = "undo_block";
    static final String UPDATE_ACTOR = "update_actor";
    static final String FLAG = "flag";
    static final String VOTE = "vote";
    static final String PIN = "pin";
    static final String UNPIN = "unpin";
    static final String FEATURE_TAG = "feature_tag";
    static final String UNFEATURE_TAG = "unfeature_tag";
    static final String POLL_COUNTS = "poll_counts";
    /** New counts of a poll go out at most this often, as Mastodon waits before it distributes them. */
    static final Duration POLL_COUNTS_DELAY = Duration.ofMinutes(3);

    private final JobQueue queue;

    public Outbox(JobQueue queue) {
        this.queue = queue;
    }

    private void publish(Handle h, String kind, long actorId, Long statusId, Long targetId, String uri) {
        queue.enqueue(h, Queues.PUSH, PUBLISH_JOB, new Publish(kind, actorId, statusId, targetId, uri));
    }

    @Override
    public void posted(Handle h, Status status) {
        publish(h, CREATE, status.accountId(), status.id(), null, null);
    }

    @Override
    public void edited(Handle h, Status status) {
        publish(h, UPDATE, status.accountId(), status.id(), null, null);
    }

    @Override
    public void deleted(Handle h, Status status) {
        publish(h, DELETE, status.accountId(), status.id(), null, null);
    }

    @Override
    public void favourited(Handle h, long accountId, Status status, boolean undone) {
        publish(h, undone ? UNDO_LIKE : LIKE, accountId, status.id(), null, null);
    }

    @Override
    public void reblogged(Handle h, Status reblog, boolean undone) {
        publish(h, undone ? UNDO_ANNOUNCE : ANNOUNCE, reblog.accountId(), reblog.id(), null, null);
    }

    @Override
    public void pinned(Handle h, Status status, boolean undone) {
        publish(h, undone ? UNPIN : PIN, status.accountId(), status.id(), null, null);
    }

    /** {@code uri} carries the hashtag's name. */
    @Override
    public void featured(Handle h, long accountId, String name, boolean undone) {
        publish(h, undone ? UNFEATURE_TAG : FEATURE_TAG, accountId, null, null, name);
    }

    @Override
    public void followRequested(Handle h, long followerId, long targetId, String uri) {
        publish(h, FOLLOW, followerId, null, targetId, uri);
    }

    @Override
    public void unfollowed(Handle h, long followerId, long targetId, String uri) {
        publish(h, UNDO_FOLLOW, followerId, null, targetId, uri);
    }

    @Override
    public void followAnswered(Handle h, long followerId, long targetId, String uri, boolean accepted) {
        publish(h, accepted ? ACCEPT : REJECT, targetId, null, followerId, uri);
    }

    @Override
    public void blocked(Handle h, long accountId, long targetId, boolean undone) {
        publish(h, undone ? UNDO_BLOCK : BLOCK, accountId, null, targetId, null);
    }

    @Override
    public void profileChanged(Handle h, long accountId) {
        publish(h, UPDATE_ACTOR, accountId, null, null, null);
    }

    /**
     * {@code targetId} carries the option's index. Queued for every vote: whether the poll is remote is
     * the publisher's to judge (it sends nothing for local polls).
     */
    @Override
    public void voted(Handle h, long voterId, long statusId, int choice) {
        publish(h, VOTE, voterId, statusId, (long) choice, null);
    }

    /**
     * One Update of the poll per {@link #POLL_COUNTS_DELAY} at most (a later vote finds the update queued),
     * and at once when it ends; the publisher sends nothing for a remote poll.
     */
    @Override
    public void counted(Handle h, long authorId, long statusId, boolean ended) {
        queue.enqueue(h, Queues.PUSH, PUBLISH_JOB, new Publish(POLL_COUNTS, authorId, statusId, null, null),
                ended ? null : Instant.now().plus(POLL_COUNTS_DELAY), "poll-counts:" + statusId);
    }

    /** {@code targetId} carries the report's id. */
    @Override
    public void forwarded(Handle h, Report report) {
        publish(h, FLAG, report.accountId(), null, report.id(), null);
    }
}
