package social.caravan.accounts;

import java.util.Locale;

/**
 * Mastodon's default roles, with its ids and permission bit sets. Everyone also holds the
 * permissions of the base role (invite_users), and the administrator flag implies every flag, as
 * Mastodon computes them. Staff roles are highlighted (shown on profiles), as Mastodon seeds them.
 */
public enum Role {
    USER("-99", "", 0, false),
    MODERATOR("1", "Moderator", Permissions.MODERATOR, true),
    ADMIN("2", "Admin", Permissions.ADMIN, true),
    OWNER("3", "Owner", Permissions.ALL, true);

    private final String id;
    private final String displayName;
    private final long permissions;
    private final boolean highlighted;

    Role(String id, String displayName, long permissions, boolean highlighted) {
        this.id = id;
        this.displayName = displayName;
        this.permissions = permissions | Permissions.INVITE_USERS;
        this.highlighted = highlighted;
    }

    public static Role parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    public long permissions() {
        return permissions;
    }

    public boolean highlighted() {
        return highlighted;
    }

    /** Mastodon's permission flags (UserRole::FLAGS). */
    static final class Permissions {
        static final long ADMINISTRATOR = 1L;
        static final long VIEW_DEVOPS = 1L << 1;
        static final long VIEW_AUDIT_LOG = 1L << 2;
        static final long VIEW_DASHBOARD = 1L << 3;
        static final long MANAGE_REPORTS = 1L << 4;
        static final long MANAGE_TAXONOMIES = 1L << 8;
        static final long MANAGE_USERS = 1L << 10;
        static final long INVITE_USERS = 1L << 16;
        /** The twenty flags, administrator through delete_user_data. */
        static final long ALL = (1L << 20) - 1;
        static final long MODERATOR = VIEW_DASHBOARD | VIEW_AUDIT_LOG | MANAGE_USERS | MANAGE_REPORTS | MANAGE_TAXONOMIES;
        /** Every flag but administrator and view_devops. */
        static final long ADMIN = ALL & ~ADMINISTRATOR & ~VIEW_DEVOPS;

        private Permissions() {}
    }
}
