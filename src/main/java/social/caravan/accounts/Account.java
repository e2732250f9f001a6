package social.caravan.accounts;

import java.time.Instant;
import java.util.List;

/** A person's public profile. Local accounts have no domain; {@code role} is null for remote ones. */
public record Account(
        long id,
        String username,
        String domain,
        String displayName,
        String note,
        List<Field> fields,
        boolean locked,
        boolean bot,
        boolean discoverable,
        boolean indexable,
        boolean hideCollections,
        String publicKey,
        Instant createdAt,
        Instant updatedAt,
        Role role,
        Stats stats) {

    /** What the account's profile counts. */
    public record Stats(long statuses, long followers, long following, Instant lastStatusAt) {}

    /** A profile metadata row, as entered (plain text). */
    public record Field(String name, String value) {}

    public boolean local() {
        return domain == null;
    }
}
