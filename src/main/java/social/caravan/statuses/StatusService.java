package social.caravan.statuses;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.User;
import social.caravan.auth.AuthService;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;

/** Posting, reading, deleting, threads, favourites, boosts and bookmarks. */
public final class StatusService {
    public static final int MAX_CHARACTERS = 500;
    public static final String REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist.";
    /** The job that puts a new status (or boost) into followers' home feeds. */
    public static final String FANOUT_JOB = "timelines.fanout";

    /** The fan-out job's payload. */
    public record Fanout(long statusId) {}
    /** How far up a reply chain a thread reaches, and how many replies it lists. */
    static final int ANCESTOR_LIMIT = 40;
    static final int DESCENDANT_LIMIT = 60;

    private final Jdbi jdbi;
    private final StatusStore store = new StatusStore();
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final TextFormatter formatter;
    private final StatusJson json;
    private final AuthService auth;
    private final NotificationService notifications;
    private final JobQueue queue;
    private final DirectStatuses directStatuses;

    public StatusService(Jdbi jdbi, AccountService accounts, AccountJson accountJson, AuthService auth,
                         NotificationService notifications, JobQueue queue, DirectStatuses directStatuses,
                         String baseUrl) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.auth = auth;
        this.notifications = notifications;
        this.queue = queue;
        this.directStatuses = directStatuses;
        this.formatter = new TextFormatter(baseUrl);
        this.json = new StatusJson(baseUrl, accountJson);
    }

    /** Renders statuses for a viewer (0 when signed out) with their counts, flags, authors and boosted originals. */
    public List<StatusJson.StatusView> views(List<Status> statuses, long viewer) {
        return render(statuses, viewer, false);
    }

    public StatusJson.StatusView view(Status status, long viewer) {
        return render(List.of(status), viewer, false).get(0);
    }

    /** With {@code text}: what DELETE answers, so apps can redraft. */
    public StatusJson.StatusView viewWithSource(Status status, long viewer) {
        return render(List.of(status), viewer, true).get(0);
    }

    private List<StatusJson.StatusView> render(List<Status> statuses, long viewer, boolean withSource) {
        if (statuses.isEmpty()) {
            return List.of();
        }
        StatusJson.Bundle bundle = jdbi.withHandle(h -> {
            List<Long> reblogged = statuses.stream().map(Status::reblogOfId).filter(java.util.Objects::nonNull).toList();
            Map<Long, Status> originals = new HashMap<>();
            for (Status original : store.findVisible(h, reblogged, viewer)) {
                originals.put(original.id(), original);
            }
            List<Long> ids = List.copyOf(StatusJson.idsOf(statuses));
            Map<Long, List<Long>> mentions = store.mentions(h, ids);
            Set<Long> accountIds = new HashSet<>();
            statuses.forEach(st -> accountIds.add(st.accountId()));
            originals.values().forEach(st -> accountIds.add(st.accountId()));
            mentions.values().forEach(accountIds::addAll);
            Map<Long, Account> authors = new HashMap<>();
            for (Account account : accounts.findAll(List.copyOf(accountIds))) {
                authors.put(account.id(), account);
            }
            Map<Long, StatusJson.ApplicationView> applications = new HashMap<>();
            statuses.stream().map(Status::applicationId).filter(java.util.Objects::nonNull).distinct().forEach(appId ->
                    auth.application(appId).ifPresent(app ->
                            applications.put(appId, new StatusJson.ApplicationView(app.name(), app.website()))));
            return new StatusJson.Bundle(originals, authors, store.counts(h, ids), mentions, store.tags(h, ids),
                    store.viewerFlags(h, ids, conversationsOf(statuses, originals), viewer), applications, viewer);
        });
        return statuses.stream().map(st -> json.render(st, bundle, withSource)).toList();
    }

    /** What POST /api/v1/statuses asks for; null fields take the author's defaults. */
    public record NewPost(String text, String spoilerText, Boolean sensitive, String visibility, String language,
                          Long inReplyToId, String idempotencyKey, Long applicationId) {}

    /** A post as {@link #create} makes it: what was typed, with the author's defaults filled in. */
    public record Checked(String text, String spoilerText, Visibility visibility, String language) {}

    /** Mastodon's checks on a post, without posting it (scheduling a post checks it too). */
    public Checked check(long authorId, NewPost post) {
        String text = post.text() == null ? "" : post.text();
        String spoiler = post.spoilerText() == null ? "" : post.spoilerText();
        if (text.isBlank()) {
            throw ApiException.unprocessable("Validation failed: Text can't be blank");
        }
        if (TextFormatter.length(text) + spoiler.codePointCount(0, spoiler.length()) > MAX_CHARACTERS) {
            throw ApiException.unprocessable("Validation failed: Text character limit of " + MAX_CHARACTERS + " exceeded");
        }
        User author = accounts.user(authorId).orElseThrow(ApiException::notFound);
        Visibility visibility = post.visibility() == null || post.visibility().isBlank()
                ? Visibility.parse(author.defaultPrivacy()) : Visibility.parse(post.visibility());
        if (visibility == null) {
            throw ApiException.unprocessable("Validation failed: Visibility is not included in the list");
        }
        String language = post.language() == null || post.language().isBlank()
                ? author.defaultLanguage() : post.language().toLowerCase(Locale.ROOT);
        if (language != null && !language.matches("[a-z]{2,3}(-[a-zA-Z]{2,4})?")) {
            throw ApiException.unprocessable("Validation failed: Language is not a valid language code");
        }
        return new Checked(text, spoiler, visibility, language);
    }

    /** Posts a status; the same Idempotency-Key within an hour returns the first one instead. */
    public Status create(long authorId, NewPost post) {
        Checked checked = check(authorId, post);
        String text = checked.text();
        String spoiler = checked.spoilerText();
        Visibility visibility = checked.visibility();
        String language = checked.language();
        return jdbi.inTransaction(h -> {
            if (post.idempotencyKey() != null && !post.idempotencyKey().isBlank()) {
                Optional<Long> earlier = store.idempotent(h, authorId, post.idempotencyKey());
                if (earlier.isPresent()) {
                    return store.findVisible(h, earlier.get(), authorId).orElseThrow(ApiException::notFound);
                }
            }
            Status parent = null;
            if (post.inReplyToId() != null) {
                parent = store.findVisible(h, post.inReplyToId(), authorId).filter(s -> s.reblogOfId() == null)
                        .orElseThrow(() -> ApiException.unprocessable(REPLY_NOT_FOUND));
            }
            TextFormatter.Rendered rendered = formatter.render(text, this::resolveMention);
            long id = store.insert(h, new StatusStore.NewStatus(authorId, text, rendered.html(), spoiler,
                    Boolean.TRUE.equals(post.sensitive()) || !spoiler.isBlank(), visibility, language,
                    parent == null ? null : parent.id(), parent == null ? null : parent.accountId(), null,
                    parent == null ? null : parent.conversationId(), post.applicationId()));
            store.insertMentions(h, id, rendered.mentionedAccountIds());
            store.insertTags(h, id, rendered.tags());
            for (long mentioned : rendered.mentionedAccountIds()) {
                notifications.notify(h, mentioned, authorId, NotificationService.MENTION, id);
            }
            queue.enqueue(h, Queues.DEFAULT, FANOUT_JOB, new Fanout(id), null, "fanout:" + id);
            if (parent != null) {
                store.addReply(h, parent.id(), 1);
            }
            accounts.countStatus(h, authorId, 1);
            if (post.idempotencyKey() != null && !post.idempotencyKey().isBlank()) {
                store.rememberIdempotency(h, authorId, post.idempotencyKey(), id);
            }
            Status created = store.findVisible(h, id, authorId).orElseThrow();
            if (visibility == Visibility.DIRECT) {
                directStatuses.posted(h, created, rendered.mentionedAccountIds());
            }
            return created;
        });
    }

    /** Local handles only, until federation resolves remote ones. */
    private TextFormatter.ResolvedMention resolveMention(String[] handle) {
        String domain = handle[1];
        if (domain != null && !domain.equalsIgnoreCase(accountJson.localDomain())) {
            return null;
        }
        return accounts.findLocal(handle[0])
                .map(a -> new TextFormatter.ResolvedMention(a.id(), a.username(), accountJson.profileUrl(a)))
                .orElse(null);
    }

    /** The status if the viewer (0 when signed out) may see it, else 404 — never a hint that it exists. */
    public Status get(long id, long viewer) {
        return jdbi.withHandle(h -> store.findVisible(h, id, viewer)).orElseThrow(ApiException::notFound);
    }

    /** The visible ones among {@code ids}, in the order asked. */
    public List<Status> getMany(List<Long> ids, long viewer) {
        List<Status> found = jdbi.withHandle(h -> store.findVisible(h, ids, viewer));
        return ids.stream().distinct().flatMap(id -> found.stream().filter(s -> s.id() == id)).toList();
    }

    public record Thread(List<Status> ancestors, List<Status> descendants) {}

    public Thread context(long id, long viewer) {
        return jdbi.withHandle(h -> {
            store.findVisible(h, id, viewer).orElseThrow(ApiException::notFound);
            return new Thread(store.ancestors(h, id, viewer, ANCESTOR_LIMIT),
                    store.descendants(h, id, viewer, DESCENDANT_LIMIT));
        });
    }

    /** Deletes the author's own status (and the boosts of it); returns it, text included, for redrafting. */
    public Status delete(long id, long authorId) {
        return jdbi.inTransaction(h -> {
            Status status = store.findOwn(h, id, authorId).orElseThrow(ApiException::notFound);
            store.markDeleted(h, id);
            if (status.inReplyToId() != null) {
                store.addReply(h, status.inReplyToId(), -1);
            }
            if (status.reblogOfId() != null) {
                store.addReblog(h, status.reblogOfId(), -1);
            }
            accounts.countStatus(h, authorId, -1);
            if (status.visibility() == Visibility.DIRECT) {
                directStatuses.deleted(h, status);
            }
            return status;
        });
    }

    public Status favourite(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            if (store.favourite(h, accountId, status.id())) {
                notifications.notify(h, status.accountId(), accountId, NotificationService.FAVOURITE, status.id());
            }
            return status;
        });
    }

    public Status unfavourite(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.unfavourite(h, accountId, status.id());
            return status;
        });
    }

    public Status bookmark(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.bookmark(h, accountId, status.id());
            return status;
        });
    }

    public Status unbookmark(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.unbookmark(h, accountId, status.id());
            return status;
        });
    }

    /**
     * Boosts a status (once: boosting again returns the same boost). Only public and unlisted
     * statuses can be boosted, and one's own private ones; {@code visibility} defaults to public.
     */
    public Status reblog(long id, long accountId, String visibility) {
        Visibility chosen = visibility == null || visibility.isBlank() ? Visibility.PUBLIC : Visibility.parse(visibility);
        if (chosen == null || chosen == Visibility.DIRECT) {
            throw ApiException.unprocessable("Validation failed: Visibility is not included in the list");
        }
        return jdbi.inTransaction(h -> {
            Status original = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            boolean own = original.accountId() == accountId;
            if (original.visibility() == Visibility.DIRECT || (original.visibility() == Visibility.PRIVATE && !own)) {
                throw ApiException.unprocessable("Validation failed: Reblog of status not found");
            }
            Optional<Status> existing = store.reblogBy(h, accountId, original.id());
            if (existing.isPresent()) {
                return existing.get();
            }
            Visibility effective = original.visibility() == Visibility.PRIVATE ? Visibility.PRIVATE : chosen;
            long reblogId = store.insert(h, new StatusStore.NewStatus(accountId, "", "", "", false, effective, null,
                    null, null, original.id(), null, null));
            store.addReblog(h, original.id(), 1);
            accounts.countStatus(h, accountId, 1);
            notifications.notify(h, original.accountId(), accountId, NotificationService.REBLOG, original.id());
            queue.enqueue(h, Queues.DEFAULT, FANOUT_JOB, new Fanout(reblogId), null, "fanout:" + reblogId);
            return store.findVisible(h, reblogId, accountId).orElseThrow();
        });
    }

    /** Undoes a boost; returns the original status. */
    public Status unreblog(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status original = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.reblogBy(h, accountId, original.id()).ifPresent(reblog -> {
                store.markDeleted(h, reblog.id());
                store.addReblog(h, original.id(), -1);
                accounts.countStatus(h, accountId, -1);
            });
            return original;
        });
    }

    private static List<Long> conversationsOf(List<Status> statuses, Map<Long, Status> originals) {
        Set<Long> ids = new HashSet<>();
        statuses.forEach(s -> ids.add(s.conversationId()));
        originals.values().forEach(s -> ids.add(s.conversationId()));
        return List.copyOf(ids);
    }

    /** What PUT /api/v1/statuses/:id changes; null keeps the current value. */
    public record Change(String text, String spoilerText, Boolean sensitive, String language) {}

    /**
     * Edits the author's own status. The first edit also keeps the original as the first version of
     * the history; people who boosted it get an {@code update} notification.
     */
    public Status edit(long id, long authorId, Change change) {
        return jdbi.inTransaction(h -> {
            Status current = store.findOwn(h, id, authorId).filter(s -> s.reblogOfId() == null)
                    .orElseThrow(ApiException::notFound);
            String text = change.text() == null ? current.text() : change.text();
            String spoiler = change.spoilerText() == null ? current.spoilerText() : change.spoilerText();
            if (text.isBlank()) {
                throw ApiException.unprocessable("Validation failed: Text can't be blank");
            }
            if (TextFormatter.length(text) + spoiler.codePointCount(0, spoiler.length()) > MAX_CHARACTERS) {
                throw ApiException.unprocessable("Validation failed: Text character limit of " + MAX_CHARACTERS + " exceeded");
            }
            boolean sensitive = change.sensitive() == null ? current.sensitive() || !spoiler.isBlank() : change.sensitive();
            if (store.edits(h, id).isEmpty()) {
                store.insertEdit(h, id, new StatusStore.Edit(current.text(), current.content(), current.spoilerText(),
                        current.sensitive(), current.createdAt()));
            }
            TextFormatter.Rendered rendered = formatter.render(text, this::resolveMention);
            store.update(h, id, text, rendered.html(), spoiler, sensitive,
                    change.language() == null ? current.language() : change.language());
            store.insertMentions(h, id, rendered.mentionedAccountIds());
            store.replaceTags(h, id, rendered.tags());
            store.insertEdit(h, id, new StatusStore.Edit(text, rendered.html(), spoiler, sensitive, java.time.Instant.now()));
            for (long booster : store.boosters(h, id)) {
                notifications.notify(h, booster, authorId, NotificationService.UPDATE, id);
            }
            return store.findVisible(h, id, authorId).orElseThrow();
        });
    }

    public record Version(String text, String content, String spoilerText, boolean sensitive, java.time.Instant at) {}

    /** Every version, oldest first; a status never edited has one. */
    public List<Version> history(long id, long viewer) {
        return jdbi.withHandle(h -> {
            Status status = store.findVisible(h, id, viewer).orElseThrow(ApiException::notFound);
            List<StatusStore.Edit> edits = store.edits(h, id);
            if (edits.isEmpty()) {
                return List.of(new Version(status.text(), status.content(), status.spoilerText(), status.sensitive(),
                        status.createdAt()));
            }
            return edits.stream().map(e -> new Version(e.text(), e.content(), e.spoilerText(), e.sensitive(), e.createdAt()))
                    .toList();
        });
    }

    /** Mastodon keeps at most five pinned statuses per account. */
    static final int MAX_PINS = 5;

    public Status pin(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = store.findOwn(h, id, accountId).orElseThrow(ApiException::notFound);
            if (status.reblogOfId() != null || status.visibility() == Visibility.DIRECT) {
                throw ApiException.unprocessable("Validation failed: Only your own public, unlisted and private posts can be pinned");
            }
            if (!store.viewerFlags(h, List.of(id), List.of(), accountId).pinned().contains(id)
                    && store.pinCount(h, accountId) >= MAX_PINS) {
                throw ApiException.unprocessable("Validation failed: You have already pinned the maximum number of posts");
            }
            store.pin(h, accountId, id);
            return status;
        });
    }

    public Status unpin(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = store.findOwn(h, id, accountId).orElseThrow(ApiException::notFound);
            store.unpin(h, accountId, id);
            return status;
        });
    }

    /** Muting a conversation is for its participants: the author and the people it mentions. */
    public Status muteConversation(long id, long accountId, boolean mute) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            boolean participant = status.accountId() == accountId
                    || store.mentions(h, List.of(status.id())).getOrDefault(status.id(), List.of()).contains(accountId);
            if (!participant) {
                throw ApiException.unprocessable("Validation failed: Only participants can mute a conversation");
            }
            if (mute) {
                store.muteConversation(h, accountId, status.conversationId());
            } else {
                store.unmuteConversation(h, accountId, status.conversationId());
            }
            return status;
        });
    }

    /** A page of who favourited or boosted a visible status: paging keys newest first, and the accounts. */
    public record Actors(List<Long> pagingKeys, List<Account> accounts) {}

    public Actors favouritedBy(long id, long viewer, Page page) {
        return actors(id, viewer, (h, s) -> store.favouritedBy(h, s, Window.of(page)));
    }

    public Actors rebloggedBy(long id, long viewer, Page page) {
        return actors(id, viewer, (h, s) -> store.rebloggedBy(h, s, Window.of(page)));
    }

    private Actors actors(long id, long viewer, java.util.function.BiFunction<org.jdbi.v3.core.Handle, Long, List<long[]>> query) {
        List<long[]> rows = jdbi.withHandle(h -> {
            store.findVisible(h, id, viewer).orElseThrow(ApiException::notFound);
            return query.apply(h, id);
        });
        Map<Long, Account> byId = new HashMap<>();
        accounts.findAll(rows.stream().map(r -> r[1]).toList()).forEach(a -> byId.put(a.id(), a));
        return new Actors(rows.stream().map(r -> r[0]).toList(),
                rows.stream().map(r -> byId.get(r[1])).filter(java.util.Objects::nonNull).toList());
    }

    /** Acting on a boost acts on the boosted status, as Mastodon does. */
    private Status reblogTarget(Status status, org.jdbi.v3.core.Handle h, long viewer) {
        if (status.reblogOfId() == null) {
            return status;
        }
        return store.findVisible(h, status.reblogOfId(), viewer).orElseThrow(ApiException::notFound);
    }

}
