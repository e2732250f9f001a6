package social.caravan.scheduled;

import java.time.Instant;
import java.util.List;
import social.caravan.polls.PollService;

/**
 * What a scheduled post will be posted with, stored as JSON and shown as Mastodon shows it:
 * {@code scheduled_at} and {@code idempotency} always null, {@code with_rate_limit} false, ids as
 * numbers. Media does not exist here yet, so {@code media_ids} stays null.
 */
public record ScheduledParams(String text, PollService.Later poll, List<String> mediaIds, Boolean sensitive, String visibility,
                              String idempotency, Instant scheduledAt, String spoilerText, Long applicationId,
                              Long inReplyToId, String language, boolean withRateLimit) {}
