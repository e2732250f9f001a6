package social.caravan.statuses;

import java.time.Instant;

/**
 * Keeps a post for later: what {@code POST /api/v1/statuses} does with a {@code scheduled_at} in the
 * future. The scheduled statuses room implements it (an interface here keeps the dependency
 * one-way) and returns the ScheduledStatus to answer with.
 */
public interface PostScheduler {
    Object schedule(long authorId, StatusService.NewPost post, Instant scheduledAt);
}
