package social.caravan.core.ids;

import java.time.Instant;

/**
 * Ids are 64-bit and time-ordered: {@code (epoch milliseconds << 16) | sequence}, so paging by id
 * is paging by time. New ids come from the database function {@code next_id()} (one sequence
 * shared by every process); this class reads them and makes time bounds for queries.
 */
public final class Ids {
    private Ids() {}

    /** The smallest id that could have been made at {@code time}. */
    public static long lowerBound(Instant time) {
        return time.toEpochMilli() << 16;
    }

    public static Instant timeOf(long id) {
        return Instant.ofEpochMilli(id >>> 16);
    }

    /** Parses an id as clients send it; empty when it is not a positive 64-bit number. */
    public static java.util.OptionalLong parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            return java.util.OptionalLong.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return java.util.OptionalLong.empty();
            }
        }
        try {
            return java.util.OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }
}
