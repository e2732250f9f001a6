package social.caravan.statuses;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.auth.AuthService;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.cache.RowCache;
import social.caravan.core.http.ApiException;
import social.caravan.polls.PollService;

/**
 * How statuses render for a viewer: from this process's caches of bodies and counts (by status),
 * flags (by viewer) and accounts, kept true by {@link Invalidations}, reading only what they miss.
 */
final class StatusViews {
    /** About 1 KiB each: the statuses a busy instance's readers see in their feeds. */
    static final int STATUSES_CACHED = 50_000;
    static final int VIEWERS_CACHED = 10_000;
    static final int APPLICATIONS_CACHED = 1_000;
    /** How long a cached value lives at most, should a change ever go unheard. */
    static final Duration CACHED_AT_MOST = Duration.ofMinutes(5);

    private final Jdbi jdbi;
    private final StatusStore store = new StatusStore();
    private final Invalidations invalidations;
    private final AccountService accounts;
    private final AuthService auth;
    private final PollService polls;
    private final StatusJson json;
    private final RowCache<StatusBody> bodies;
    private final RowCache<StatusStore.Counts> statusCounts;
    /** Each viewer's flags by status; only the viewer's own acts change them, and any of those drops them all. */
    private final RowCache<Map<Long, StatusStore.Flags>> flagsByViewer;
    private final Cache<Long, Optional<StatusJson.ApplicationView>> applicationViews =
            Caffeine.newBuilder().maximumSize(APPLICATIONS_CACHED).build();

    StatusViews(Jdbi jdbi, Invalidations invalidations, AccountService accounts, AuthService auth, PollService polls,
                StatusJson json) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.accounts = accounts;
        this.auth = auth;
        this.polls = polls;
        this.json = json;
        this.bodies = new RowCache<>(invalidations, StatusService.STATUS, STATUSES_CACHED, CACHED_AT_MOST);
        this.statusCounts = new RowCache<>(invalidations, StatusService.STATUS, STATUSES_CACHED, CACHED_AT_MOST);
        this.flagsByViewer = new RowCache<>(invalidations, StatusService.VIEWER, VIEWERS_CACHED, CACHED_AT_MOST);
    }

    /** Renders statuses for a viewer (0 when signed out) with their counts, flags, authors and boosted originals. */
    List<StatusJson.StatusView> views(List<Status> statuses, long viewer) {
        return render(statuses.stream().map(Status::id).toList(), true, viewer, false);
    }

    StatusJson.StatusView view(Status status, long viewer) {
        return render(List.of(status.id()), true, viewer, false).stream().findFirst().orElseThrow(ApiException::notFound);
    }

    /** With {@code text}: what DELETE answers, so apps can redraft. */
    StatusJson.StatusView viewWithSource(Status status, long viewer) {
        return render(List.of(status.id()), true, viewer, true).stream().findFirst().orElseThrow(ApiException::notFound);
    }

    /** Renders the statuses among {@code ids} the viewer may see, in the order asked, without repeats. */
    List<StatusJson.StatusView> viewsOf(List<Long> ids, long viewer) {
        return render(ids.stream().distinct().toList(), false, viewer, false);
    }

    /**
     * Renders statuses a listing found under the visibility policy (for boosts, on the original
     * too), in the order given.
     */
    List<StatusJson.StatusView> viewsOfVisible(List<Long> ids, long viewer) {
        return render(ids.stream().distinct().toList(), true, viewer, false);
    }

    /**
     * Renders statuses from this process's caches (bodies and counts by status, flags by viewer,
     * accounts by id; see {@link Invalidations}), reading only what they miss, at most one statement
     * each. {@code trusted} statuses were checked by the caller (a deleted one, for redrafting); the
     * others, and their boosted originals, must pass the visibility policy here (one statement).
     */
    private List<StatusJson.StatusView> render(List<Long> ids, boolean trusted, long viewer, boolean withSource) {
        if (ids.isEmpty()) {
            return List.of();
        }
        long seen = invalidations.epoch();
        Map<Long, StatusBody> found = new HashMap<>();
        Set<Long> missing = new HashSet<>();
        for (long id : ids) {
            StatusBody body = bodies.get(id);
            if (body == null) {
                missing.add(id);
                continue;
            }
            found.put(id, body);
            Long original = body.status().reblogOfId();
            StatusBody originalBody = original == null ? null : bodies.get(original);
            if (originalBody != null) {
                found.put(original, originalBody);
            } else if (original != null) {
                missing.add(original);
            }
        }
        return jdbi.withHandle(h -> {
            if (!missing.isEmpty()) {
                for (StatusBody body : store.bodies(h, List.copyOf(missing))) {
                    // Boosts missing here come with their originals.
                    bodies.put(body.status().id(), body, seen);
                    found.put(body.status().id(), body);
                }
            }
            Set<Long> visible = trusted ? null : store.visibleAmong(h, List.copyOf(found.keySet()), viewer);
            List<Long> shown = ids.stream().filter(id -> {
                StatusBody body = found.get(id);
                if (body == null || !(trusted || visible.contains(id))) {
                    return false;
                }
                Long original = body.status().reblogOfId();
                return original == null || (found.get(original) != null && (trusted || visible.contains(original)));
            }).toList();
            Set<Long> rendered = new HashSet<>(shown);
            shown.forEach(id -> {
                if (found.get(id).status().reblogOfId() != null) {
                    rendered.add(found.get(id).status().reblogOfId());
                }
            });
            Map<Long, StatusStore.Counts> counts = new HashMap<>();
            Map<Long, StatusStore.Flags> flags = new HashMap<>();
            loadDynamics(h, rendered, viewer, seen, counts, flags);
            Set<Long> accountIds = new HashSet<>();
            Set<Long> applicationIds = new HashSet<>();
            for (long id : rendered) {
                StatusBody b = found.get(id);
                accountIds.add(b.status().accountId());
                accountIds.addAll(b.mentions());
                if (b.status().applicationId() != null) {
                    applicationIds.add(b.status().applicationId());
                }
            }
            Map<Long, Account> authors = new HashMap<>();
            for (Account account : accounts.findAll(h, accountIds)) {
                authors.put(account.id(), account);
            }
            List<Long> withPolls = rendered.stream().filter(id -> found.get(id).hasPoll()).toList();
            StatusJson.Bundle bundle = new StatusJson.Bundle(found, counts, flags, authors, applications(applicationIds),
                    withPolls.isEmpty() ? Map.of() : polls.viewsOfStatuses(h, withPolls, viewer), viewer);
            return shown.stream().map(id -> json.render(id, bundle, withSource)).toList();
        });
    }

    /** Counts and the viewer's flags for {@code ids}: from the caches, and what they miss in one statement. */
    private void loadDynamics(Handle h, Set<Long> ids, long viewer, long seen, Map<Long, StatusStore.Counts> counts,
                              Map<Long, StatusStore.Flags> flags) {
        Map<Long, StatusStore.Flags> viewerFlags = viewer == 0 ? null : flagsByViewer.get(viewer);
        List<Long> missing = new ArrayList<>();
        for (long id : ids) {
            StatusStore.Counts c = statusCounts.get(id);
            StatusStore.Flags f = viewer == 0 ? StatusStore.Flags.NONE : viewerFlags == null ? null : viewerFlags.get(id);
            if (c == null || f == null) {
                missing.add(id);
            } else {
                counts.put(id, c);
                flags.put(id, f);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Map<Long, StatusStore.Flags> loadedFlags = new HashMap<>();
        for (StatusStore.Snapshot snapshot : store.snapshots(h, missing, viewer)) {
            counts.put(snapshot.id(), snapshot.counts());
            flags.put(snapshot.id(), snapshot.flags());
            statusCounts.put(snapshot.id(), snapshot.counts(), seen);
            loadedFlags.put(snapshot.id(), snapshot.flags());
        }
        if (viewer != 0) {
            Map<Long, StatusStore.Flags> kept = viewerFlags;
            if (kept == null) {
                kept = new ConcurrentHashMap<>();
                flagsByViewer.put(viewer, kept, seen);
            }
            kept.putAll(loadedFlags);
            flagsByViewer.confirm(viewer, seen);
        }
    }

    /** Applications by id; they cannot change once registered, so they are kept. */
    private Map<Long, StatusJson.ApplicationView> applications(Set<Long> ids) {
        Map<Long, StatusJson.ApplicationView> views = new HashMap<>();
        for (long id : ids) {
            applicationViews.get(id, appId -> auth.application(appId)
                    .map(app -> new StatusJson.ApplicationView(app.name(), app.website())))
                    .ifPresent(view -> views.put(id, view));
        }
        return views;
    }
}
