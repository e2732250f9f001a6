package social.caravan.search;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.RemoteResolver;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.RemoteStatusResolver;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;

/**
 * Search as Mastodon's: accounts by handle or display name, hashtags by name, statuses by their
 * words (for signed-in people only). Which kinds a query looks for follows Mastodon's rules: a
 * query starting with {@code #} finds no accounts, one with {@code @} no hashtags, and a lone
 * {@code #tag} or {@code @handle} no statuses.
 */
public final class SearchService {
    /** How many days of use a hashtag shows, today first. */
    static final int HISTORY_DAYS = 7;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private final Jdbi jdbi;
    private final SearchStore store = new SearchStore();
    private final AccountService accounts;
    private final StatusService statuses;
    private final RemoteResolver remote;
    private final RemoteStatusResolver remoteStatuses;
    private final String localDomain;

    public SearchService(Jdbi jdbi, AccountService accounts, StatusService statuses, RemoteResolver remote,
                         RemoteStatusResolver remoteStatuses, String localDomain) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.statuses = statuses;
        this.remote = remote;
        this.remoteStatuses = remoteStatuses;
        this.localDomain = localDomain;
    }

    /**
     * A search. {@code type} null searches every kind; an unknown type finds nothing, as on
     * Mastodon. {@code offset} applies only to a search of one type.
     */
    public record Query(String q, String type, boolean following, String accountId, boolean excludeUnreviewed,
                        long upper, long lower, int limit, int offset, boolean resolve) {}

    public record Day(Instant day, long uses, long accounts) {}

    public record Tag(long id, String name, List<Day> history) {}

    public record Results(List<Account> accounts, List<Status> statuses, List<Tag> hashtags) {}

    public Results search(long viewer, Query query) {
        String q = query.q().strip();
        int offset = query.type() == null ? 0 : query.offset();
        if (q.isEmpty() || query.limit() == 0) {
            return new Results(List.of(), List.of(), List.of());
        }
        List<Account> foundAccounts = List.of();
        List<Status> foundStatuses = List.of();
        List<Tag> foundTags = List.of();
        boolean wants = query.type() == null;
        if (query.resolve() && viewer != 0) {
            Optional<Results> resolved = resolve(viewer, q, query, offset);
            if (resolved.isPresent()) {
                return resolved.get();
            }
        }
        if ((wants || "accounts".equals(query.type())) && !(q.startsWith("#") || (q.contains("@") && q.contains(" ")))) {
            foundAccounts = accounts(viewer, q, query.following() && viewer != 0, query.limit(), offset);
        }
        if ((wants || "statuses".equals(query.type())) && viewer != 0
                && !((q.startsWith("#") || q.contains("@")) && !q.contains(" "))) {
            foundStatuses = statuses(viewer, q, query, offset);
        }
        if ((wants || "hashtags".equals(query.type())) && !q.contains("@")) {
            foundTags = tags(q, query.excludeUnreviewed(), query.limit(), offset);
        }
        return new Results(foundAccounts, foundStatuses, foundTags);
    }

    private static final Pattern REMOTE_HANDLE = Pattern.compile("@?([a-z0-9_][a-z0-9_.\\-]*)@([a-z0-9.\\-]+(:\\d+)?)",
            Pattern.CASE_INSENSITIVE);

    /**
     * With {@code resolve}, as Mastodon: a URL answers with the status or the actor it names alone (a
     * status only when the viewer may see it); a remote handle puts the resolved account first, then the
     * local search.
     */
    private Optional<Results> resolve(long viewer, String q, Query query, int offset) {
        boolean wantsAccounts = query.type() == null || "accounts".equals(query.type());
        boolean wantsStatuses = query.type() == null || "statuses".equals(query.type());
        if (q.startsWith("https://") || q.startsWith("http://")) {
            if (wantsStatuses) {
                Optional<Status> status = remoteStatuses.resolve(q);
                if (status.isPresent()) {
                    return Optional.of(new Results(List.of(), statuses.getMany(List.of(status.get().id()), viewer), List.of()));
                }
            }
            return wantsAccounts ? remote.resolveUri(q).map(a -> new Results(List.of(a), List.of(), List.of()))
                    : Optional.empty();
        }
        if (!wantsAccounts) {
            return Optional.empty();
        }
        Matcher handle = REMOTE_HANDLE.matcher(q);
        if (!handle.matches() || handle.group(2).equalsIgnoreCase(localDomain) || accounts.isLocalDomain(handle.group(2))) {
            return Optional.empty();
        }
        Optional<Account> found = remote.resolveHandle(handle.group(1), handle.group(2));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<Account> rest = accounts(viewer, q, query.following(), query.limit(), offset);
        List<Account> all = new ArrayList<>();
        all.add(found.get());
        rest.stream().filter(a -> a.id() != found.get().id()).limit(Math.max(0, query.limit() - 1)).forEach(all::add);
        return Optional.of(new Results(all, List.of(), List.of()));
    }

    /** {@code q} as {@code name}, {@code @name}, {@code name@domain} or display-name words. */
    public List<Account> accounts(long viewer, String q, boolean following, int limit, int offset) {
        String handle = q.strip().replaceFirst("^@", "").toLowerCase(Locale.ROOT);
        if (handle.isEmpty() || limit < 1) {
            return List.of();
        }
        SearchStore.AccountQuery query;
        int at = handle.indexOf('@');
        if (at >= 0) {
            String username = handle.substring(0, at);
            String domain = handle.substring(at + 1);
            boolean local = domain.equalsIgnoreCase(localDomain);
            query = new SearchStore.AccountQuery(username, local || domain.isEmpty() ? null : domain, local, null, following);
        } else {
            query = new SearchStore.AccountQuery(handle, null, false, prefixWords(handle), following);
        }
        List<Long> ids = jdbi.withHandle(h -> store.accounts(h, viewer, query, limit, offset));
        Map<Long, Account> byId = new HashMap<>();
        accounts.findAll(ids).forEach(a -> byId.put(a.id(), a));
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    private List<Status> statuses(long viewer, String q, Query query, int offset) {
        Long author = null;
        if (query.accountId() != null && !query.accountId().isBlank()) {
            author = Ids.parse(query.accountId()).orElse(-1);
        }
        SearchStore.StatusQuery statusQuery = new SearchStore.StatusQuery(q, author, query.upper(), query.lower(),
                query.limit(), offset);
        return statuses.getMany(jdbi.withHandle(h -> store.statuses(h, viewer, statusQuery)), viewer);
    }

    private List<Tag> tags(String q, boolean exactOnly, int limit, int offset) {
        String name = q.replaceFirst("^#", "").strip().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            return List.of();
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant since = today.minusDays(HISTORY_DAYS - 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return jdbi.withHandle(h -> {
            List<SearchStore.TagRow> rows = store.tags(h, name, exactOnly, limit, offset);
            Map<Long, Map<Instant, SearchStore.TagDay>> days = new HashMap<>();
            for (SearchStore.TagDay d : store.tagDays(h, rows.stream().map(SearchStore.TagRow::id).toList(), since)) {
                days.computeIfAbsent(d.tagId(), k -> new HashMap<>()).put(d.day(), d);
            }
            return rows.stream().map(row -> {
                List<Day> history = new ArrayList<>();
                for (int i = 0; i < HISTORY_DAYS; i++) {
                    Instant day = today.minusDays(i).atStartOfDay(ZoneOffset.UTC).toInstant();
                    SearchStore.TagDay used = days.getOrDefault(row.id(), Map.of()).get(day);
                    history.add(new Day(day, used == null ? 0 : used.uses(), used == null ? 0 : used.accounts()));
                }
                return new Tag(row.id(), row.name(), history);
            }).toList();
        });
    }

    /** Each word of the query as a prefix, all required: {@code ali:* & smi:*}; null when there are none. */
    private static String prefixWords(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group() + ":*");
        }
        return words.isEmpty() ? null : String.join(" & ", words);
    }
}
