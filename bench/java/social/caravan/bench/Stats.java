package social.caravan.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of latencies in nanoseconds, printed in milliseconds. */
final class Stats {
    private Stats() {}

    static String line(String label, long[] nanos) {
        if (nanos.length == 0) {
            return label + ": no samples";
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format(Locale.ROOT, "%-40s n=%-6d mean %6.2f ms  p50 %6.2f ms  p90 %6.2f ms  p99 %7.2f ms  max %7.2f ms",
                label, sorted.length, mean / 1e6, at(sorted, 50) / 1e6, at(sorted, 90) / 1e6, at(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    static double percentileMillis(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return at(sorted, p) / 1e6;
    }

    static double meanMillis(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(0) / 1e6;
    }

    /** Nearest-rank percentile of sorted values. */
    static long at(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
