package social.caravan.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import social.caravan.core.html.Html;
import social.caravan.core.json.Json;

/** How accounts render in the Mastodon client API. */
public final class AccountJson {
    private final String baseUrl;
    private final String localDomain;
    private final LongFunction<Optional<Account>> accounts;

    /** {@code accounts} finds the account a moved one points at, to render it as {@code moved}. */
    public AccountJson(String baseUrl, String localDomain, LongFunction<Optional<Account>> accounts) {
        this.baseUrl = baseUrl;
        this.localDomain = localDomain;
        this.accounts = accounts;
    }

    public record FieldView(String name, String value, Instant verifiedAt) {}

    public record RoleView(String id, String name, String permissions, String color, boolean highlighted) {}

    /** The short role shown on profiles ({@code Account.roles}). */
    public record AccountRoleView(String id, String name, String color) {}

    /** Mastodon's Account entity; {@code moved} (the account it moved to) only for a moved account. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AccountView(
            String id, String username, String acct, String displayName, boolean locked, boolean bot,
            boolean discoverable, boolean indexable, boolean group, Instant createdAt, String note, String url,
            String uri, String avatar, String avatarStatic, String header, String headerStatic,
            long followersCount, long followingCount, long statusesCount, LocalDate lastStatusAt,
            boolean hideCollections, boolean noindex, List<Object> emojis, List<AccountRoleView> roles,
            List<FieldView> fields, @JsonInclude(JsonInclude.Include.NON_NULL) AccountView moved) {}

    /** The {@code source} of a CredentialAccount: what the owner typed, for editing. */
    public record SourceView(String privacy, boolean sensitive, String language, String note,
                             List<FieldView> fields, long followRequestsCount, boolean hideCollections,
                             boolean discoverable, boolean indexable, List<String> attributionDomains) {}

    /** Mastodon's CredentialAccount: an Account plus {@code source} and {@code role}. */
    public record CredentialAccountView(
            String id, String username, String acct, String displayName, boolean locked, boolean bot,
            boolean discoverable, boolean indexable, boolean group, Instant createdAt, String note, String url,
            String uri, String avatar, String avatarStatic, String header, String headerStatic,
            long followersCount, long followingCount, long statusesCount, LocalDate lastStatusAt,
            boolean hideCollections, boolean noindex, List<Object> emojis, List<AccountRoleView> roles,
            List<FieldView> fields, SourceView source, RoleView role) {}

    public AccountView render(Account a) {
        // As Mastodon, the account moved to is rendered without its own move (no chains).
        AccountView moved = a.movedToAccountId() == null ? null
                : accounts.apply(a.movedToAccountId()).map(this::renderUnmoved).orElse(null);
        return render(a, moved);
    }

    private AccountView renderUnmoved(Account a) {
        return render(a, null);
    }

    private AccountView render(Account a, AccountView moved) {
        String acct = a.local() ? a.username() : a.username() + "@" + a.domain();
        String avatar = a.local() || a.remote().avatarUrl() == null
                ? baseUrl + "/avatars/original/missing.png" : a.remote().avatarUrl();
        String header = a.local() || a.remote().headerUrl() == null
                ? baseUrl + "/headers/original/missing.png" : a.remote().headerUrl();
        // Remote notes and field values arrive as HTML, sanitized when fetched; local ones are plain text.
        List<FieldView> fields = a.fields().stream()
                .map(f -> new FieldView(Html.escape(f.name()), a.local() ? Html.linkify(f.value()) : f.value(), null))
                .toList();
        String note = a.local() ? Html.fromPlainText(a.note()) : a.note();
        boolean group = !a.local() && "Group".equals(a.remote().actorType());
        // Mastodon shows the day an account was made, not the moment.
        Instant created = a.createdAt().atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
        return new AccountView(Long.toString(a.id()), a.username(), acct, a.displayName(), a.locked(), a.bot(),
                a.discoverable(), a.indexable(), group, created, note, profileUrl(a),
                actorUri(a), avatar, avatar, header, header, a.stats().followers(), a.stats().following(),
                a.stats().statuses(), a.stats().lastStatusAt() == null ? null
                        : a.stats().lastStatusAt().atZone(ZoneOffset.UTC).toLocalDate(), a.hideCollections(), !a.indexable(),
                emojis(a), profileRoles(a.role()), fields, moved);
    }

    public CredentialAccountView renderCredential(Account a, User u, long followRequestsCount) {
        AccountView v = render(a);
        List<FieldView> plainFields = a.fields().stream().map(f -> new FieldView(f.name(), f.value(), null)).toList();
        SourceView source = new SourceView(u.defaultPrivacy(), u.defaultSensitive(), u.defaultLanguage(), a.note(),
                plainFields, followRequestsCount, a.hideCollections(), a.discoverable(), a.indexable(), List.of());
        return new CredentialAccountView(v.id(), v.username(), v.acct(), v.displayName(), v.locked(), v.bot(),
                v.discoverable(), v.indexable(), v.group(), v.createdAt(), v.note(), v.url(), v.uri(), v.avatar(),
                v.avatarStatic(), v.header(), v.headerStatic(), v.followersCount(), v.followingCount(),
                v.statusesCount(), v.lastStatusAt(), v.hideCollections(), v.noindex(), v.emojis(), v.roles(),
                v.fields(), source, role(u.role()));
    }

    /** A remote account's custom emoji as stored (CustomEmoji entities); local accounts have none yet. */
    private static List<Object> emojis(Account a) {
        if (a.local() || a.remote().emojis() == null) {
            return List.of();
        }
        List<Object> items = new java.util.ArrayList<>();
        Json.read(a.remote().emojis()).values().forEach(items::add);
        return items;
    }

    private static List<AccountRoleView> profileRoles(Role role) {
        return role != null && role.highlighted()
                ? List.of(new AccountRoleView(role.id(), role.displayName(), ""))
                : List.of();
    }

    public static RoleView role(Role role) {
        return new RoleView(role.id(), role.displayName(), Long.toString(role.permissions()), "", role.highlighted());
    }

    /** The profile page: ours for local accounts, the one the remote server published (else its actor URI). */
    public String profileUrl(Account a) {
        if (!a.local()) {
            return a.remote().url() != null ? a.remote().url() : actorUri(a);
        }
        return baseUrl + "/@" + a.username();
    }

    /**
     * The ActivityPub id of the account's actor. A remote account stored without one (made before
     * federation resolved actors) gets the URL Mastodon-style servers use.
     */
    public String actorUri(Account a) {
        if (a.local()) {
            return baseUrl + "/users/" + a.username();
        }
        return a.remote().uri() != null ? a.remote().uri() : "https://" + a.domain() + "/users/" + a.username();
    }

    public String localDomain() {
        return localDomain;
    }
}
