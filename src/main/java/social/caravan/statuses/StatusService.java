package social.caravan.statuses;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.RemoteResolver;
import social.caravan.accounts.User;
import social.caravan.auth.AuthService;
import social.caravan.core.bus.EventBus;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;
import social.caravan.polls.PollService;

/** Posting, reading, deleting, threads, favourites, boosts and bookmarks. */
public final class StatusService {
    public static final int MAX_CHARACTERS = 500;
    /** Caravan's own bound (Mastodon's is not documented): generous for conversations, useless for spam. */
    static final int MAX_MENTIONS = 50;
    public static final String REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist.";
    /** The job that puts a new status (or boost) into followers' home feeds. */
    public static final String FANOUT_JOB = "timelines.fanout";

    /** The fan-out job's payload. */
    public record Fanout(long statusId) {}
    /** How far up a reply chain a thread reaches, and how many replies it lists. */
    static final int ANCESTOR_LIMIT = 40;
    static final int DESCENDANT_LIMIT = 60;
    /** Cache kinds, as the triggers of migration V009 name them: a status (body and counts), a viewer's flags. */
    public static final char STATUS = 's';
    public static final char VIEWER = 'v';

    private final Jdbi jdbi;
    private final StatusStore store = new StatusStore();
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final TextFormatter formatter;
    private final NotificationService notifications;
    private final JobQueue queue;
    private final PollService polls;
    private final DirectStatuses directStatuses;
    private final StatusEvents events;
    private final RemoteResolver remote;
    private final EventBus bus;
    private final StatusViews views;
    private final StatusEffects effects;
    private final IncomingStatuses incoming;

    public StatusService(Jdbi jdbi, Invalidations invalidations, AccountService accounts, AccountJson accountJson,
                         AuthService auth, NotificationService notifications, JobQueue queue, PollService polls,
                         DirectStatuses directStatuses, EventBus bus, StatusEvents events, RemoteResolver remote,
                         FeedFanout feeds, String baseUrl) {
        this.jdbi = jdbi;
        this.bus = bus;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.notifications = notifications;
        this.queue = queue;
        this.polls = polls;
        this.directStatuses = directStatuses;
        this.events = events;
        this.remote = remote;
        this.formatter = new TextFormatter(baseUrl);
        this.views = new StatusViews(jdbi, invalidations, accounts, auth, polls, new StatusJson(baseUrl, accountJson));
        this.effects = new StatusEffects(store, accounts, notifications, invalidations, bus, directStatuses);
        this.incoming = new IncomingStatuses(jdbi, store, effects, accounts, notifications, polls, directStatuses, feeds,
                queue, bus);
    }

    /** Renders statuses for a viewer (0 when signed out) with their counts, flags, authors and boosted originals. */
    public List<StatusJson.StatusView> views(List<Status> statuses, long viewer) {
        return views.views(statuses, viewer);
    }

    public StatusJson.StatusView view(Status status, long viewer) {
        return views.view(status, viewer);
    }

    /** With {@code text}: what DELETE answers, so apps can redraft. */
    public StatusJson.StatusView viewWithSource(Status status, long viewer) {
        return views.viewWithSource(status, viewer);
    }

    /** Renders the statuses among {@code ids} the viewer may see, in the order asked, without repeats. */
    public List<StatusJson.StatusView> viewsOf(List<Long> ids, long viewer) {
        return views.viewsOf(ids, viewer);
    }

    /**
     * Renders statuses a listing found under the visibility policy (for boosts, on the original
     * too), in the order given.
     */
    public List<StatusJson.StatusView> viewsOfVisible(List<Long> ids, long viewer) {
        return views.viewsOfVisible(ids, viewer);
    }

    /** What POST /api/v1/statuses asks for; null fields take the author's defaults ({@code poll} null: none). */
    public record NewPost(String text, String spoilerText, Boolean sensitive, String visibility, String language,
                          Long inReplyToId, String idempotencyKey, Long applicationId, PollService.Draft poll) {}

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
        resolveRemoteMentions(text);
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
            TextFormatter.Rendered rendered = render(text);
            long id = store.insert(h, new StatusStore.NewStatus(authorId, text, rendered.html(), spoiler,
                    Boolean.TRUE.equals(post.sensitive()) || !spoiler.isBlank(), visibility, language,
                    parent == null ? null : parent.id(), parent == null ? null : parent.accountId(), null,
                    parent == null ? null : parent.conversationId(), post.applicationId()));
            store.insertMentions(h, id, rendered.mentionedAccountIds());
            store.insertTags(h, id, rendered.tags());
            if (post.poll() != null) {
                polls.attach(h, id, authorId, post.poll());
            }
            for (long mentioned : effects.locals(h, rendered.mentionedAccountIds())) {
                notifications.notify(h, mentioned, authorId, NotificationService.MENTION, id);
            }
            queue.enqueue(h, Queues.DEFAULT, FANOUT_JOB, new Fanout(id), null, "fanout:" + id);
            if (parent != null) {
                store.addReply(h, parent.id(), 1);
                effects.changed(h, parent.id(), authorId);
            }
            accounts.countStatus(h, authorId, 1);
            if (post.idempotencyKey() != null && !post.idempotencyKey().isBlank()) {
                store.rememberIdempotency(h, authorId, post.idempotencyKey(), id);
            }
            Status created = store.findVisible(h, id, authorId).orElseThrow();
            if (visibility == Visibility.DIRECT) {
                directStatuses.posted(h, created, rendered.mentionedAccountIds());
            }
            if (visibility == Visibility.PUBLIC) {
                bus.publish(h, StatusEffects.publicChannels(created, rendered.tags(), true), "update", Long.toString(id));
            }
            events.posted(h, created);
            return created;
        });
    }

    /**
     * Text to HTML with its mentions resolved. A post naming more than {@link #MAX_MENTIONS} accounts
     * is refused: mention spam reaches people who never followed its author.
     */
    private TextFormatter.Rendered render(String text) {
        TextFormatter.Rendered rendered = formatter.render(text, this::resolveMention);
        if (rendered.mentionedAccountIds().size() > MAX_MENTIONS) {
            throw ApiException.unprocessable("Validation failed: Text too many mentions (at most " + MAX_MENTIONS
                    + " accounts per post)");
        }
        return rendered;
    }

    /**
     * Fetches the accounts behind remote handles a text mentions (at most {@link #MAX_MENTIONS}), before
     * the transaction that posts it: a fetch can take seconds and must not hold a connection meanwhile.
     */
    private void resolveRemoteMentions(String text) {
        TextFormatter.mentionedHandles(text).stream()
                .filter(handle -> handle[1] != null && !handle[1].equalsIgnoreCase(accountJson.localDomain()))
                .map(handle -> handle[0].toLowerCase(Locale.ROOT) + "@" + handle[1].toLowerCase(Locale.ROOT))
                .distinct().limit(MAX_MENTIONS)
                .forEach(handle -> remote.resolveHandle(handle.substring(0, handle.indexOf('@')),
                        handle.substring(handle.indexOf('@') + 1)));
    }

    /** Local handles, and remote ones already resolved (see {@link #resolveRemoteMentions}). */
    private TextFormatter.ResolvedMention resolveMention(String[] handle) {
        String domain = handle[1];
        if (domain != null && !domain.equalsIgnoreCase(accountJson.localDomain())) {
            return accounts.findRemote(handle[0], domain)
                    .map(a -> new TextFormatter.ResolvedMention(a.id(), a.username(), accountJson.profileUrl(a)))
                    .orElse(null);
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
            effects.deleted(h, status);
            if (status.reblogOfId() != null) {
                events.reblogged(h, status, true);
            } else {
                events.deleted(h, status);
            }
            return status;
        });
    }

    public Status favourite(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            effects.changed(h, status.id(), accountId);
            if (store.favourite(h, accountId, status.id())) {
                effects.notifyLocal(h, status.accountId(), accountId, NotificationService.FAVOURITE, status.id());
                if (effects.isLocal(h, accountId)) {
                    events.favourited(h, accountId, status, false);
                }
            }
            return status;
        });
    }

    public Status unfavourite(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            if (store.unfavourite(h, accountId, status.id()) && effects.isLocal(h, accountId)) {
                events.favourited(h, accountId, status, true);
            }
            effects.changed(h, status.id(), accountId);
            return status;
        });
    }

    public Status bookmark(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.bookmark(h, accountId, status.id());
            effects.changed(h, status.id(), accountId);
            return status;
        });
    }

    public Status unbookmark(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.unbookmark(h, accountId, status.id());
            effects.changed(h, status.id(), accountId);
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
            effects.changed(h, original.id(), accountId);
            accounts.countStatus(h, accountId, 1);
            effects.notifyLocal(h, original.accountId(), accountId, NotificationService.REBLOG, original.id());
            queue.enqueue(h, Queues.DEFAULT, FANOUT_JOB, new Fanout(reblogId), null, "fanout:" + reblogId);
            Status reblog = store.findVisible(h, reblogId, accountId).orElseThrow();
            if (effects.isLocal(h, accountId)) {
                events.reblogged(h, reblog, false);
            }
            return reblog;
        });
    }

    /** Undoes a boost; returns the original status. */
    public Status unreblog(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status original = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            store.reblogBy(h, accountId, original.id()).ifPresent(reblog -> {
                bus.publish(h, effects.streamsShowing(h, reblog), "delete", Long.toString(reblog.id()));
                store.markDeleted(h, reblog.id());
                store.addReblog(h, original.id(), -1);
                effects.changed(h, original.id(), accountId);
                accounts.countStatus(h, accountId, -1);
                if (effects.isLocal(h, accountId)) {
                    events.reblogged(h, reblog, true);
                }
            });
            return original;
        });
    }

    /**
     * What PUT /api/v1/statuses/:id changes; null keeps the current value, except for {@code poll}:
     * as in Mastodon, an edit without a poll leaves the status without one.
     */
    public record Change(String text, String spoilerText, Boolean sensitive, String language, PollService.Draft poll) {}

    /**
     * Edits the author's own status. The first edit also keeps the original as the first version of
     * the history; people who boosted it get an {@code update} notification.
     */
    public Status edit(long id, long authorId, Change change) {
        if (change.text() != null) {
            resolveRemoteMentions(change.text());
        }
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
                        current.sensitive(), polls.options(h, id), current.createdAt(), current.emojis()));
            }
            List<String> pollOptions = polls.replace(h, id, authorId, change.poll());
            TextFormatter.Rendered rendered = render(text);
            store.update(h, id, text, rendered.html(), spoiler, sensitive,
                    change.language() == null ? current.language() : change.language());
            effects.changed(h, id, authorId);
            store.insertMentions(h, id, rendered.mentionedAccountIds());
            store.replaceTags(h, id, rendered.tags());
            // Local statuses have no custom emoji yet.
            store.insertEdit(h, id, new StatusStore.Edit(text, rendered.html(), spoiler, sensitive, pollOptions,
                    java.time.Instant.now(), null));
            for (long booster : effects.locals(h, store.boosters(h, id))) {
                notifications.notify(h, booster, authorId, NotificationService.UPDATE, id);
            }
            Status edited = store.findVisible(h, id, authorId).orElseThrow();
            bus.publish(h, effects.streamsShowing(h, edited), "status.update", Long.toString(id));
            events.edited(h, edited);
            return edited;
        });
    }

    /** One version of a status; {@code pollOptions} null when it had no poll; {@code emojis} as rendered JSON (null: none). */
    public record Version(String text, String content, String spoilerText, boolean sensitive, List<String> pollOptions,
                          java.time.Instant at, String emojis) {}

    /** Every version, oldest first; a status never edited has one. */
    public List<Version> history(long id, long viewer) {
        return jdbi.withHandle(h -> {
            Status status = store.findVisible(h, id, viewer).orElseThrow(ApiException::notFound);
            List<StatusStore.Edit> edits = store.edits(h, id);
            if (edits.isEmpty()) {
                return List.of(new Version(status.text(), status.content(), status.spoilerText(), status.sensitive(),
                        polls.options(h, id), status.createdAt(), status.emojis()));
            }
            return edits.stream().map(e -> new Version(e.text(), e.content(), e.spoilerText(), e.sensitive(),
                    e.pollOptions(), e.createdAt(), e.emojis())).toList();
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
            if (!store.isPinned(h, accountId, id)
                    && store.pinCount(h, accountId) >= MAX_PINS) {
                throw ApiException.unprocessable("Validation failed: You have already pinned the maximum number of posts");
            }
            if (store.pin(h, accountId, id)) {
                events.pinned(h, status, false);
            }
            effects.changed(h, id, accountId);
            return status;
        });
    }

    public Status unpin(long id, long accountId) {
        return jdbi.inTransaction(h -> {
            Status status = store.findOwn(h, id, accountId).orElseThrow(ApiException::notFound);
            if (store.unpin(h, accountId, id)) {
                events.pinned(h, status, true);
            }
            effects.changed(h, id, accountId);
            return status;
        });
    }

    /** Muting a conversation is for its participants: the author and the people it mentions. */
    public Status muteConversation(long id, long accountId, boolean mute) {
        return jdbi.inTransaction(h -> {
            Status status = reblogTarget(store.findVisible(h, id, accountId).orElseThrow(ApiException::notFound), h, accountId);
            boolean participant = status.accountId() == accountId
                    || store.mentioned(h, status.id()).contains(accountId);
            if (!participant) {
                throw ApiException.unprocessable("Validation failed: Only participants can mute a conversation");
            }
            if (mute) {
                store.muteConversation(h, accountId, status.conversationId());
            } else {
                store.unmuteConversation(h, accountId, status.conversationId());
            }
            effects.changed(h, status.id(), accountId);
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


    // Statuses from other servers. Federation has checked where they come from, sanitized their HTML and
    // resolved the accounts and statuses they name; the rules that apply to everyone are applied here.
    // They are stored by IncomingStatuses; these are the records and calls federation uses.

    /**
     * A remote post as federation read it. {@code media} is its attachments as rendered JSON (null:
     * none); {@code inReplyToId} a stored status (local or remote), null when there is none or it is unknown.
     */
    public record RemotePost(long authorId, String uri, String url, String content, String spoilerText, boolean sensitive,
                             Visibility visibility, String language, Long inReplyToId, List<Long> mentionedAccountIds,
                             Set<String> tags, String media, String emojis, java.time.Instant publishedAt,
                             PollService.Remote poll) {}

    /** The stored post (the first, for a repeated delivery); empty when it was deleted before it came. */
    public Optional<Status> createRemote(RemotePost p) {
        return incoming.create(p);
    }

    /** What an Update of a remote post changes. */
    public record RemoteEdit(String content, String spoilerText, boolean sensitive, String language,
                             List<Long> mentionedAccountIds, Set<String> tags, String media, String emojis,
                             java.time.Instant editedAt, PollService.Remote poll) {}

    public Optional<Status> editRemote(long authorId, String uri, RemoteEdit e) {
        return incoming.edit(authorId, uri, e);
    }

    public boolean deleteRemote(long authorId, String uri) {
        return incoming.delete(authorId, uri);
    }

    /** Deletes every status (posts and boosts) of a remote account whose content is purged; returns how many. */
    public int deleteAllRemote(long authorId) {
        return incoming.deleteAll(authorId, Integer.MAX_VALUE);
    }

    /** As {@link #deleteAllRemote}, the newest {@code limit} of them, for a purge in short transactions. */
    public int deleteSomeRemote(long authorId, int limit) {
        return incoming.deleteAll(authorId, limit);
    }

    /** Takes back a remote account's favourites (its content is purged): the statuses count them no more. */
    public int withdrawFavouritesRemote(long accountId) {
        return incoming.withdrawFavourites(accountId);
    }

    public Optional<Status> reblogRemote(long accountId, long originalId, String uri, java.time.Instant at) {
        return incoming.reblog(accountId, originalId, uri, at);
    }

    /** A stored remote status by its ActivityPub id, unless deleted. */
    public Optional<Status> findByUri(String uri) {
        return jdbi.withHandle(h -> store.findByUri(h, uri));
    }

    /** A status by id whether or not deleted, for federation to render what it announces (Delete, Undo). */
    public Optional<Status> findAny(long id) {
        return jdbi.withHandle(h -> store.findAny(h, id));
    }

    /** The stored URIs of the remote statuses among {@code ids} (local statuses have none: theirs are derived). */
    public Map<Long, String> storedUris(List<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return jdbi.withHandle(h -> store.storedUris(h, ids));
    }

    /**
     * A page of the public and unlisted replies to {@code statusId} after {@code minId}, oldest first: its
     * author's own ({@code selfReplies}) or everyone else's. The caller checks that the status may be seen.
     */
    public List<Long> replyIds(long statusId, long authorId, boolean selfReplies, long minId, int limit) {
        return jdbi.withHandle(h -> store.replyIds(h, statusId, authorId, selfReplies, minId, limit));
    }

    /** For each of {@code ids} that has some: the first {@code limit} public or unlisted self-replies, oldest first. */
    public Map<Long, List<Long>> selfReplyIds(List<Long> ids, int limit) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return jdbi.withHandle(h -> store.selfReplyIds(h, ids, limit));
    }
}
