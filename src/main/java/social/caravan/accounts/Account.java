package social.caravan.accounts;

import java.time.Instant;
import java.util.List;

/**
 * A person's public profile. Local accounts have no domain and no {@code remote}; {@code role} is null
 * for remote ones, whose {@code note} is sanitized HTML (a local note is plain text). {@code movedToAccountId}:
 * the account it moved to (a confirmed Move), else null.
 */
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
        Stats stats,
        Remote remote,
        Long movedToAccountId) {

    /** What the account's profile counts. */
    public record Stats(long statuses, long followers, long following, Instant lastStatusAt) {
        /** An account that has not been counted yet. */
        public static final Stats NONE = new Stats(0, 0, 0, null);
    }

    /** A profile metadata row: plain text for local accounts, sanitized HTML values for remote ones. */
    public record Field(String name, String value) {}

    /**
     * Where a remote account's actor lives and how to reach it (null for local accounts). URLs are
     * the ones its server published; {@code fetchedAt} is when the actor document was last read;
     * {@code emojis} the custom emoji of its name and profile, as rendered JSON (null: none).
     */
    public record Remote(String uri, String url, String actorType, String inbox, String sharedInbox, String outbox,
                         String followers, String following, String featured, String keyId, String avatarUrl,
                         String headerUrl, Instant fetchedAt, String emojis) {}

    public boolean local() {
        return domain == null;
    }

    public Account withStats(Stats counted) {
        return new Account(id, username, domain, displayName, note, fields, locked, bot, discoverable, indexable,
                hideCollections, publicKey, createdAt, updatedAt, role, counted, remote, movedToAccountId);
    }
}
