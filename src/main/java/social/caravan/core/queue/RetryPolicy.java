package social.caravan.core.queue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often a failing job is tried, and how long it waits in between: exponential backoff with
 * jitter, {@code n^4 + 15 + random(0..10) * (n + 1)} seconds before retry n + 1, the curve Sidekiq
 * (and so Mastodon) uses. The default, 25 retries (26 attempts), spans about three weeks; 16
 * retries span about two days.
 */
public record RetryPolicy(int maxAttempts) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(26);
    public static final RetryPolicy NEVER = new RetryPolicy(1);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait after the given failed attempt (1 for the first). */
    public static Duration backoff(int attempts) {
        long n = Math.max(0, attempts - 1);
        long jitter = ThreadLocalRandom.current().nextLong(11) * (n + 1);
        return Duration.ofSeconds(n * n * n * n + 15 + jitter);
    }
}
