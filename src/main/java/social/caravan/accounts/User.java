package social.caravan.accounts;

import java.time.Instant;

/** The sign-in side of a local account: credentials, role, state and posting defaults. */
public record User(
        long accountId,
        String email,
        String passwordHash,
        Role role,
        boolean approved,
        boolean disabled,
        String locale,
        String defaultPrivacy,
        boolean defaultSensitive,
        String defaultLanguage,
        Instant createdAt) {

    /** Why this user may not act through the API yet, in Mastodon's words; null when they may. */
    public String loginBlocked() {
        return loginBlocked(approved, disabled);
    }

    public static String loginBlocked(boolean approved, boolean disabled) {
        if (disabled) {
            return "Your login is currently disabled";
        }
        if (!approved) {
            return "Your login is currently pending approval";
        }
        return null;
    }
}
