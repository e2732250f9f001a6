package social.caravan.scheduled;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.polls.PollService;
import social.caravan.statuses.StatusService;

/**
 * Posts kept for later, with Mastodon's rules: at least five minutes ahead, at most 300 waiting and
 * 25 on one (UTC) day per account. Each waits as a queue job due at its time, which posts it through
 * {@link StatusService#create} as if the author posted then.
 */
public final class ScheduledStatusService {
    /** The job that publishes one scheduled status. */
    public static final String PUBLISH_JOB = "statuses.publish_scheduled";

    /** The job's payload: which status, and the time it was due when the job was made. */
    public record Publish(long scheduledStatusId, Instant scheduledAt) {}

    static final Duration MIN_OFFSET = Duration.ofMinutes(5);
    static final int TOTAL_LIMIT = 300;
    static final int DAILY_LIMIT = 25;

    private static final Logger log = LoggerFactory.getLogger(ScheduledStatusService.class);

    private final Jdbi jdbi;
    private final ScheduledStatusStore store = new ScheduledStatusStore();
    private final StatusService statuses;
    private final PollService polls;
    private final JobQueue queue;
    private final Clock clock;

    public ScheduledStatusService(Jdbi jdbi, StatusService statuses, PollService polls, JobQueue queue, Clock clock) {
        this.jdbi = jdbi;
        this.statuses = statuses;
        this.polls = polls;
        this.queue = queue;
        this.clock = clock;
    }

    /** Checks the post as posting would, then keeps it until {@code at}. */
    public ScheduledStatus schedule(long authorId, StatusService.NewPost post, Instant at) {
        StatusService.Checked checked = statuses.check(authorId, post);
        if (post.inReplyToId() != null) {
            try {
                statuses.get(post.inReplyToId(), authorId);
            } catch (ApiException notVisible) {
                throw ApiException.unprocessable(StatusService.REPLY_NOT_FOUND);
            }
        }
        Instant due = at.truncatedTo(ChronoUnit.MILLIS);
        PollService.Later poll = post.poll() == null ? null : polls.later(post.poll());
        ScheduledParams params = new ScheduledParams(post.text(), poll, null, post.sensitive(),
                checked.visibility().key(), null, null, post.spoilerText(), post.applicationId(), post.inReplyToId(),
                post.language(), false);
        return jdbi.inTransaction(h -> {
            checkTime(h, authorId, due, 0);
            long id = store.insert(h, authorId, due, params);
            enqueue(h, id, due);
            return store.find(h, id).orElseThrow();
        });
    }

    public List<ScheduledStatus> page(long accountId, Window window) {
        return jdbi.withHandle(h -> store.page(h, accountId, window));
    }

    /** 404 unless it is the account's own. */
    public ScheduledStatus get(long accountId, long id) {
        return jdbi.withHandle(h -> store.find(h, accountId, id)).orElseThrow(ApiException::notFound);
    }

    /** Moves the time; the job made for the old time will find it moved and leave it to the new one. */
    public ScheduledStatus reschedule(long accountId, long id, Instant at) {
        Instant due = at.truncatedTo(ChronoUnit.MILLIS);
        return jdbi.inTransaction(h -> {
            ScheduledStatus found = store.find(h, accountId, id).orElseThrow(ApiException::notFound);
            if (found.scheduledAt().equals(due)) {
                return found;
            }
            checkTime(h, accountId, due, id);
            store.reschedule(h, id, due);
            enqueue(h, id, due);
            return store.find(h, id).orElseThrow();
        });
    }

    public void cancel(long accountId, long id) {
        jdbi.useTransaction(h -> {
            store.find(h, accountId, id).orElseThrow(ApiException::notFound);
            store.delete(h, id);
        });
    }

    /**
     * The job: posts the status if it is still due at the time the job was made for (not cancelled,
     * not moved, not published already), then forgets it. The post carries an idempotency key of
     * its own, so a job run twice (delivery is at least once) still posts once. A post that can no
     * longer be made (its reply target is gone) is dropped, as Mastodon drops it.
     */
    public void publish(Publish job) {
        Optional<ScheduledStatus> due = jdbi.withHandle(h -> store.find(h, job.scheduledStatusId()));
        if (due.isEmpty() || !due.get().scheduledAt().equals(job.scheduledAt())) {
            return;
        }
        ScheduledStatus scheduled = due.get();
        ScheduledParams p = scheduled.params();
        try {
            statuses.create(scheduled.accountId(), new StatusService.NewPost(p.text(), p.spoilerText(), p.sensitive(),
                    p.visibility(), p.language(), p.inReplyToId(), "scheduled:" + scheduled.id(), p.applicationId(),
                    p.poll() == null ? null : p.poll().draft()));
        } catch (ApiException refused) {
            log.info("scheduled status {} dropped: {}", scheduled.id(), refused.getMessage());
        }
        jdbi.useHandle(h -> store.delete(h, scheduled.id()));
    }

    private void checkTime(Handle h, long accountId, Instant at, long exceptId) {
        if (!at.isAfter(clock.instant().plus(MIN_OFFSET))) {
            throw ApiException.unprocessable("Validation failed: Scheduled at The scheduled date must be in the future");
        }
        store.lockAccount(h, accountId);
        if (store.count(h, accountId, exceptId) >= TOTAL_LIMIT) {
            throw ApiException.unprocessable("Validation failed: You have exceeded the limit of " + TOTAL_LIMIT
                    + " scheduled posts");
        }
        if (store.countOnDay(h, accountId, at, exceptId) >= DAILY_LIMIT) {
            throw ApiException.unprocessable("Validation failed: You have exceeded the limit of " + DAILY_LIMIT
                    + " scheduled posts for today");
        }
    }

    /** One job per (status, time): a new time gets a job of its own. */
    private void enqueue(Handle h, long id, Instant at) {
        queue.enqueue(h, Queues.DEFAULT, PUBLISH_JOB, new Publish(id, at), at,
                "scheduled-status:" + id + ":" + at.toEpochMilli());
    }
}
