package social.caravan.discovery;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;

/** Trends, follow suggestions and the profile directory, all read from recent local activity. */
public final class DiscoveryService {
    /** Mastodon's thresholds: five accounts for a tag, five favourites and boosts for a post. */
    static final int TAG_THRESHOLD = 5;
    static final int STATUS_THRESHOLD = 5;
    /** A trending post's score halves every six hours; after two days it no longer counts. */
    static final double STATUS_HALF_LIFE_HOURS = 6;
    static final int STATUS_MAX_AGE_HOURS = 48;

    private final Jdbi jdbi;
    private final DiscoveryStore store = new DiscoveryStore();
    private final AccountService accounts;
    private final Clock clock;

    public DiscoveryService(Jdbi jdbi, AccountService accounts, Clock clock) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.clock = clock;
    }

    public enum Source {
        FRIENDS_OF_FRIENDS("friends_of_friends", "past_interactions"),
        MOST_FOLLOWED("most_followed", "global");

        /** The name in Suggestion.sources, and the deprecated single {@code source} Mastodon still renders. */
        public final String key;
        public final String legacyKey;

        Source(String key, String legacyKey) {
            this.key = key;
            this.legacyKey = legacyKey;
        }
    }

    public record Suggestion(Account account, List<Source> sources) {}

    /** Tag ids, best first. */
    public List<Long> trendingTags(int offset, int limit) {
        return jdbi.withHandle(h -> store.trendingTags(h, clock.instant(), TAG_THRESHOLD, offset, limit));
    }

    /** Status ids, best first, for the viewer (0 when signed out). */
    public List<Long> trendingStatuses(long viewer, int offset, int limit) {
        return jdbi.withHandle(h -> store.trendingStatuses(h, viewer, clock.instant(), STATUS_THRESHOLD,
                STATUS_HALF_LIFE_HOURS, STATUS_MAX_AGE_HOURS, offset, limit));
    }

    /**
     * Accounts to follow: those followed by the people the viewer follows first, then the most
     * followed local accounts; an account found by both names both sources.
     */
    public List<Suggestion> suggestions(long viewer, int limit) {
        if (limit == 0) {
            return List.of();
        }
        Map<Long, List<Source>> found = new LinkedHashMap<>();
        jdbi.useHandle(h -> {
            store.friendsOfFriends(h, viewer, limit).forEach(id -> found.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(Source.FRIENDS_OF_FRIENDS));
            store.mostFollowed(h, viewer, limit).forEach(id -> found.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(Source.MOST_FOLLOWED));
        });
        List<Long> ids = found.keySet().stream().limit(limit).toList();
        return inOrder(ids).stream().map(a -> new Suggestion(a, found.get(a.id()))).toList();
    }

    public void dismiss(long viewer, long accountId) {
        jdbi.useHandle(h -> store.dismiss(h, viewer, accountId));
    }

    public List<Account> directory(long viewer, boolean newest, boolean localOnly, int offset, int limit) {
        return inOrder(jdbi.withHandle(h -> store.directory(h, viewer, newest, localOnly, offset, limit)));
    }

    private List<Account> inOrder(List<Long> ids) {
        Map<Long, Account> byId = new LinkedHashMap<>();
        accounts.findAll(ids).forEach(a -> byId.put(a.id(), a));
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    }
}
