package social.caravan.scheduled;

import java.time.Instant;
import java.util.List;

/**
 * What a scheduled post will be posted with, stored as JSON and shown as Mastodon shows it:
 * {@code scheduled_at} and {@code idempotency} always null, {@code with_rate_limit} false, ids as
 * numbers. Media and polls do not exist here yet, so those stay null.
 */
public record ScheduledParams(String text, Object poll, List<String> mediaIds, Boolean sensitive, String visibility,
                              String idempotency, Instant scheduledAt, String spoilerText, Long applicationId,
                              Long inReplyToId, String language, boolean withRateLimit) {}
