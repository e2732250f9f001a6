package social.caravan.scheduled;

import java.time.Instant;

/** A post kept until {@code scheduledAt}, with what it will be posted with. */
public record ScheduledStatus(long id, long accountId, Instant scheduledAt, ScheduledParams params) {}
