package social.caravan.tags;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.AccountService;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;

/** Hashtags: showing one with its week of use, following them, and featuring them on a profile. */
public final class TagService {
    /** The names posts make tags of (see TextFormatter): letters, digits and underscores, not only digits. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_]*[\\p{L}_][\\p{L}\\p{N}_]*");
    /** Tag.history covers today and the six days before, newest first. */
    static final int HISTORY_DAYS = 7;
    /** Mastodon lets a local account feature at most ten tags. */
    static final int MAX_FEATURED = 10;
    /** Featuring suggestions come from the tags of this many newest statuses, ten at most. */
    static final int SUGGESTION_STATUSES = 1000;
    static final int MAX_SUGGESTIONS = 10;

    private final Jdbi jdbi;
    private final TagStore store = new TagStore();
    private final AccountService accounts;
    private final TagEvents events;
    private final String baseUrl;
    private final Clock clock;

    public TagService(Jdbi jdbi, AccountService accounts, TagEvents events, String baseUrl, Clock clock) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.events = events;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    /** A page of tags and the keys it is paged by, newest first. */
    public record Paged<T>(List<T> items, List<Long> pagingKeys) {}

    /** A hashtag by name, used or not; 404 for a name that cannot be a hashtag. */
    public TagJson.TagView show(String name, long viewer) {
        String valid = validName(name);
        return jdbi.withHandle(h -> view(h, found(h, valid), viewer));
    }

    public TagJson.TagView follow(long viewer, String name) {
        String valid = validName(name);
        return jdbi.inTransaction(h -> {
            TagStore.Tag tag = store.findOrCreate(h, valid);
            store.follow(h, viewer, tag.id());
            return view(h, tag, viewer);
        });
    }

    public TagJson.TagView unfollow(long viewer, String name) {
        String valid = validName(name);
        return jdbi.inTransaction(h -> {
            TagStore.Tag tag = found(h, valid);
            store.unfollow(h, viewer, tag.id());
            return view(h, tag, viewer);
        });
    }

    /** The tags the viewer follows, newest follow first, paged by the hidden follow ids. */
    public Paged<TagJson.TagView> followed(long viewer, Window w) {
        return jdbi.withHandle(h -> {
            List<TagStore.Followed> rows = store.followed(h, viewer, w);
            return new Paged<>(views(h, rows.stream().map(TagStore.Followed::tag).toList(), viewer),
                    rows.stream().map(TagStore.Followed::followId).toList());
        });
    }

    /** Tags by id, rendered for the viewer (0 when signed out), in the order given. */
    public List<TagJson.TagView> views(List<Long> tagIds, long viewer) {
        if (tagIds.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> {
            Map<Long, TagStore.Tag> found = new HashMap<>();
            store.findAll(h, tagIds).forEach(t -> found.put(t.id(), t));
            return views(h, tagIds.stream().map(found::get).filter(java.util.Objects::nonNull).toList(), viewer);
        });
    }

    /** An account's featured tags, most used first; 404 for an account that does not exist. */
    public List<TagJson.FeaturedTagView> featured(long accountId) {
        accounts.find(accountId).orElseThrow(ApiException::notFound);
        return jdbi.withHandle(h -> store.featured(h, accountId).stream().map(this::view).toList());
    }

    /**
     * Features a tag on the viewer's profile. Featuring it again under the same name returns the
     * one there is; under another spelling it is taken, as Mastodon answers.
     */
    public TagJson.FeaturedTagView feature(long viewer, String rawName) {
        String name = rawName == null ? "" : rawName.strip().replaceFirst("^#", "");
        if (name.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Name can't be blank");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.unprocessable("Validation failed: Name is invalid");
        }
        return jdbi.inTransaction(h -> {
            long id = featureIn(h, viewer, name, false);
            return store.featured(h, viewer).stream().filter(f -> f.id() == id).map(this::view).findFirst().orElseThrow();
        });
    }

    /** Features the tag, unless it already is; returns the featured tag's id. */
    private long featureIn(Handle h, long viewer, String name, boolean anySpelling) {
        int count = store.lockFeatured(h, viewer);
        TagStore.Tag tag = store.findOrCreate(h, name);
        var existing = store.featuredFor(h, viewer, tag.id());
        if (existing.isPresent()) {
            if (anySpelling || existing.get().getValue().equals(name)) {
                return existing.get().getKey();
            }
            throw ApiException.unprocessable("Validation failed: Name has already been taken");
        }
        if (count >= MAX_FEATURED) {
            throw ApiException.unprocessable("Validation failed: You have already featured the maximum number of hashtags");
        }
        long id = store.feature(h, viewer, tag.id(), name);
        events.featured(h, viewer, name, false);
        return id;
    }

    public void unfeature(long viewer, long featuredId) {
        jdbi.useTransaction(h -> {
            String name = store.unfeature(h, viewer, featuredId).orElseThrow(ApiException::notFound);
            events.featured(h, viewer, name, true);
        });
    }

    /** POST /api/v1/tags/:name/feature: features the tag (Mastodon 4.4) and renders the Tag. */
    public TagJson.TagView featureTag(long viewer, String name) {
        String valid = validName(name);
        return jdbi.inTransaction(h -> {
            featureIn(h, viewer, valid, true);
            return view(h, store.find(h, valid).orElseThrow(), viewer);
        });
    }

    public TagJson.TagView unfeatureTag(long viewer, String name) {
        String valid = validName(name);
        return jdbi.inTransaction(h -> {
            TagStore.Tag tag = found(h, valid);
            store.unfeatureTag(h, viewer, tag.id()).ifPresent(featured -> events.featured(h, viewer, featured, true));
            return view(h, tag, viewer);
        });
    }

    /** Tags the viewer used lately and does not feature yet. */
    public List<TagJson.TagView> featureSuggestions(long viewer) {
        return jdbi.withHandle(h -> views(h, store.recentlyUsed(h, viewer, SUGGESTION_STATUSES, MAX_SUGGESTIONS), viewer));
    }

    /** The tag, or an unsaved one by that name (id 0) that renders as Mastodon renders a tag no status used. */
    private TagStore.Tag found(Handle h, String name) {
        return store.find(h, name).orElse(new TagStore.Tag(0, name.toLowerCase(Locale.ROOT)));
    }

    private static String validName(String raw) {
        String name = raw == null ? "" : raw.replaceFirst("^#", "");
        if (!NAME.matcher(name).matches()) {
            throw ApiException.notFound();
        }
        return name;
    }

    private TagJson.TagView view(Handle h, TagStore.Tag tag, long viewer) {
        return views(h, List.of(tag), viewer).get(0);
    }

    private List<TagJson.TagView> views(Handle h, List<TagStore.Tag> tags, long viewer) {
        List<Long> ids = tags.stream().map(TagStore.Tag::id).filter(id -> id != 0).toList();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = today.minusDays(HISTORY_DAYS - 1);
        Map<Long, Map<LocalDate, TagStore.Usage>> usage = ids.isEmpty() ? Map.of() : store.usage(h, ids, first);
        Set<Long> following = viewer == 0 || ids.isEmpty() ? Set.of() : store.following(h, viewer, ids);
        Set<Long> featuring = viewer == 0 || ids.isEmpty() ? Set.of() : store.featuring(h, viewer, ids);
        List<TagJson.TagView> views = new ArrayList<>();
        for (TagStore.Tag tag : tags) {
            Map<LocalDate, TagStore.Usage> days = usage.getOrDefault(tag.id(), Map.of());
            List<TagJson.HistoryView> history = new ArrayList<>();
            for (LocalDate day = today; !day.isBefore(first); day = day.minusDays(1)) {
                TagStore.Usage u = days.getOrDefault(day, new TagStore.Usage(0, 0));
                history.add(new TagJson.HistoryView(Long.toString(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond()),
                        Long.toString(u.uses()), Long.toString(u.accounts())));
            }
            views.add(new TagJson.TagView(tag.id() == 0 ? "" : Long.toString(tag.id()), tag.name(), url(tag.name()),
                    history, viewer == 0 ? null : following.contains(tag.id()),
                    viewer == 0 ? null : featuring.contains(tag.id())));
        }
        return views;
    }

    private TagJson.FeaturedTagView view(TagStore.Featured f) {
        return new TagJson.FeaturedTagView(Long.toString(f.id()), f.name(),
                baseUrl + "/@" + f.username() + "/tagged/" + TagJson.pathSegment(f.tagName()), Long.toString(f.statusesCount()),
                f.lastStatusAt() == null ? null : f.lastStatusAt().atZone(ZoneOffset.UTC).toLocalDate());
    }

    private String url(String name) {
        return TagJson.url(baseUrl, name);
    }
}
