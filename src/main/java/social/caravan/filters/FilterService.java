package social.caravan.filters;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.cache.RowCache;
import social.caravan.core.http.ApiException;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;

/**
 * Filters (v2, and v1's one-keyword view of them) and their application to rendered statuses.
 * Validation follows Mastodon's model: every failure of a change is reported in one 422, and
 * nothing is written unless all of it is valid.
 */
public final class FilterService implements StatusFilters {
    /** Mastodon's answer when a v1 app changes what several keywords share. */
    static final String MULTIPLE_KEYWORDS = "These parameters cannot be changed from this application because they"
            + " apply to more than one filter keyword. Use a more recent application or the web interface.";

    /** Cache kind of an account's filters, as the triggers of migration V010 name it. */
    public static final char FILTERS = 'f';
    static final int ACCOUNTS_CACHED = 10_000;

    private final Jdbi jdbi;
    private final Invalidations invalidations;
    private final RowCache<Compiled> byAccount;
    private final FilterStore store = new FilterStore();
    private final StatusService statuses;
    private final EventBus bus;

    public FilterService(Jdbi jdbi, Invalidations invalidations, StatusService statuses, EventBus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
        this.invalidations = invalidations;
        this.statuses = statuses;
        this.byAccount = new RowCache<>(invalidations, FILTERS, ACCOUNTS_CACHED, Duration.ofMinutes(5));
    }

    /**
     * A change to an account's filters, seen by this process's cache as soon as it commits; the
     * account's user streams hear {@code filters_changed}.
     */
    private <T> T inWrite(long accountId, HandleCallback<T, RuntimeException> change) {
        return jdbi.inTransaction(h -> {
            invalidations.changedOnCommit(h, FILTERS, accountId);
            bus.publish(h, Channels.home(accountId), "filters_changed", null);
            return change.withHandle(h);
        });
    }

    private void useWrite(long accountId, HandleConsumer<RuntimeException> change) {
        inWrite(accountId, h -> {
            change.useHandle(h);
            return null;
        });
    }

    /** An account's filters with their keyword patterns compiled, as every page it reads applies them. */
    private record Compiled(List<Filter> filters, Map<Long, Pattern> patterns) {}

    private Compiled compiled(long accountId) {
        Compiled cached = byAccount.get(accountId);
        if (cached != null) {
            return cached;
        }
        long seen = invalidations.epoch();
        List<Filter> all = jdbi.withHandle(h -> store.filters(h, accountId));
        Map<Long, Pattern> patterns = new HashMap<>();
        all.forEach(f -> patterns.put(f.id(), KeywordMatcher.compile(f.keywords())));
        Compiled compiled = new Compiled(all, patterns);
        byAccount.put(accountId, compiled, seen);
        return compiled;
    }

    /** How long a filter lasts from now: {@code seconds} null for ever. */
    public record Expiry(Integer seconds) {
        Instant at() {
            return seconds == null ? null : Instant.now().plusSeconds(seconds);
        }
    }

    /** One entry of {@code keywords_attributes}; null fields were not given. */
    public record KeywordChange(Long id, String keyword, Boolean wholeWord, boolean destroy) {}

    /** A new filter or a change to one; null fields (and a null expiry) were not given. */
    public record Change(String title, List<String> context, String action, Expiry expiry,
                         List<KeywordChange> keywords) {}

    public List<Filter> list(long accountId) {
        return jdbi.withHandle(h -> store.filters(h, accountId));
    }

    public Filter get(long accountId, long id) {
        return jdbi.withHandle(h -> store.filter(h, accountId, id)).orElseThrow(ApiException::notFound);
    }

    public Filter create(long accountId, Change change) {
        return inWrite(accountId, h -> {
            String action = change.action() == null ? "warn" : change.action();
            List<String> context = normalized(change.context());
            List<String> errors = filterErrors(change.title(), context, action);
            List<KeywordChange> added = new ArrayList<>();
            for (KeywordChange k : change.keywords()) {
                if (k.id() != null) {
                    throw ApiException.notFound();
                }
                if (!k.destroy() && !allBlank(k)) {
                    added.add(k);
                }
            }
            errors.addAll(keywordErrors(added));
            fail(errors);
            long id = store.insert(h, accountId, change.title(), context, action,
                    change.expiry() == null ? null : change.expiry().at());
            for (KeywordChange k : added) {
                store.insertKeyword(h, id, k.keyword(), k.wholeWord() == null || k.wholeWord());
            }
            return store.filter(h, accountId, id).orElseThrow();
        });
    }

    public Filter update(long accountId, long id, Change change) {
        return inWrite(accountId, h -> {
            Filter current = store.filter(h, accountId, id).orElseThrow(ApiException::notFound);
            String title = change.title() == null ? current.title() : change.title();
            List<String> context = change.context() == null ? current.context() : normalized(change.context());
            String action = change.action() == null ? current.action() : change.action();
            List<String> errors = filterErrors(title, context, action);
            Map<Long, Filter.Keyword> existing = new HashMap<>();
            current.keywords().forEach(k -> existing.put(k.id(), k));
            List<KeywordChange> added = new ArrayList<>();
            List<Filter.Keyword> changed = new ArrayList<>();
            Set<Long> destroyed = new LinkedHashSet<>();
            for (KeywordChange k : change.keywords()) {
                if (k.id() == null) {
                    if (!k.destroy() && !allBlank(k)) {
                        added.add(k);
                    }
                    continue;
                }
                Filter.Keyword old = existing.get(k.id());
                if (old == null) {
                    throw ApiException.notFound();
                }
                if (k.destroy()) {
                    destroyed.add(old.id());
                } else {
                    changed.add(new Filter.Keyword(old.id(), id, k.keyword() == null ? old.keyword() : k.keyword(),
                            k.wholeWord() == null ? old.wholeWord() : k.wholeWord()));
                }
            }
            errors.addAll(keywordErrors(added));
            if (changed.stream().anyMatch(k -> k.keyword().isBlank())) {
                errors.add("Keywords keyword can't be blank");
            }
            fail(errors);
            store.update(h, id, title, context, action,
                    change.expiry() == null ? current.expiresAt() : change.expiry().at());
            destroyed.forEach(k -> store.deleteKeyword(h, k));
            changed.forEach(k -> store.updateKeyword(h, k.id(), k.keyword(), k.wholeWord()));
            added.forEach(k -> store.insertKeyword(h, id, k.keyword(), k.wholeWord() == null || k.wholeWord()));
            return store.filter(h, accountId, id).orElseThrow();
        });
    }

    public void delete(long accountId, long id) {
        useWrite(accountId, h -> {
            store.filter(h, accountId, id).orElseThrow(ApiException::notFound);
            store.delete(h, id);
        });
    }

    // Keywords

    public List<Filter.Keyword> keywords(long accountId, long filterId) {
        return get(accountId, filterId).keywords();
    }

    public Filter.Keyword keyword(long accountId, long id) {
        return jdbi.withHandle(h -> store.keyword(h, accountId, id)).orElseThrow(ApiException::notFound);
    }

    public Filter.Keyword addKeyword(long accountId, long filterId, String keyword, Boolean wholeWord) {
        return inWrite(accountId, h -> {
            store.filter(h, accountId, filterId).orElseThrow(ApiException::notFound);
            requireKeyword(keyword);
            long id = store.insertKeyword(h, filterId, keyword, wholeWord == null || wholeWord);
            return store.keyword(h, accountId, id).orElseThrow();
        });
    }

    public Filter.Keyword updateKeyword(long accountId, long id, String keyword, Boolean wholeWord) {
        return inWrite(accountId, h -> {
            Filter.Keyword current = store.keyword(h, accountId, id).orElseThrow(ApiException::notFound);
            String text = keyword == null ? current.keyword() : keyword;
            requireKeyword(text);
            store.updateKeyword(h, id, text, wholeWord == null ? current.wholeWord() : wholeWord);
            return store.keyword(h, accountId, id).orElseThrow();
        });
    }

    public void deleteKeyword(long accountId, long id) {
        useWrite(accountId, h -> {
            store.keyword(h, accountId, id).orElseThrow(ApiException::notFound);
            store.deleteKeyword(h, id);
        });
    }

    // Statuses

    public List<Filter.StatusRule> statusRules(long accountId, long filterId) {
        return get(accountId, filterId).statuses();
    }

    public Filter.StatusRule statusRule(long accountId, long id) {
        return jdbi.withHandle(h -> store.statusRule(h, accountId, id)).orElseThrow(ApiException::notFound);
    }

    /** Only a status the owner may see can be named; one unknown or hidden from them looks the same. */
    public Filter.StatusRule addStatus(long accountId, long filterId, Long statusId) {
        get(accountId, filterId);
        if (statusId == null || statuses.getMany(List.of(statusId), accountId).isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Status must exist");
        }
        return inWrite(accountId, h -> {
            store.filter(h, accountId, filterId).orElseThrow(ApiException::notFound);
            long id = store.insertStatusRule(h, filterId, statusId)
                    .orElseThrow(() -> ApiException.unprocessable("Validation failed: Status has already been taken"));
            return store.statusRule(h, accountId, id).orElseThrow();
        });
    }

    public void deleteStatusRule(long accountId, long id) {
        useWrite(accountId, h -> {
            store.statusRule(h, accountId, id).orElseThrow(ApiException::notFound);
            store.deleteStatusRule(h, id);
        });
    }

    // v1: each keyword is a filter of its own

    /** A keyword with the filter it belongs to, as v1 shows it. */
    public record V1(Filter.Keyword keyword, Filter filter) {}

    /** What v1 sends; null fields were not given. {@code irreversible} is the {@code hide} action. */
    public record V1Change(String phrase, List<String> context, Boolean irreversible, Boolean wholeWord, Expiry expiry) {}

    public List<V1> v1List(long accountId) {
        return jdbi.withHandle(h -> {
            Map<Long, Filter> filters = new HashMap<>();
            store.filters(h, accountId).forEach(f -> filters.put(f.id(), f));
            return store.keywords(h, accountId).stream().map(k -> new V1(k, filters.get(k.filterId()))).toList();
        });
    }

    public V1 v1Get(long accountId, long keywordId) {
        return jdbi.withHandle(h -> v1(h, accountId, keywordId));
    }

    /** A filter titled with the phrase, holding the phrase as its one keyword. */
    public V1 v1Create(long accountId, V1Change change) {
        return inWrite(accountId, h -> {
            List<String> context = normalized(change.context());
            String action = Boolean.TRUE.equals(change.irreversible()) ? "hide" : "warn";
            fail(filterErrors(change.phrase(), context, action));
            long filterId = store.insert(h, accountId, change.phrase(), context, action,
                    change.expiry() == null ? null : change.expiry().at());
            long keywordId = store.insertKeyword(h, filterId, change.phrase(),
                    change.wholeWord() == null || change.wholeWord());
            return v1(h, accountId, keywordId);
        });
    }

    /**
     * Changes the keyword; context, expiry and irreversible belong to its filter, and can be changed
     * from v1 only while the filter has no other keyword.
     */
    public V1 v1Update(long accountId, long keywordId, V1Change change) {
        return inWrite(accountId, h -> {
            V1 current = v1(h, accountId, keywordId);
            Filter filter = current.filter();
            String phrase = change.phrase() == null ? current.keyword().keyword() : change.phrase();
            requireKeyword(phrase);
            store.updateKeyword(h, keywordId, phrase,
                    change.wholeWord() == null ? current.keyword().wholeWord() : change.wholeWord());
            List<String> context = change.context() == null ? filter.context() : normalized(change.context());
            String action = change.irreversible() == null ? filter.action()
                    : change.irreversible() ? "hide" : "warn";
            Instant expiresAt = change.expiry() == null ? filter.expiresAt() : change.expiry().at();
            boolean changed = !context.equals(filter.context()) || !action.equals(filter.action())
                    || !Objects.equals(expiresAt, filter.expiresAt());
            if (changed && filter.keywords().size() > 1) {
                throw ApiException.unprocessable(MULTIPLE_KEYWORDS);
            }
            if (changed) {
                fail(filterErrors(filter.title(), context, action));
                store.update(h, filter.id(), filter.title(), context, action, expiresAt);
            }
            return v1(h, accountId, keywordId);
        });
    }

    /** Deletes the keyword only; its filter stays, as on Mastodon. */
    public void v1Delete(long accountId, long keywordId) {
        deleteKeyword(accountId, keywordId);
    }

    private V1 v1(Handle h, long accountId, long keywordId) {
        Filter.Keyword keyword = store.keyword(h, accountId, keywordId).orElseThrow(ApiException::notFound);
        return new V1(keyword, store.filter(h, accountId, keyword.filterId()).orElseThrow());
    }

    // Applying filters

    /** Which of {@code accounts} have a filter in force: only they need {@link #apply}, so a stream asks once for all its viewers. */
    public java.util.Set<Long> filtering(java.util.Collection<Long> accounts) {
        if (accounts.isEmpty()) {
            return java.util.Set.of();
        }
        return java.util.Set.copyOf(jdbi.withHandle(h -> store.filtering(h, accounts)));
    }

    /** A filter result: the filter, the text its keywords matched, the statuses it named. */
    public record Result(Filter filter, List<String> keywordMatches, List<String> statusMatches) {}

    @Override
    public List<StatusJson.StatusView> apply(long viewer, Context context, List<StatusJson.StatusView> views) {
        if (viewer == 0 || views.isEmpty()) {
            return views;
        }
        Compiled compiled = compiled(viewer);
        Instant now = Instant.now();
        List<Filter> active = compiled.filters().stream()
                .filter(f -> f.expiresAt() == null || f.expiresAt().isAfter(now)).toList();
        if (active.isEmpty()) {
            return views;
        }
        Map<Long, Pattern> patterns = compiled.patterns();
        List<StatusJson.StatusView> kept = new ArrayList<>(views.size());
        for (StatusJson.StatusView view : views) {
            List<Result> results = results(view, active, patterns);
            if (results.isEmpty()) {
                kept.add(view);
            } else if (results.stream().noneMatch(r -> hides(r.filter(), context))) {
                kept.add(view.withFiltered(results.stream().map(r -> (Object) FilterJson.result(r)).toList()));
            }
        }
        return kept;
    }

    /** Boosts are matched on the original's text; a status rule matches the boost or the original. */
    private static List<Result> results(StatusJson.StatusView view, List<Filter> filters, Map<Long, Pattern> patterns) {
        StatusJson.StatusView proper = view.reblog() == null ? view : view.reblog();
        String text = null;
        Set<String> ids = new LinkedHashSet<>();
        ids.add(view.id());
        if (view.reblog() != null) {
            ids.add(view.reblog().id());
        }
        List<Result> results = new ArrayList<>();
        for (Filter f : filters) {
            Pattern pattern = patterns.get(f.id());
            String keywordMatch = null;
            if (pattern != null) {
                if (text == null) {
                    text = KeywordMatcher.searchableText(proper);
                }
                keywordMatch = KeywordMatcher.firstMatch(pattern, text);
            }
            List<String> statusMatches = f.statuses().stream().map(s -> Long.toString(s.statusId()))
                    .filter(ids::contains).toList();
            if (keywordMatch != null || !statusMatches.isEmpty()) {
                results.add(new Result(f, keywordMatch == null ? null : List.of(keywordMatch),
                        statusMatches.isEmpty() ? null : statusMatches));
            }
        }
        return results;
    }

    private static boolean hides(Filter filter, Context context) {
        return filter.action().equals("hide") && context != Context.NONE && filter.context().contains(context.key());
    }

    // Validation

    private static List<String> normalized(List<String> context) {
        if (context == null) {
            return List.of();
        }
        return context.stream().filter(Objects::nonNull).map(String::strip).filter(c -> !c.isEmpty()).distinct().toList();
    }

    /** Mastodon's messages, in its order. */
    private static List<String> filterErrors(String title, List<String> context, String action) {
        List<String> errors = new ArrayList<>();
        if (title == null || title.isBlank()) {
            errors.add("Title can't be blank");
        }
        if (context.isEmpty()) {
            errors.add("Context can't be blank");
        }
        if (context.isEmpty() || !Filter.CONTEXTS.containsAll(context)) {
            errors.add("Context None or invalid context supplied");
        }
        if (!Filter.ACTIONS.contains(action)) {
            errors.add("Filter action is not included in the list");
        }
        return errors;
    }

    private static List<String> keywordErrors(List<KeywordChange> added) {
        return added.stream().anyMatch(k -> k.keyword() == null || k.keyword().isBlank())
                ? List.of("Keywords keyword can't be blank") : List.of();
    }

    /** Rails' {@code reject_if: :all_blank}: nothing but blanks (false counts as blank) adds nothing. */
    private static boolean allBlank(KeywordChange k) {
        return (k.keyword() == null || k.keyword().isBlank()) && !Boolean.TRUE.equals(k.wholeWord());
    }

    private static void requireKeyword(String keyword) {
        if (keyword == null || keyword.isBlank()) {
            throw ApiException.unprocessable("Validation failed: Keyword can't be blank");
        }
    }

    private static void fail(List<String> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: " + String.join(", ", errors));
        }
    }
}
