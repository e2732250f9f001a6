package social.caravan.core.http;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Mastodon's OAuth scopes and how a broad scope grants the granular ones beneath it. */
public final class Scopes {
    private Scopes() {}

    public static final List<String> ALL = List.of(
            "read", "write", "follow", "push", "profile",
            "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
            "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
            "write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
            "write:filters", "write:follows", "write:lists", "write:media", "write:mutes",
            "write:notifications", "write:reports", "write:statuses",
            "admin:read", "admin:read:accounts", "admin:read:reports", "admin:read:domain_allows",
            "admin:read:domain_blocks", "admin:read:ip_blocks", "admin:read:email_domain_blocks",
            "admin:read:canonical_email_blocks",
            "admin:write", "admin:write:accounts", "admin:write:reports", "admin:write:domain_allows",
            "admin:write:domain_blocks", "admin:write:ip_blocks", "admin:write:email_domain_blocks",
            "admin:write:canonical_email_blocks");

    /** The legacy {@code follow} scope covers these. */
    private static final Set<String> FOLLOW = Set.of(
            "read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes");

    /** Parses a space-separated scope string; empty when any scope is unknown. */
    public static Set<String> parse(String text) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : text.trim().split("[\\s+]+")) {
            if (!scope.isEmpty()) {
                scopes.add(scope);
            }
        }
        return scopes;
    }

    public static boolean allKnown(Set<String> scopes) {
        return !scopes.isEmpty() && ALL.containsAll(scopes);
    }

    public static boolean grants(Set<String> held, String required) {
        if (held.contains(required)) {
            return true;
        }
        if (FOLLOW.contains(required) && held.contains("follow")) {
            return true;
        }
        int colon = required.lastIndexOf(':');
        return colon > 0 && grants(held, required.substring(0, colon));
    }

    /** Whether every scope asked for is granted by the ones allowed (an app's registered scopes). */
    public static boolean within(Set<String> asked, Set<String> allowed) {
        return asked.stream().allMatch(scope -> grants(allowed, scope));
    }

    public static String join(Set<String> scopes) {
        return String.join(" ", scopes);
    }

    public static Set<String> of(String... scopes) {
        return new LinkedHashSet<>(Arrays.asList(scopes));
    }
}
