package social.caravan.statuses;

import java.util.Locale;

/**
 * Who may see a status. {@link #SQL_VISIBLE} is the one policy every listing, lookup, count and
 * thread applies, so private and direct posts can only ever reach the people they were meant for.
 */
public enum Visibility {
    PUBLIC, UNLISTED, PRIVATE, DIRECT;

    /**
     * A status row {@code s} the viewer {@code :viewer} (0 when signed out) may see: public and
     * unlisted ones unless the author blocks the viewer; private ones by the author's followers;
     * anything by its author and by the accounts it mentions.
     */
    public static final String SQL_VISIBLE = visibleTo("s");

    /** {@link #SQL_VISIBLE} for a status row under another alias (a boost's original, say). */
    public static String visibleTo(String row) {
        return """
                (%1$s.deleted_at IS NULL AND (
                    %1$s.account_id = :viewer
                 OR (%1$s.visibility IN ('public', 'unlisted') AND NOT EXISTS (
                        SELECT 1 FROM blocks vb WHERE vb.account_id = %1$s.account_id AND vb.target_account_id = :viewer))
                 OR (%1$s.visibility = 'private' AND EXISTS (
                        SELECT 1 FROM follows vf WHERE vf.account_id = :viewer AND vf.target_account_id = %1$s.account_id))
                 OR EXISTS (SELECT 1 FROM mentions vm WHERE vm.status_id = %1$s.id AND vm.account_id = :viewer)))""".formatted(row);
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a visibility as apps send it; null when it is none of the four. */
    public static Visibility parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "public" -> PUBLIC;
            case "unlisted" -> UNLISTED;
            case "private" -> PRIVATE;
            case "direct" -> DIRECT;
            default -> null;
        };
    }
}
