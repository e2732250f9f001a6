package social.caravan.relationships;

import java.net.IDN;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.AccountsApi;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;
import social.caravan.timelines.FeedService;

/**
 * The social graph: follows and follow requests, blocks, mutes, domain blocks and personal notes,
 * with the account counters, notifications and feed merges they cause, each in one transaction.
 */
public final class RelationshipService implements AccountsApi.Relationships {
    /** Mastodon keeps personal notes to this many characters. */
    private static final Logger log = LoggerFactory.getLogger(RelationshipService.class);
    static final int MAX_NOTE = 2000;
    /** Carries an account's local followers, blockers and muters over to where it moved ({@link #carryOver}). */
    public static final String CARRY_OVER_JOB = "relationships.carry_over";
    /** Followers moved per transaction: a big account's move holds no transaction for long. */
    public static final int FOLLOWERS_PER_TRANSACTION = 100;
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[a-zA-Z]{2,4})?");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})*");
    private static final String NOT_ALLOWED = "This action is not allowed";

    private final Jdbi jdbi;
    private final RelationshipStore store = new RelationshipStore();
    private final AccountService accounts;
    private final NotificationService notifications;
    private final JobQueue queue;
    private final RelationshipEvents events;
    private final String baseUrl;

    public RelationshipService(Jdbi jdbi, AccountService accounts, NotificationService notifications, JobQueue queue,
                               RelationshipEvents events, String baseUrl) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.notifications = notifications;
        this.queue = queue;
        this.events = events;
        this.baseUrl = baseUrl;
    }

    /**
     * What a follow asks for. A null option keeps the current choice (or the default on a new
     * follow: boosts shown, no post notifications, every language); an empty language list means
     * every language.
     */
    public record FollowOptions(Boolean reblogs, Boolean notifyOnPosts, List<String> languages) {}

    /** A page of a list, and the hidden ids it was paged by (newest first) for the Link header. */
    public record PageOf<T>(List<T> items, List<Long> pagingKeys) {}

    /** A muted account and when the mute ends (null: never). */
    public record Muted(Account account, Instant expiresAt) {}

    /** The accounts the viewer follows that follow {@code accountId}. */
    public record Familiar(long accountId, List<Account> accounts) {}

    /**
     * Follows {@code targetId}, or asks to when the account is locked; following again changes the
     * options of the follow (or of the pending request).
     */
    public Relationship follow(long viewer, long targetId, FollowOptions options) {
        Account target = target(targetId);
        if (target.id() == viewer) {
            throw ApiException.forbidden("Following your own account is not allowed");
        }
        if (target.movedToAccountId() != null) {
            // As Mastodon: an account that moved away takes no new followers (nor changed follows).
            throw ApiException.forbidden(NOT_ALLOWED);
        }
        FollowOptions o = new FollowOptions(options.reblogs(), options.notifyOnPosts(), languages(options.languages()));
        return jdbi.inTransaction(h -> {
            if (store.blockedEitherWay(h, viewer, target.id())
                    || (!target.local() && store.domainBlocking(h, viewer, target.domain()))) {
                throw ApiException.forbidden(NOT_ALLOWED);
            }
            if (store.following(h, viewer, target.id())) {
                store.upsertFollow(h, viewer, target.id(), o);
            } else if (store.requested(h, viewer, target.id()) || target.locked() || !target.local()) {
                // A locked account approves each follower; a remote one answers with Accept. Both start as requests.
                if (store.upsertRequest(h, viewer, target.id(), o)) {
                    if (target.local()) {
                        notifications.notify(h, target.id(), viewer, NotificationService.FOLLOW_REQUEST, null);
                    } else {
                        // Mastodon's form of an activity id: the server and a random UUID.
                        String uri = baseUrl + "/" + UUID.randomUUID();
                        store.setUri(h, "follow_requests", viewer, target.id(), uri);
                        events.followRequested(h, viewer, target.id(), uri);
                    }
                }
            } else if (store.upsertFollow(h, viewer, target.id(), o)) {
                followed(h, viewer, target.id());
            }
            return relationship(h, viewer, target.id());
        });
    }

    /** Stops following, and withdraws a pending request. */
    public Relationship unfollow(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            Optional<String> uri = store.followUri(h, viewer, target.id());
            boolean was = store.following(h, viewer, target.id()) || store.requested(h, viewer, target.id());
            unfollow(h, viewer, target.id());
            store.deleteRequest(h, viewer, target.id());
            if (was && !target.local() && isLocal(h, viewer)) {
                events.unfollowed(h, viewer, target.id(), uri.orElse(null));
            }
            return relationship(h, viewer, target.id());
        });
    }

    /** Makes {@code followerId} stop following the viewer. */
    public Relationship removeFromFollowers(long viewer, long followerId) {
        Account follower = target(followerId);
        return jdbi.inTransaction(h -> {
            Optional<String> uri = store.followUri(h, follower.id(), viewer);
            if (store.deleteFollow(h, follower.id(), viewer)) {
                accounts.countFollow(h, follower.id(), viewer, -1);
                if (!follower.local()) {
                    events.followAnswered(h, follower.id(), viewer, uri.orElse(null), false);
                }
            }
            return relationship(h, viewer, follower.id());
        });
    }

    /** Blocks, ending follows and pending requests both ways. Blocking yourself does nothing, as in Mastodon. */
    public Relationship block(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            if (target.id() != viewer) {
                unfollow(h, viewer, target.id());
                unfollow(h, target.id(), viewer);
                store.deleteRequest(h, viewer, target.id());
                store.deleteRequest(h, target.id(), viewer);
                store.block(h, viewer, target.id());
                if (!target.local() && isLocal(h, viewer)) {
                    events.blocked(h, viewer, target.id(), false);
                }
            }
            return relationship(h, viewer, target.id());
        });
    }

    public Relationship unblock(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            if (store.unblock(h, viewer, target.id()) && !target.local() && isLocal(h, viewer)) {
                events.blocked(h, viewer, target.id(), true);
            }
            return relationship(h, viewer, target.id());
        });
    }

    /**
     * Mutes for {@code seconds} (0: until unmuted), hiding notifications too unless asked not to.
     * Muting again replaces both choices. Muting yourself does nothing, as in Mastodon.
     */
    public Relationship mute(long viewer, long targetId, boolean hideNotifications, int seconds) {
        Account target = target(targetId);
        if (seconds < 0) {
            throw ApiException.unprocessable("Validation failed: Duration must be greater than or equal to 0");
        }
        return jdbi.inTransaction(h -> {
            if (target.id() != viewer) {
                store.mute(h, viewer, target.id(), hideNotifications, seconds);
            }
            return relationship(h, viewer, target.id());
        });
    }

    public Relationship unmute(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            store.unmute(h, viewer, target.id());
            return relationship(h, viewer, target.id());
        });
    }

    /** Sets the viewer's private note on an account; a blank comment removes it. */
    public Relationship note(long viewer, long targetId, String comment) {
        Account target = target(targetId);
        if (comment != null && comment.codePointCount(0, comment.length()) > MAX_NOTE) {
            throw ApiException.unprocessable("Validation failed: Comment is too long (maximum is " + MAX_NOTE + " characters)");
        }
        return jdbi.inTransaction(h -> {
            if (comment == null || comment.isBlank()) {
                store.deleteNote(h, viewer, target.id());
            } else {
                store.setNote(h, viewer, target.id(), comment);
            }
            return relationship(h, viewer, target.id());
        });
    }

    /** Features a followed account on the viewer's profile (again: no change); 422 for one not followed, as Mastodon. */
    public Relationship endorse(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            if (!store.following(h, viewer, target.id())) {
                throw ApiException.unprocessable("Validation failed: You must be already following the person you want to endorse");
            }
            store.endorse(h, viewer, target.id());
            return relationship(h, viewer, target.id());
        });
    }

    public Relationship unendorse(long viewer, long targetId) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            store.unendorse(h, viewer, target.id());
            return relationship(h, viewer, target.id());
        });
    }

    /**
     * The accounts {@code accountId} features, paged by account id (all of them when {@code window}
     * is null); 404 for an unknown account.
     */
    public PageOf<Account> endorsements(long accountId, Window window) {
        Account account = target(accountId);
        Window w = window == null ? Window.all() : window;
        List<Long> ids = jdbi.withHandle(h -> store.endorsements(h, account.id(), w));
        return new PageOf<>(accountsOf(ids), ids);
    }

    @Override
    public List<Relationship> of(long viewer, List<Long> ids) {
        return relationships(viewer, ids);
    }

    @Override
    public long pendingFollowRequests(long accountId) {
        return jdbi.withHandle(h -> store.pendingRequests(h, accountId));
    }

    /** The viewer's relationships with the known accounts among {@code ids}, in the order asked. */
    public List<Relationship> relationships(long viewer, List<Long> ids) {
        Map<String, Relationship> found = new HashMap<>();
        for (Relationship r : jdbi.withHandle(h -> store.relationships(h, viewer, ids))) {
            found.put(r.id(), r);
        }
        return ids.stream().distinct().map(id -> found.get(Long.toString(id))).filter(Objects::nonNull).toList();
    }

    /** For each known account among {@code ids}, in the order asked: the accounts the viewer follows that follow it. */
    public List<Familiar> familiarFollowers(long viewer, List<Long> ids) {
        List<Long> asked = List.copyOf(new LinkedHashSet<>(ids));
        Map<Long, List<Long>> followers = jdbi.withHandle(h -> store.familiarFollowers(h, viewer, asked));
        Set<Long> known = accounts.findAll(asked).stream().map(Account::id).collect(Collectors.toSet());
        List<Familiar> result = new ArrayList<>();
        for (long id : asked) {
            if (known.contains(id)) {
                result.add(new Familiar(id, accountsOf(followers.getOrDefault(id, List.of()))));
            }
        }
        return result;
    }

    /** Who follows the account; empty when it hides its network from the viewer (0: signed out) or blocks them. */
    public PageOf<Account> followers(long accountId, long viewer, Page page) {
        Account account = target(accountId);
        if (hidden(account, viewer)) {
            return new PageOf<>(List.of(), List.of());
        }
        return accountPage(jdbi.withHandle(h -> store.followers(h, account.id(), viewer, page)));
    }

    /** Whom the account follows, under the same rules as {@link #followers}. */
    public PageOf<Account> following(long accountId, long viewer, Page page) {
        Account account = target(accountId);
        if (hidden(account, viewer)) {
            return new PageOf<>(List.of(), List.of());
        }
        return accountPage(jdbi.withHandle(h -> store.following(h, account.id(), viewer, page)));
    }

    private boolean hidden(Account account, long viewer) {
        if (account.id() == viewer) {
            return false;
        }
        return account.hideCollections() || (viewer != 0 && jdbi.withHandle(h -> store.blocking(h, account.id(), viewer)));
    }

    public PageOf<Account> followRequests(long viewer, Page page) {
        return accountPage(jdbi.withHandle(h -> store.followRequests(h, viewer, page)));
    }

    /** Accepts a pending request: the requester now follows the viewer. 404 when there is no such request. */
    public Relationship authorize(long viewer, long requesterId) {
        Account requester = target(requesterId);
        return jdbi.inTransaction(h -> {
            Optional<String> uri = store.followUri(h, requester.id(), viewer);
            FollowOptions asked = store.takeRequest(h, requester.id(), viewer).orElseThrow(ApiException::notFound);
            if (store.upsertFollow(h, requester.id(), viewer, asked)) {
                followed(h, requester.id(), viewer);
            }
            uri.ifPresent(u -> store.setUri(h, "follows", requester.id(), viewer, u));
            if (!requester.local()) {
                events.followAnswered(h, requester.id(), viewer, uri.orElse(null), true);
            }
            return relationship(h, viewer, requester.id());
        });
    }

    /** Declines a pending request. 404 when there is no such request. */
    public Relationship reject(long viewer, long requesterId) {
        Account requester = target(requesterId);
        return jdbi.inTransaction(h -> {
            Optional<String> uri = store.followUri(h, requester.id(), viewer);
            store.takeRequest(h, requester.id(), viewer).orElseThrow(ApiException::notFound);
            if (!requester.local()) {
                events.followAnswered(h, requester.id(), viewer, uri.orElse(null), false);
            }
            return relationship(h, viewer, requester.id());
        });
    }

    public PageOf<Account> blocks(long viewer, Page page) {
        return accountPage(jdbi.withHandle(h -> store.blocks(h, viewer, page)));
    }

    public PageOf<Muted> mutes(long viewer, Page page) {
        List<RelationshipStore.Entry> entries = jdbi.withHandle(h -> store.mutes(h, viewer, page));
        Map<Long, Instant> ends = new HashMap<>();
        entries.forEach(e -> ends.put(e.accountId(), e.expiresAt()));
        List<Muted> muted = accountsOf(entries.stream().map(RelationshipStore.Entry::accountId).toList()).stream()
                .map(a -> new Muted(a, ends.get(a.id()))).toList();
        return new PageOf<>(muted, entries.stream().map(RelationshipStore.Entry::key).toList());
    }

    public PageOf<String> domainBlocks(long viewer, Page page) {
        List<RelationshipStore.DomainEntry> entries = jdbi.withHandle(h -> store.domainBlocks(h, viewer, page));
        return new PageOf<>(entries.stream().map(RelationshipStore.DomainEntry::domain).toList(),
                entries.stream().map(RelationshipStore.DomainEntry::key).toList());
    }

    /**
     * Blocks a whole server for the viewer. As Mastodon cleans up after one: no follows either way
     * with its accounts any more, and no pending requests.
     */
    public void blockDomain(long viewer, String domain) {
        String blank = domain == null ? "" : domain.strip();
        if (blank.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Domain can't be blank");
        }
        String normalized = normalizedDomain(blank)
                .orElseThrow(() -> ApiException.unprocessable("Validation failed: Domain is invalid"));
        jdbi.useTransaction(h -> {
            store.blockDomain(h, viewer, normalized);
            for (RelationshipStore.Pair follow : store.deleteFollowsWithDomain(h, viewer, normalized)) {
                accounts.countFollow(h, follow.accountId(), follow.targetAccountId(), -1);
            }
            store.deleteRequestsWithDomain(h, viewer, normalized);
        });
    }

    /** Lifts a domain block; a domain that was not blocked (or is no domain at all) changes nothing. */
    public void unblockDomain(long viewer, String domain) {
        normalizedDomain(domain == null ? "" : domain.strip())
                .ifPresent(d -> jdbi.useTransaction(h -> store.unblockDomain(h, viewer, d)));
    }

    /** A domain as Mastodon keeps it: lower case, punycode, no trailing slash; empty when it is not one. */
    static Optional<String> normalizedDomain(String domain) {
        String d = domain.endsWith("/") ? domain.substring(0, domain.length() - 1) : domain;
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return d.length() < 256 && DOMAIN.matcher(d).matches() ? Optional.of(d) : Optional.empty();
    }

    /** A new follow: counted, the followed account notified, its recent statuses merged into the follower's feed. */
    private void followed(Handle h, long followerId, long targetId) {
        accounts.countFollow(h, followerId, targetId, 1);
        notifications.notify(h, targetId, followerId, NotificationService.FOLLOW, null);
        queue.enqueue(h, Queues.DEFAULT, FeedService.MERGE_JOB, new FeedService.Merge(followerId, targetId), null,
                "merge:" + followerId + ":" + targetId);
    }

    /** Removes a follow and counts it, if there was one. */
    private void unfollow(Handle h, long followerId, long targetId) {
        if (store.deleteFollow(h, followerId, targetId)) {
            accounts.countFollow(h, followerId, targetId, -1);
        }
    }

    private Relationship relationship(Handle h, long viewer, long targetId) {
        return store.relationships(h, viewer, List.of(targetId)).get(0);
    }

    /** The account, or 404 when it is unknown or a local one still awaiting approval, as Mastodon answers. */
    private Account target(long id) {
        Account account = accounts.find(id).orElseThrow(ApiException::notFound);
        if (account.local() && accounts.user(id).map(u -> !u.approved()).orElse(false)) {
            throw ApiException.notFound();
        }
        return account;
    }

    /** Language codes as given, without blanks or repeats; 422 for anything that is not one. */
    private static List<String> languages(List<String> given) {
        if (given == null) {
            return null;
        }
        LinkedHashSet<String> codes = new LinkedHashSet<>();
        for (String code : given) {
            if (code != null && !code.isBlank()) {
                if (!LANGUAGE.matcher(code.strip()).matches()) {
                    throw ApiException.unprocessable("Validation failed: Languages is invalid");
                }
                codes.add(code.strip());
            }
        }
        return List.copyOf(codes);
    }

    private PageOf<Account> accountPage(List<RelationshipStore.Entry> entries) {
        return new PageOf<>(accountsOf(entries.stream().map(RelationshipStore.Entry::accountId).toList()),
                entries.stream().map(RelationshipStore.Entry::key).toList());
    }

    /** The accounts with these ids, in this order. */
    private List<Account> accountsOf(List<Long> ids) {
        Map<Long, Account> found = new HashMap<>();
        for (Account account : accounts.findAll(ids)) {
            found.put(account.id(), account);
        }
        return ids.stream().map(found::get).filter(Objects::nonNull).toList();
    }

    /** Which of {@code viewers} must not see a status by {@code authorId} mentioning {@code mentioned}, by their blocks and mutes. */
    public java.util.Set<Long> hiding(java.util.Collection<Long> viewers, long authorId, java.util.Collection<Long> mentioned,
                                      String authorDomain) {
        if (viewers.isEmpty()) {
            return java.util.Set.of();
        }
        List<Long> involved = new java.util.ArrayList<>(mentioned);
        involved.add(authorId);
        java.util.Set<Long> hiding = new java.util.HashSet<>(jdbi.withHandle(h -> store.hiding(h, authorId, involved, authorDomain)));
        hiding.retainAll(viewers);
        return hiding;
    }

    private boolean isLocal(Handle h, long accountId) {
        return accounts.findAll(h, List.of(accountId)).stream().anyMatch(Account::local);
    }

    // Follows and blocks that other servers tell of. Federation has verified who acts; the rules that
    // hold for local accounts hold here too (blocks refuse follows, locked accounts approve them).

    /** What became of a remote account's Follow. */
    public enum RemoteFollow { FOLLOWING, REQUESTED, REFUSED }

    /**
     * A remote account follows a local one ({@code uri}: its Follow's id): refused when either blocks
     * the other, a request when the account is locked, else a follow, answered with an Accept (again
     * for a follow that already exists, as Mastodon does).
     */
    public RemoteFollow followFromRemote(long followerId, long targetId, String uri) {
        Account target = target(targetId);
        return jdbi.inTransaction(h -> {
            if (store.blockedEitherWay(h, followerId, target.id())) {
                events.followAnswered(h, followerId, target.id(), uri, false);
                return RemoteFollow.REFUSED;
            }
            FollowOptions defaults = new FollowOptions(null, null, null);
            if (!store.following(h, followerId, target.id()) && (target.locked() || store.requested(h, followerId, target.id()))) {
                if (store.upsertRequest(h, followerId, target.id(), defaults)) {
                    notifications.notify(h, target.id(), followerId, NotificationService.FOLLOW_REQUEST, null);
                }
                store.setUri(h, "follow_requests", followerId, target.id(), uri);
                return RemoteFollow.REQUESTED;
            }
            if (store.upsertFollow(h, followerId, target.id(), defaults)) {
                followed(h, followerId, target.id());
            }
            store.setUri(h, "follows", followerId, target.id(), uri);
            events.followAnswered(h, followerId, target.id(), uri, true);
            return RemoteFollow.FOLLOWING;
        });
    }

    /** A remote account accepted a local account's request (no request pending: nothing changes). */
    public void acceptedByRemote(long followerId, long targetId) {
        jdbi.useTransaction(h -> {
            Optional<String> uri = store.followUri(h, followerId, targetId);
            Optional<FollowOptions> asked = store.takeRequest(h, followerId, targetId);
            if (asked.isPresent()) {
                if (store.upsertFollow(h, followerId, targetId, asked.get())) {
                    followed(h, followerId, targetId);
                }
                uri.ifPresent(u -> store.setUri(h, "follows", followerId, targetId, u));
            }
        });
    }

    /** A remote account rejected a local account's request, or removed it from its followers. */
    public void rejectedByRemote(long followerId, long targetId) {
        jdbi.useTransaction(h -> {
            store.deleteRequest(h, followerId, targetId);
            unfollow(h, followerId, targetId);
        });
    }

    /** A follow a purge ended, seen from the local account: it followed the remote one ({@code following}) or was followed. */
    public record Severed(long localAccountId, boolean following) {}

    /**
     * Cuts a remote account whose content is purged off the graph, as Mastodon's account deletion does:
     * its follows and follow requests both ways end, counted as unfollows are (so its list memberships
     * and endorsements, which rest on the follows, go with them), and so do the blocks and mutes it made.
     * Local accounts' blocks and mutes of it stay. Nothing is sent to its server. One transaction (the
     * caller's, when it has one open); returns the follows that ended with local accounts.
     */
    public List<Severed> severRemote(long accountId) {
        return jdbi.inTransaction(h -> {
            List<Severed> severed = new ArrayList<>();
            for (RelationshipStore.Ended follow : store.deleteFollowsOf(h, accountId)) {
                accounts.countFollow(h, follow.accountId(), follow.targetAccountId(), -1);
                if (follow.otherLocal()) {
                    boolean following = follow.targetAccountId() == accountId;
                    severed.add(new Severed(following ? follow.accountId() : follow.targetAccountId(), following));
                }
            }
            store.deleteRequestsBlocksAndMutesBy(h, accountId);
            return severed;
        });
    }

    /** The shared inboxes (else inboxes) of an account's remote followers, one per server. */
    public List<String> remoteFollowerInboxes(long accountId) {
        return jdbi.withHandle(h -> store.remoteFollowerInboxes(h, accountId));
    }

    /** The local accounts following {@code accountId}. */
    public List<Long> localFollowers(long accountId) {
        return jdbi.withHandle(h -> store.localFollowers(h, accountId));
    }

    /** The {@link #CARRY_OVER_JOB}'s payload. */
    public record CarryOver(long originId, long targetId) {}

    /** What {@link #carryOver} did: followers moved (and those a block kept back), blocks and mutes copied. */
    public record CarriedOver(int followersMoved, int followersKept, int blocks, int mutes) {}

    /** Queues the carry-over of a move, in the caller's transaction, as Mastodon leaves it to a worker. */
    public void carryOverLater(long originId, long targetId) {
        jdbi.useTransaction(h -> queue.enqueue(h, Queues.DEFAULT, CARRY_OVER_JOB, new CarryOver(originId, targetId), null,
                CARRY_OVER_JOB + ":" + originId + ":" + targetId));
    }

    /**
     * An account moved to {@code targetId}, as Mastodon's move worker does it for a remote account: each
     * local follower follows the target with the same options (a request until it answers), then stops
     * following the origin; a follower that a block keeps from following the target keeps the origin.
     * Local accounts blocking or muting the origin block or mute the target too, unless they already do or
     * follow it. Followers go {@value #FOLLOWERS_PER_TRANSACTION} per transaction, in id order, and a
     * rerun after a failure finds only what is left: moved followers follow the origin no more, and blocks
     * and mutes already carried are skipped.
     */
    public CarriedOver carryOver(long originId, long targetId) {
        int moved = 0;
        int kept = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<Long> followers = jdbi.withHandle(h -> store.localFollowersAfter(h, originId, from, FOLLOWERS_PER_TRANSACTION));
            if (followers.isEmpty()) {
                break;
            }
            int movedHere = jdbi.inTransaction(h -> {
                int count = 0;
                for (long follower : followers) {
                    Relationship was = relationship(h, follower, originId);
                    if (!was.following()) {
                        continue;
                    }
                    try {
                        follow(follower, targetId, new FollowOptions(was.showingReblogs(), was.notifying(),
                                was.languages()));
                    } catch (ApiException refused) {
                        continue;
                    }
                    unfollow(follower, originId);
                    count++;
                }
                return count;
            });
            moved += movedHere;
            kept += followers.size() - movedHere;
            after = followers.getLast();
        }
        int followersMoved = moved;
        int followersKept = kept;
        return jdbi.inTransaction(h -> {
            int blocks = 0;
            for (long blocker : store.localBlockers(h, originId)) {
                if (!store.blocking(h, blocker, targetId) && !store.following(h, blocker, targetId)) {
                    block(blocker, targetId);
                    blocks++;
                }
            }
            int mutes = 0;
            for (RelationshipStore.Muter muter : store.localMuters(h, originId)) {
                if (!store.muting(h, muter.accountId(), targetId) && !store.following(h, muter.accountId(), targetId)) {
                    mute(muter.accountId(), targetId, muter.hideNotifications(), 0);
                    mutes++;
                }
            }
            log.info("account {} moved to {}: {} local followers follow it now ({} kept back), {} blocks and {} mutes"
                    + " carried over", originId, targetId, followersMoved, followersKept, blocks, mutes);
            return new CarriedOver(followersMoved, followersKept, blocks, mutes);
        });
    }

    /** The local account whose follow (or request) of {@code targetId} has the Follow id {@code uri}. */
    public Optional<Long> followerByUri(long targetId, String uri) {
        return jdbi.withHandle(h -> store.followerByUri(h, targetId, uri));
    }
}
