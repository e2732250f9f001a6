package social.caravan.federation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.RemoteResolver;
import social.caravan.core.html.Sanitizer;
import social.caravan.core.net.FederationClient;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.core.signatures.Keys;
import tools.jackson.databind.JsonNode;

/**
 * Accounts on other servers: found by handle through WebFinger or by actor URL, stored in
 * {@code accounts} (domain set) and refreshed when a day old; the public keys that verify their
 * signatures, looked up by keyId (fragment or path style) and fetched once more when a signature fails.
 *
 * <p>Trust rules: an actor document's {@code id} must be on the host that served it; a handle's domain
 * counts only when WebFinger on that domain points to the actor and, if the actor lives on another
 * host, WebFinger there agrees; keys must name their actor as {@code owner}. Nothing from a suspended
 * domain is fetched or stored, and this server's own URLs are never fetched.
 */
public final class RemoteAccounts implements RemoteResolver {
    private static final Logger log = LoggerFactory.getLogger(RemoteAccounts.class);
    /** Mastodon refreshes a remote account at most once a day on lookup. */
    static final Duration STALE_AFTER = Duration.ofDays(1);
    private static final Set<String> ACTOR_TYPES = Set.of("Person", "Service", "Application", "Group", "Organization");
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_]+([a-z0-9_.\\-]+[a-z0-9_]+)?", Pattern.CASE_INSENSITIVE);
    private static final int MAX_DISPLAY_NAME = 2048;
    private static final int MAX_FIELDS = 50;
    static final int KEYS_CACHED = 10_000;
    /** Reads the totals of a stored actor's collections ({@link #refreshCounts}), off any request's path. */
    public static final String COUNTS_JOB = "federation.actor_counts";

    public record CountsJob(long accountId) {}

    private final AccountService accounts;
    private final Fetcher fetcher;
    private final JobQueue queue;
    private final DomainBlocks domainBlocks;
    private final String localDomain;
    private final String webDomain;
    private final boolean allowPrivate;
    private final Clock clock;
    /**
     * Who owns a keyId, as last verified (every inbound request asks): the account is then read from
     * the account cache, and trusted only while its stored keyId is still this one.
     */
    private final Cache<String, Long> keyOwners = Caffeine.newBuilder().maximumSize(KEYS_CACHED)
            .expireAfterWrite(Duration.ofHours(1)).build();
    /** Parsed public keys by PEM: parsing costs more than the signature check. */
    private final Cache<String, PublicKey> parsedKeys = Caffeine.newBuilder().maximumSize(KEYS_CACHED).build();

    public RemoteAccounts(AccountService accounts, Fetcher fetcher, JobQueue queue, DomainBlocks domainBlocks,
                          String localDomain, String webDomain, boolean allowPrivate, Clock clock) {
        this.accounts = accounts;
        this.fetcher = fetcher;
        this.queue = queue;
        this.domainBlocks = domainBlocks;
        this.localDomain = localDomain;
        this.webDomain = webDomain;
        this.allowPrivate = allowPrivate;
        this.clock = clock;
    }

    @Override
    public Optional<Account> resolveHandle(String username, String domain) {
        if (username == null || domain == null || username.isBlank() || domain.isBlank() || isLocal(domain)) {
            return Optional.empty();
        }
        Optional<Account> known = accounts.findRemote(username, domain);
        if (known.isPresent() && !stale(known.get())) {
            return known;
        }
        try {
            return Optional.of(fetchByHandle(username, domain));
        } catch (FetchFailed e) {
            log.info("could not resolve @{}@{}: {}", username, domain, e.getMessage());
            return known;
        }
    }

    @Override
    public Optional<Account> resolveUri(String uri) {
        if (uri == null || uri.isBlank()) {
            return Optional.empty();
        }
        Optional<Account> known = accounts.findByUri(uri);
        if (known.isPresent() && !stale(known.get())) {
            return known;
        }
        try {
            return Optional.of(fetchByUri(uri));
        } catch (FetchFailed e) {
            log.info("could not resolve {}: {}", uri, e.getMessage());
            return known;
        }
    }

    /** Fetches the actor again now, whatever its age; the stored account when that fails. */
    public Optional<Account> refresh(Account account) {
        if (account.local()) {
            return Optional.of(account);
        }
        try {
            return Optional.of(fetchByUri(account.remote().uri()));
        } catch (FetchFailed e) {
            log.info("could not refresh {}: {}", account.remote().uri(), e.getMessage());
            return Optional.of(account);
        }
    }

    /**
     * The account whose key {@code keyId} names: stored, or fetched (the keyId's document may be the
     * actor itself or a key naming its owner). With {@code refresh}, the actor is fetched again even if
     * stored, for actors who rotated their key.
     */
    public Optional<Account> accountForKey(String keyId, boolean refresh) {
        if (!refresh) {
            Long owner = keyOwners.getIfPresent(keyId);
            Optional<Account> cached = owner == null ? Optional.empty()
                    : accounts.findKnown(owner).filter(a -> !a.local() && a.remote() != null && keyId.equals(a.remote().keyId()));
            if (cached.isPresent()) {
                return cached;
            }
        }
        Optional<Account> found = findForKey(keyId, refresh);
        found.ifPresent(a -> keyOwners.put(keyId, a.id()));
        return found;
    }

    private Optional<Account> findForKey(String keyId, boolean refresh) {
        String documentUri = withoutFragment(keyId);
        Optional<Account> known = accounts.findByKeyId(keyId).or(() -> accounts.findByUri(documentUri))
                .filter(a -> !a.local());
        if (known.isPresent() && !refresh) {
            return known;
        }
        try {
            if (isLocal(Fetcher.parse(documentUri).getAuthority())) {
                return Optional.empty();
            }
            Account account;
            if (known.isPresent()) {
                account = fetchByUri(known.get().remote().uri());
            } else {
                Fetcher.Document doc = fetcher.fetchActivity(documentUri);
                String owner = text(doc.json(), "owner");
                account = owner != null && !doc.json().has("inbox") ? fetchByUri(owner) : saveActor(doc, null);
            }
            return keyId.equals(account.remote().keyId()) || keyId.equals(account.remote().uri())
                    ? Optional.of(account) : Optional.empty();
        } catch (FetchFailed e) {
            log.info("could not fetch the key {}: {}", keyId, e.getMessage());
            return refresh ? Optional.empty() : known;
        }
    }

    /** The public key a keyId names, for signature checks (stage B's inbox uses this through the verifier). */
    public Optional<PublicKey> publicKey(String keyId, boolean refresh) {
        return accountForKey(keyId, refresh).flatMap(a -> {
            try {
                return a.publicKey().isBlank() ? Optional.empty()
                        : Optional.of(parsedKeys.get(a.publicKey(), Keys::publicKey));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    private boolean stale(Account a) {
        Instant fetched = a.remote() == null ? null : a.remote().fetchedAt();
        return fetched == null || fetched.isBefore(clock.instant().minus(STALE_AFTER));
    }

    private Account fetchByHandle(String username, String domain) throws FetchFailed {
        Handle found = webfinger(username, domain);
        Fetcher.Document doc = fetcher.fetchActivity(found.actorUri());
        return saveActor(doc, found);
    }

    private Account fetchByUri(String uri) throws FetchFailed {
        if (isLocal(Fetcher.parse(uri).getAuthority())) {
            throw new FetchFailed("a local URL");
        }
        return saveActor(fetcher.fetchActivity(uri), null);
    }

    /** A WebFinger answer: the canonical handle and the actor it points to. */
    private record Handle(String username, String domain, String actorUri) {}

    private Handle webfinger(String username, String domain) throws FetchFailed {
        if (domainBlocks.isSuspended(domain)) {
            throw new FetchFailed(domain + " is suspended");
        }
        String resource = "acct:" + username + "@" + domain;
        Fetcher.Document jrd = fetcher.fetchJrd(scheme(domain) + "://" + domain + "/.well-known/webfinger?resource="
                + URLEncoder.encode(resource, StandardCharsets.UTF_8));
        String self = null;
        for (JsonNode link : jrd.json().path("links").values()) {
            String type = text(link, "type");
            if ("self".equals(text(link, "rel")) && type != null
                    && (type.startsWith("application/activity+json") || type.startsWith("application/ld+json"))) {
                self = text(link, "href");
                break;
            }
        }
        if (self == null) {
            throw new FetchFailed("WebFinger for " + resource + " names no ActivityPub actor");
        }
        String subject = text(jrd.json(), "subject");
        String subjectUser = username;
        String subjectDomain = domain;
        if (subject != null && subject.startsWith("acct:") && subject.indexOf('@') > 5) {
            subjectUser = subject.substring(5, subject.lastIndexOf('@'));
            subjectDomain = subject.substring(subject.lastIndexOf('@') + 1);
        }
        return new Handle(subjectUser, subjectDomain.toLowerCase(Locale.ROOT), self);
    }

    /**
     * Validates an actor document and stores it. The account's domain is the WebFinger handle's when
     * both servers agree on it, else the actor's host.
     */
    private Account saveActor(Fetcher.Document doc, Handle viaHandle) throws FetchFailed {
        JsonNode actor = doc.json();
        String id = text(actor, "id");
        String type = text(actor, "type");
        if (id == null || type == null || !ACTOR_TYPES.contains(type)) {
            throw new FetchFailed(doc.uri() + " is not an actor");
        }
        URI idUri = Fetcher.parse(id);
        if (!idUri.getAuthority().equalsIgnoreCase(doc.uri().getAuthority())) {
            throw new FetchFailed("the actor " + id + " was served by another host, " + doc.uri().getAuthority());
        }
        if (isLocal(idUri.getAuthority())) {
            throw new FetchFailed("an actor claiming this server's id " + id);
        }
        String preferred = text(actor, "preferredUsername");
        if (preferred == null || !USERNAME.matcher(preferred).matches()) {
            throw new FetchFailed("the actor " + id + " has no usable preferredUsername");
        }
        String inbox = url(actor.path("inbox"));
        if (inbox == null) {
            throw new FetchFailed("the actor " + id + " has no inbox");
        }
        String domain = domainOf(idUri, preferred, id, viaHandle);
        if (domainBlocks.isSuspended(domain)) {
            throw new FetchFailed(domain + " is suspended");
        }
        Key key = key(actor, id);
        List<Account.Field> fields = new ArrayList<>();
        for (JsonNode attachment : actor.path("attachment").values()) {
            if ("PropertyValue".equals(text(attachment, "type")) && fields.size() < MAX_FIELDS) {
                fields.add(new Account.Field(limit(text(attachment, "name"), 255), Sanitizer.clean(text(attachment, "value"))));
            }
        }
        Account.Remote remote = new Account.Remote(id, url(actor.path("url")), type, inbox,
                url(actor.path("endpoints").path("sharedInbox")), url(actor.path("outbox")), url(actor.path("followers")),
                url(actor.path("following")), url(actor.path("featured")), key == null ? null : key.id(),
                url(actor.path("icon")), url(actor.path("image")), clock.instant(),
                CustomEmojis.read(actor.path("tag"), text(actor, "name"), text(actor, "summary"),
                        fields.stream().map(f -> f.name() + "\n" + f.value()).collect(java.util.stream.Collectors.joining("\n"))));
        Account saved = accounts.saveRemote(new AccountService.RemoteProfile(preferred, domain,
                limit(text(actor, "name"), MAX_DISPLAY_NAME), Sanitizer.clean(text(actor, "summary")), fields,
                actor.path("manuallyApprovesFollowers").booleanValue(false),
                type.equals("Service") || type.equals("Application"),
                actor.path("discoverable").booleanValue(false), actor.path("indexable").booleanValue(false),
                key == null ? "" : key.pem(), published(text(actor, "published")), remote));
        queue.enqueue(Queues.PULL, COUNTS_JOB, new CountsJob(saved.id()), null, COUNTS_JOB + ":" + saved.id());
        return saved;
    }

    /**
     * Runs {@link #COUNTS_JOB}: the {@code totalItems} of the account's outbox, followers and following, as its
     * server publishes them, become its counts, as on Mastodon. A collection on another host, one that cannot
     * be fetched or one without a total leaves its count as it is.
     */
    public void refreshCounts(long accountId) {
        Optional<Account.Remote> remote = accounts.findKnown(accountId).map(Account::remote);
        if (remote.isEmpty()) {
            return;
        }
        Account.Remote r = remote.get();
        accounts.setPublishedCounts(accountId, totalItems(r.uri(), r.outbox()), totalItems(r.uri(), r.followers()),
                totalItems(r.uri(), r.following()));
    }

    private Integer totalItems(String actorUri, String collection) {
        if (collection == null) {
            return null;
        }
        try {
            if (!authority(Fetcher.parse(collection)).equals(authority(Fetcher.parse(actorUri)))) {
                return null;
            }
            JsonNode total = fetcher.fetchActivity(collection).json().path("totalItems");
            return total.isIntegralNumber() && total.asLong() >= 0 ? (int) Math.min(total.asLong(), Integer.MAX_VALUE) : null;
        } catch (FetchFailed e) {
            log.debug("no total for {}: {}", collection, e.getMessage());
            return null;
        }
    }

    /** The handle's domain when WebFinger on it and on the actor's host agree, else the actor's host. */
    private String domainOf(URI idUri, String preferred, String id, Handle viaHandle) {
        String host = authority(idUri);
        if (viaHandle != null && viaHandle.actorUri().equals(id)
                && (viaHandle.domain().equalsIgnoreCase(host) || confirms(host, preferred, id, viaHandle.domain()))) {
            return viaHandle.domain();
        }
        try {
            Handle atHost = webfinger(preferred, host);
            if (atHost.actorUri().equals(id) && !atHost.domain().equalsIgnoreCase(host)
                    && confirms(atHost.domain(), atHost.username(), id, atHost.domain())) {
                return atHost.domain();
            }
        } catch (FetchFailed e) {
            log.debug("no WebFinger for {} on {}: {}", preferred, host, e.getMessage());
        }
        return host;
    }

    /** Whether WebFinger for {@code username@domain} points to {@code id} with the subject's domain {@code expected}. */
    private boolean confirms(String domain, String username, String id, String expected) {
        try {
            Handle h = webfinger(username, domain);
            return h.actorUri().equals(id) && h.domain().equalsIgnoreCase(expected);
        } catch (FetchFailed e) {
            return false;
        }
    }

    private record Key(String id, String pem) {}

    /** The actor's RSA or Ed25519 publicKey whose owner is the actor, checked to parse. */
    private static Key key(JsonNode actor, String id) {
        JsonNode keys = actor.path("publicKey");
        for (JsonNode k : keys.isArray() ? keys.values() : List.of(keys)) {
            String keyId = text(k, "id");
            String owner = text(k, "owner");
            String pem = text(k, "publicKeyPem");
            if (keyId != null && pem != null && (owner == null || owner.equals(id))) {
                try {
                    Keys.publicKey(pem);
                    return new Key(keyId, pem);
                } catch (IllegalArgumentException e) {
                    log.debug("unreadable key {}: {}", keyId, e.getMessage());
                }
            }
        }
        return null;
    }

    /** http for loopback peers only when private addresses are allowed (tests), https everywhere else. */
    private String scheme(String domain) {
        String host = domain.replaceFirst(":\\d+$", "");
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        return allowPrivate && loopback ? "http" : "https";
    }

    private boolean isLocal(String authority) {
        return authority != null && (authority.equalsIgnoreCase(localDomain) || authority.equalsIgnoreCase(webDomain));
    }

    static String authority(URI uri) {
        return FederationClient.hostHeader(uri).toLowerCase(Locale.ROOT);
    }

    private static String withoutFragment(String uri) {
        int hash = uri.indexOf('#');
        return hash < 0 ? uri : uri.substring(0, hash);
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : null;
    }

    /** A URL property: a string, a Link or Image object ({@code href} or {@code url}), or the first of an array. */
    static String url(JsonNode node) {
        if (node.isString()) {
            String s = node.stringValue();
            return s.startsWith("https://") || s.startsWith("http://") ? s : null;
        }
        if (node.isArray()) {
            for (JsonNode item : node.values()) {
                String found = url(item);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (node.isObject()) {
            String href = url(node.path("href"));
            return href != null ? href : url(node.path("url"));
        }
        return null;
    }

    private static String limit(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.codePointCount(0, text.length()) <= max ? text : text.substring(0, text.offsetByCodePoints(0, max));
    }

    private static Instant published(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
