package social.caravan.core.http;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fixed-window request counters, the way Mastodon's rack-attack counts: a window is aligned to
 * the epoch, and its end is the reset time. Kept in this process's memory.
 */
public final class RateLimiter {
    public record Decision(boolean allowed, int limit, int remaining, Instant reset) {}

    private record Window(String key, int periodSeconds, long index) {
        boolean endedBy(long second) {
            return (index + 1) * periodSeconds <= second;
        }
    }

    private final Map<Window, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile long lastSweepSecond;

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    public Decision hit(String key, int limit, int periodSeconds) {
        long nowSecond = clock.instant().getEpochSecond();
        long index = nowSecond / periodSeconds;
        sweep(nowSecond);
        int count = counts.computeIfAbsent(new Window(key, periodSeconds, index), w -> new AtomicInteger()).incrementAndGet();
        Instant reset = Instant.ofEpochSecond((index + 1) * periodSeconds);
        return new Decision(count <= limit, limit, Math.max(0, limit - count), reset);
    }

    /** Drops windows that have ended, at most once a minute. */
    private void sweep(long nowSecond) {
        if (nowSecond - lastSweepSecond < 60) {
            return;
        }
        lastSweepSecond = nowSecond;
        counts.keySet().removeIf(window -> window.endedBy(nowSecond));
    }
}
