package social.caravan.accounts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.cache.RowCache;
import social.caravan.core.config.Config;
import social.caravan.core.db.HeldBack;
import social.caravan.core.http.ApiException;

/** Accounts and their users: registration, sign-in checks, profiles, and the operator's chores. */
public final class AccountService {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** Names that would let someone pass for the server's staff, refused as Mastodon refuses them. */
    private static final Set<String> RESERVED = Set.of(
            "admin", "administrator", "root", "support", "help", "webmaster", "moderator", "mod",
            "postmaster", "hostmaster", "abuse", "security", "ssladmin", "owner", "staff");
    static final int MAX_DISPLAY_NAME = 30;
    static final int MAX_NOTE = 500;
    static final int MAX_FIELDS = 4;
    static final int MAX_FIELD_LENGTH = 255;

    /** Cache kind of an account, as the triggers of migration V009 name it. */
    public static final char ACCOUNT = 'a';
    /** The cache kind of an account's counts (statuses, followers, following). */
    public static final char COUNTS = 'c';
    /** The authors and mentioned accounts that busy instances' pages show. */
    static final int ACCOUNTS_CACHED = 20_000;
    private final Jdbi jdbi;
    private final AccountStore store = new AccountStore();
    private final Config config;
    private final Invalidations invalidations;
    /** Accounts (profile and role; their counts as read then) by id, as statuses and notifications render them. */
    private final RowCache<Account> cache;
    /** Accounts' current counts, by id: they change with every post, so apart from the profiles. */
    private final RowCache<Account.Stats> counts;
    private final ProfileEvents events;
    /** Statuses counted (account, +1 or -1) inside a {@link #countsLast}, applied at its end. */
    private final HeldBack<long[]> heldCounts = new HeldBack<>();

    public AccountService(Jdbi jdbi, Invalidations invalidations, Config config, ProfileEvents events) {
        this.jdbi = jdbi;
        this.events = events;
        this.invalidations = invalidations;
        this.cache = new RowCache<>(invalidations, ACCOUNT, ACCOUNTS_CACHED, Duration.ofMinutes(5));
        this.counts = new RowCache<>(invalidations, COUNTS, ACCOUNTS_CACHED, Duration.ofMinutes(5));
        this.config = config;
    }

    /** What a person gives to sign up. {@code byOperator} skips the registration mode and reserved names. */
    public record Registration(String username, String email, String password, Role role, String locale,
                               String reason, String ip, boolean byOperator) {}

    /** Creates the account, its user and its key pair; answers 422 with Mastodon's details on bad input. */
    public long register(Registration r) {
        if (!r.byOperator() && config.registrations() == Config.Registrations.CLOSED) {
            throw ApiException.forbidden("Registrations are closed on this server");
        }
        Validation v = new Validation();
        String username = r.username() == null ? "" : r.username().trim();
        String email = r.email() == null ? "" : r.email().trim();
        String password = r.password() == null ? "" : r.password();
        if (username.isEmpty()) {
            v.add("username", "ERR_BLANK", "can't be blank");
        } else if (!USERNAME.matcher(username).matches()) {
            v.add("username", "ERR_INVALID", "must contain only letters, numbers and underscores");
        } else if (username.length() > 30) {
            v.add("username", "ERR_TOO_LONG", "is too long (maximum is 30 characters)");
        } else if (!r.byOperator() && RESERVED.contains(username.toLowerCase(Locale.ROOT))) {
            v.add("username", "ERR_RESERVED", "is reserved");
        }
        if (email.isEmpty()) {
            v.add("email", "ERR_BLANK", "can't be blank");
        } else if (!EMAIL.matcher(email).matches() || email.length() > 254) {
            v.add("email", "ERR_INVALID", "is invalid");
        }
        if (password.length() < 8) {
            v.add("password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)");
        } else if (password.length() > 72) {
            v.add("password", "ERR_TOO_LONG", "is too long (maximum is 72 characters)");
        }
        boolean approved = r.byOperator() || config.registrations() != Config.Registrations.APPROVAL;
        KeyPairs.Pem keys = v.ok() ? KeyPairs.generate() : null;
        String hash = v.ok() ? Passwords.hash(password) : null;
        return jdbi.inTransaction(h -> {
            if (!username.isEmpty() && store.usernameTaken(h, username)) {
                v.add("username", "ERR_TAKEN", "has already been taken");
            }
            if (!email.isEmpty() && store.emailTaken(h, email)) {
                v.add("email", "ERR_TAKEN", "has already been taken");
            }
            v.throwIfFailed();
            return store.insertLocal(h, new AccountStore.NewLocalAccount(username, email, hash,
                    r.role() == null ? Role.USER : r.role(), approved,
                    r.locale() == null || r.locale().isBlank() ? "en" : r.locale(), r.reason(), r.ip(), keys));
        });
    }

    /** The user whose login (e-mail or username) and password match; no hint which one was wrong. */
    public Optional<User> authenticate(String login, String password) {
        if (login == null || password == null || login.isBlank()) {
            return Optional.empty();
        }
        Optional<User> user = jdbi.withHandle(h -> store.userByLogin(h, login.trim()));
        if (user.isEmpty() || !Passwords.matches(password, user.get().passwordHash())) {
            return Optional.empty();
        }
        jdbi.useHandle(h -> store.recordSignIn(h, user.get().accountId()));
        return user;
    }

    public Optional<Account> find(long id) {
        return jdbi.withHandle(h -> store.find(h, id));
    }

    /** An account, its counts current, from this process's caches when they hold it. */
    public Optional<Account> findCached(long id) {
        return findAll(List.of(id)).stream().findFirst();
    }

    /**
     * An account as {@link #find} reads it, from this process's cache when it holds it (kept true by
     * {@link Invalidations}, but a change in the caller's own open transaction shows only after it
     * commits), <em>its counts as they were when it was cached</em>: for the inbox's hot paths, which
     * look their actors up several times per activity to check who they are, never to show them.
     */
    public Optional<Account> findKnown(long id) {
        Account cached = cache.get(id);
        return cached != null ? Optional.of(cached) : findAll(List.of(id)).stream().findFirst();
    }

    /** The accounts among {@code ids}. */
    public List<Account> findAll(Collection<Long> ids) {
        return ids.isEmpty() ? List.of() : jdbi.withHandle(h -> findAll(h, ids));
    }

    /**
     * The accounts among {@code ids}, in the caller's handle: from this process's cache (kept true by
     * {@link Invalidations}), and what it misses in one statement.
     */
    public List<Account> findAll(Handle h, Collection<Long> ids) {
        long seen = invalidations.epoch();
        List<Account> found = new ArrayList<>(ids.size());
        List<Long> missing = new ArrayList<>();
        List<Account> uncounted = new ArrayList<>();
        for (long id : ids) {
            Account cached = cache.get(id);
            Account.Stats stats = cached == null ? null : counts.get(id);
            if (cached == null) {
                missing.add(id);
            } else if (stats == null) {
                uncounted.add(cached);
            } else {
                found.add(cached.withStats(stats));
            }
        }
        if (!uncounted.isEmpty()) {
            Map<Long, Account.Stats> read = store.stats(h, uncounted.stream().map(Account::id).toList());
            for (Account account : uncounted) {
                Account.Stats stats = read.getOrDefault(account.id(), Account.Stats.NONE);
                counts.put(account.id(), stats, seen);
                found.add(account.withStats(stats));
            }
        }
        for (Account account : store.findAll(h, missing)) {
            cache.put(account.id(), account, seen);
            counts.put(account.id(), account.stats(), seen);
            found.add(account);
        }
        return found;
    }

    /** The accounts among {@code ids}, in that order, but for sign-ups waiting for approval (Mastodon's without_unapproved). */
    public List<Account> findAllApproved(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Set<Long> waiting = Set.copyOf(jdbi.withHandle(h -> store.unapproved(h, ids)));
        Map<Long, Account> found = new HashMap<>();
        findAll(ids).forEach(a -> found.put(a.id(), a));
        return ids.stream().filter(id -> !waiting.contains(id)).map(found::get).filter(Objects::nonNull).toList();
    }

    public Optional<Account> findLocal(String username) {
        return jdbi.withHandle(h -> store.findLocal(h, username));
    }

    public Optional<User> user(long accountId) {
        return jdbi.withHandle(h -> store.user(h, accountId));
    }

    /** Whether a handle's domain names this server (LOCAL_DOMAIN or WEB_DOMAIN). */
    public boolean isLocalDomain(String domain) {
        return domain.equalsIgnoreCase(config.localDomain()) || domain.equalsIgnoreCase(config.webDomain());
    }

    /** Resolves {@code user} or {@code user@this-domain}; remote handles go through {@link RemoteResolver}. */
    public Optional<Account> lookup(String acct) {
        String handle = acct.startsWith("@") ? acct.substring(1) : acct;
        int at = handle.indexOf('@');
        if (at >= 0) {
            String domain = handle.substring(at + 1);
            if (!isLocalDomain(domain)) {
                return Optional.empty();
            }
            handle = handle.substring(0, at);
        }
        return handle.isEmpty() ? Optional.empty() : findLocal(handle);
    }

    /** A remote account by its actor URI (its ActivityPub id). */
    public Optional<Account> findByUri(String uri) {
        return jdbi.withHandle(h -> store.findByUri(h, uri));
    }

    /** A remote account by username and domain, case-insensitively. */
    public Optional<Account> findRemote(String username, String domain) {
        return jdbi.withHandle(h -> store.findRemote(h, username, domain));
    }

    /** The remote account whose published key has this id (usually its URI plus {@code #main-key}). */
    public Optional<Account> findByKeyId(String keyId) {
        return jdbi.withHandle(h -> store.findByKeyId(h, keyId));
    }

    /**
     * A remote actor as fetched, already validated and sanitized by federation. Stored by its URI; an
     * account known under the same handle with another URI (re-created elsewhere) takes the new one.
     */
    public record RemoteProfile(String username, String domain, String displayName, String noteHtml,
                                List<Account.Field> fields, boolean locked, boolean bot, boolean discoverable,
                                boolean indexable, String publicKeyPem, java.time.Instant published, Account.Remote remote) {}

    /** Inserts or updates a remote account from its actor document; returns it as stored. */
    public Account saveRemote(RemoteProfile p) {
        return jdbi.inTransaction(h -> {
            long id = store.upsertRemote(h, p);
            invalidations.changedOnCommit(h, ACCOUNT, id);
            return store.find(h, id).orElseThrow();
        });
    }

    /**
     * The statuses, followers and following a remote account's own server counts (its collections'
     * {@code totalItems}), shown as Mastodon shows them; later activity here adds to them. Null: not published.
     */
    public void setPublishedCounts(long accountId, Integer statuses, Integer followers, Integer following) {
        jdbi.useTransaction(h -> store.setPublishedCounts(h, accountId, statuses, followers, following));
    }

    /** The inbox of every server an account here is known from (its shared inbox where it has one), once each. */
    public List<String> remoteInboxes() {
        return jdbi.withHandle(store::remoteInboxes);
    }

    /**
     * Drops a remote account's public key (it deleted itself): what is signed with it later verifies only
     * if its server serves the actor again, as Mastodon, which deletes the account, would fetch it anew.
     */
    public void forgetKey(long accountId) {
        jdbi.useTransaction(h -> {
            store.forgetKey(h, accountId);
            invalidations.changedOnCommit(h, ACCOUNT, accountId);
        });
    }

    /**
     * Records that {@code accountId} moved to {@code targetId} (the client API shows it as {@code moved});
     * false when it had already moved there.
     */
    public boolean recordMove(long accountId, long targetId) {
        return jdbi.inTransaction(h -> {
            boolean changed = store.setMovedTo(h, accountId, targetId);
            if (changed) {
                invalidations.changedOnCommit(h, ACCOUNT, accountId);
            }
            return changed;
        });
    }

    /** The PEM private key of a local account, to sign what it sends; empty for remote accounts. */
    public Optional<String> privateKey(long accountId) {
        return jdbi.withHandle(h -> store.privateKey(h, accountId));
    }

    /**
     * Counts a status posted (+1) or deleted (-1), in the caller's transaction; inside
     * {@link #countsLast}, at its end.
     */
    public void countStatus(Handle h, long accountId, int delta) {
        if (!heldCounts.hold(h, new long[] {accountId, delta})) {
            store.countStatuses(h, new long[] {accountId}, new int[] {delta});
        }
        invalidations.changedOnCommit(h, COUNTS, accountId);
    }

    /**
     * Runs {@code work} in the caller's transaction, then counts the statuses it posted and deleted,
     * each account's once and in id order: a batch that stores many posts holds its authors' counts
     * only from there to its commit, and batches beside it take them in the same order.
     */
    public void countsLast(Handle h, Runnable work) {
        Map<Long, Integer> deltas = new TreeMap<>();
        for (long[] counted : heldCounts.collect(h, work)) {
            deltas.merge(counted[0], (int) counted[1], Integer::sum);
        }
        if (!deltas.isEmpty()) {
            store.countStatuses(h, deltas.keySet().stream().mapToLong(Long::longValue).toArray(),
                    deltas.values().stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** Counts a follow made (+1) or undone (-1) on both accounts, in the caller's transaction. */
    public void countFollow(Handle h, long followerId, long targetId, int delta) {
        store.countFollow(h, followerId, targetId, delta);
        invalidations.changedOnCommit(h, COUNTS, followerId);
        invalidations.changedOnCommit(h, COUNTS, targetId);
    }

    public long countLocalUsers() {
        return jdbi.withHandle(store::countLocalUsers);
    }

    /** The fields update_credentials may change; null leaves a value as it is. */
    public record ProfileChanges(String displayName, String note, List<Account.Field> fields, Boolean locked,
                                 Boolean bot, Boolean discoverable, Boolean indexable, Boolean hideCollections,
                                 String privacy, Boolean sensitive, String language) {}

    public void updateProfile(long accountId, ProfileChanges c) {
        Validation v = new Validation();
        if (c.displayName() != null && c.displayName().codePointCount(0, c.displayName().length()) > MAX_DISPLAY_NAME) {
            v.add("display_name", "ERR_TOO_LONG", "is too long (maximum is " + MAX_DISPLAY_NAME + " characters)");
        }
        if (c.note() != null && c.note().codePointCount(0, c.note().length()) > MAX_NOTE) {
            v.add("note", "ERR_TOO_LONG", "is too long (maximum is " + MAX_NOTE + " characters)");
        }
        if (c.fields() != null) {
            if (c.fields().size() > MAX_FIELDS) {
                v.add("fields", "ERR_TOO_LONG", "is too long (maximum is " + MAX_FIELDS + " fields)");
            }
            for (Account.Field field : c.fields()) {
                if (field.name().length() > MAX_FIELD_LENGTH || field.value().length() > MAX_FIELD_LENGTH) {
                    v.add("fields", "ERR_TOO_LONG", "is too long (maximum is " + MAX_FIELD_LENGTH + " characters)");
                }
            }
        }
        if (c.privacy() != null && !List.of("public", "unlisted", "private", "direct").contains(c.privacy())) {
            v.add("source.privacy", "ERR_INCLUSION", "is not included in the list");
        }
        v.throwIfFailed();
        jdbi.useTransaction(h -> {
            Account a = store.find(h, accountId).orElseThrow(ApiException::notFound);
            invalidations.changedOnCommit(h, ACCOUNT, accountId);
            store.updateProfile(h, new Account(a.id(), a.username(), a.domain(),
                    or(c.displayName(), a.displayName()), or(c.note(), a.note()), or(c.fields(), a.fields()),
                    or(c.locked(), a.locked()), or(c.bot(), a.bot()), or(c.discoverable(), a.discoverable()),
                    or(c.indexable(), a.indexable()), or(c.hideCollections(), a.hideCollections()),
                    a.publicKey(), a.createdAt(), a.updatedAt(), a.role(), a.stats(), a.remote(),
                    a.movedToAccountId()));
            events.profileChanged(h, accountId);
            if (c.privacy() != null || c.sensitive() != null || c.language() != null) {
                User u = store.user(h, accountId).orElseThrow(ApiException::notFound);
                store.updateUser(h, new User(u.accountId(), u.email(), u.passwordHash(), u.role(), u.approved(),
                        u.disabled(), u.locale(), or(c.privacy(), u.defaultPrivacy()),
                        or(c.sensitive(), u.defaultSensitive()),
                        c.language() == null ? u.defaultLanguage() : (c.language().isBlank() ? null : c.language()),
                        u.createdAt()));
            }
        });
    }

    /** An operator's change to a local user; null leaves a value as it is. */
    public record UserChanges(String email, String password, Role role, Boolean approved, Boolean disabled) {}

    public void modifyUser(String username, UserChanges c) {
        if (c.password() != null && (c.password().length() < 8 || c.password().length() > 72)) {
            throw ApiException.unprocessable("Validation failed: Password must be 8 to 72 characters");
        }
        if (c.email() != null && !EMAIL.matcher(c.email()).matches()) {
            throw ApiException.unprocessable("Validation failed: Email is invalid");
        }
        String hash = c.password() == null ? null : Passwords.hash(c.password());
        jdbi.useTransaction(h -> {
            Account a = store.findLocal(h, username).orElseThrow(ApiException::notFound);
            User u = store.user(h, a.id()).orElseThrow(ApiException::notFound);
            invalidations.changedOnCommit(h, ACCOUNT, a.id());
            if (c.email() != null && !c.email().equalsIgnoreCase(u.email()) && store.emailTaken(h, c.email())) {
                throw ApiException.unprocessable("Validation failed: Email has already been taken");
            }
            store.updateUser(h, new User(u.accountId(), or(c.email(), u.email()), or(hash, u.passwordHash()),
                    or(c.role(), u.role()), or(c.approved(), u.approved()), or(c.disabled(), u.disabled()),
                    u.locale(), u.defaultPrivacy(), u.defaultSensitive(), u.defaultLanguage(), u.createdAt()));
        });
    }

    /** Deletes a local account and everything it owns, in the caller's transaction (federation's, which tells other servers). */
    public void deleteLocal(Handle h, long accountId) {
        store.find(h, accountId).filter(Account::local).orElseThrow(ApiException::notFound);
        invalidations.changedOnCommit(h, ACCOUNT, accountId);
        store.delete(h, accountId);
    }

    public record LocalAccount(Account account, User user) {}

    public List<LocalAccount> listLocal() {
        return jdbi.withHandle(h -> store.listLocal(h).stream()
                .map(row -> new LocalAccount(row.account(), row.user())).toList());
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** Collects field errors in Mastodon's shape: {@code details: {field: [{error, description}]}}. */
    private static final class Validation {
        private final Map<String, List<Map<String, String>>> details = new LinkedHashMap<>();
        private final List<String> messages = new ArrayList<>();

        void add(String field, String code, String description) {
            details.computeIfAbsent(field, k -> new ArrayList<>()).add(Map.of("error", code, "description", description));
            String label = Character.toUpperCase(field.charAt(0)) + field.substring(1).replace('_', ' ');
            messages.add(label + " " + description);
        }

        boolean ok() {
            return details.isEmpty();
        }

        void throwIfFailed() {
            if (!ok()) {
                throw new ApiException(422, "Validation failed: " + String.join(", ", messages), null, details);
            }
        }
    }
}
