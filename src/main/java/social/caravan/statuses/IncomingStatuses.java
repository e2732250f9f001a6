package social.caravan.statuses;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.AccountService;
import social.caravan.core.bus.EventBus;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;
import social.caravan.polls.PollService;

/**
 * Statuses from other servers. Federation has checked where they come from, sanitized their HTML
 * and resolved the accounts and statuses they name; the rules that apply to everyone are applied
 * here, with the same effects as local acts ({@link StatusEffects}).
 */
final class IncomingStatuses {
    private final Jdbi jdbi;
    private final StatusStore store;
    private final StatusEffects effects;
    private final AccountService accounts;
    private final NotificationService notifications;
    private final PollService polls;
    private final DirectStatuses directStatuses;
    private final FeedFanout feeds;
    private final JobQueue queue;
    private final EventBus bus;

    IncomingStatuses(Jdbi jdbi, StatusStore store, StatusEffects effects, AccountService accounts,
                     NotificationService notifications, PollService polls, DirectStatuses directStatuses,
                     FeedFanout feeds, JobQueue queue, EventBus bus) {
        this.jdbi = jdbi;
        this.store = store;
        this.effects = effects;
        this.accounts = accounts;
        this.notifications = notifications;
        this.polls = polls;
        this.directStatuses = directStatuses;
        this.feeds = feeds;
        this.queue = queue;
        this.bus = bus;
    }

    /**
     * Stores a remote post once (by its URI: a second delivery returns the first, deleted or not), notifies the local
     * accounts it mentions, counts it, and fans it out to its author's local followers in the same transaction.
     * Empty when its Delete came first (a tombstone).
     */
    Optional<Status> create(StatusService.RemotePost p) {
        return jdbi.inTransaction(h -> {
            Status parent = p.inReplyToId() == null ? null
                    : store.findVisible(h, p.inReplyToId(), p.authorId()).filter(s -> s.reblogOfId() == null).orElse(null);
            Optional<Status> inserted = store.insertRemote(h, new StatusStore.NewStatus(p.authorId(), "", p.content(),
                    p.spoilerText(), p.sensitive() || !p.spoilerText().isBlank(), p.visibility(), p.language(),
                    parent == null ? null : parent.id(), parent == null ? null : parent.accountId(), null,
                    parent == null ? null : parent.conversationId(), null), p.uri(), p.url(), p.media(), p.emojis(),
                    p.publishedAt());
            if (inserted.isEmpty()) {
                return store.findByUriAny(h, p.uri());
            }
            Status created = inserted.get();
            long id = created.id();
            List<Long> mentioned = p.mentionedAccountIds().stream().distinct().limit(StatusService.MAX_MENTIONS).toList();
            store.insertMentions(h, id, mentioned);
            store.insertTags(h, id, p.tags());
            if (p.poll() != null) {
                polls.putRemote(h, id, p.authorId(), p.poll());
            }
            for (long local : effects.locals(h, mentioned)) {
                notifications.notify(h, local, p.authorId(), NotificationService.MENTION, id);
            }
            if (parent != null) {
                store.addReply(h, parent.id(), 1);
                effects.changed(h, parent.id(), p.authorId());
            }
            accounts.countStatus(h, p.authorId(), 1);
            if (p.visibility() == Visibility.DIRECT) {
                directStatuses.posted(h, created, mentioned);
            }
            StatusStore.Reach reach = store.reach(h, p.authorId());
            if (p.visibility() == Visibility.PUBLIC && !reach.silenced()) {
                bus.publish(h, StatusEffects.publicChannels(created, p.tags(), false), "update", Long.toString(id));
            }
            // Last: a busy reader's feed row stays locked from here to the commit.
            if (!p.tags().isEmpty() || reach.followed()) {
                feeds.fanout(h, id);
            }
            return Optional.of(created);
        });
    }


    /**
     * Edits a remote post of {@code authorId} by its URI, keeping the history as local edits do and
     * telling local boosters; empty when there is no such post. An Update that changes only a poll's
     * counts (votes elsewhere) is no edit: it refreshes the counts and nothing else.
     */
    Optional<Status> edit(long authorId, String uri, StatusService.RemoteEdit e) {
        return jdbi.inTransaction(h -> {
            Optional<Status> found = store.findByUri(h, uri).filter(s -> s.accountId() == authorId && s.reblogOfId() == null);
            if (found.isEmpty()) {
                return Optional.<Status>empty();
            }
            Status current = found.get();
            long id = current.id();
            boolean sensitive = e.sensitive() || !e.spoilerText().isBlank();
            List<String> optionsBefore = polls.options(h, id);
            List<String> optionsNow = polls.putRemote(h, id, authorId, e.poll());
            effects.changed(h, id, authorId);
            if (current.content().equals(e.content()) && current.spoilerText().equals(e.spoilerText())
                    && current.sensitive() == sensitive && Objects.equals(optionsBefore, optionsNow)) {
                return store.findVisible(h, id, authorId);
            }
            if (store.edits(h, id).isEmpty()) {
                store.insertEdit(h, id, new StatusStore.Edit(current.text(), current.content(), current.spoilerText(),
                        current.sensitive(), optionsBefore, current.createdAt(), current.emojis()));
            }
            store.update(h, id, "", e.content(), e.spoilerText(), sensitive, e.language());
            store.updateRemote(h, id, e.media(), e.emojis(), e.editedAt());
            store.insertMentions(h, id, e.mentionedAccountIds().stream().distinct().limit(StatusService.MAX_MENTIONS).toList());
            store.replaceTags(h, id, e.tags());
            store.insertEdit(h, id, new StatusStore.Edit("", e.content(), e.spoilerText(), sensitive, optionsNow,
                    e.editedAt(), e.emojis()));
            for (long booster : effects.locals(h, store.boosters(h, id))) {
                notifications.notify(h, booster, authorId, NotificationService.UPDATE, id);
            }
            Optional<Status> edited = store.findVisible(h, id, authorId);
            edited.ifPresent(status -> bus.publish(h, effects.streamsShowing(h, status), "status.update", Long.toString(id)));
            return edited;
        });
    }

    /** Deletes a remote status (a post, or a boost by its Announce id) of {@code authorId}; false when unknown. */
    boolean delete(long authorId, String uri) {
        return jdbi.inTransaction(h -> {
            Optional<Status> found = store.findByUri(h, uri).filter(s -> s.accountId() == authorId);
            found.ifPresent(status -> effects.deleted(h, status));
            if (found.isEmpty()) {
                // It may still be on its way (a Create the Delete overtook): keep it out when it comes.
                store.tombstone(h, authorId, uri);
            }
            return found.isPresent();
        });
    }

    /**
     * Deletes up to {@code limit} statuses of a remote account whose content is purged, newest first, as
     * a Delete of each would; returns how many.
     */
    int deleteAll(long authorId, int limit) {
        return jdbi.inTransaction(h -> {
            List<Status> all = store.allOf(h, authorId, limit);
            all.forEach(status -> effects.deleted(h, status));
            return all.size();
        });
    }

    /** Takes back every favourite of a remote account whose content is purged: the statuses count them no more. */
    int withdrawFavourites(long accountId) {
        return jdbi.inTransaction(h -> {
            List<Long> statusIds = store.deleteFavourites(h, accountId);
            statusIds.forEach(id -> effects.changed(h, id, accountId));
            return statusIds.size();
        });
    }

    /**
     * A remote account's boost (its Announce id is {@code uri}) of a status it may see; as for local
     * boosts, only public and unlisted posts (and one's own private ones). Empty when refused.
     */
    Optional<Status> reblog(long accountId, long originalId, String uri, java.time.Instant at) {
        return jdbi.inTransaction(h -> {
            if (store.findByUriAny(h, uri).isPresent()) {
                return store.findByUri(h, uri);
            }
            Optional<Status> target = store.findVisible(h, originalId, accountId).filter(s -> s.reblogOfId() == null);
            if (target.isEmpty()) {
                return Optional.<Status>empty();
            }
            Status original = target.get();
            boolean own = original.accountId() == accountId;
            if (original.visibility() == Visibility.DIRECT || (original.visibility() == Visibility.PRIVATE && !own)) {
                return Optional.<Status>empty();
            }
            Optional<Status> existing = store.reblogBy(h, accountId, original.id());
            if (existing.isPresent()) {
                return existing;
            }
            Visibility visibility = original.visibility() == Visibility.PRIVATE ? Visibility.PRIVATE : Visibility.PUBLIC;
            Optional<Status> inserted = store.insertRemote(h, new StatusStore.NewStatus(accountId, "", "", "", false,
                    visibility, null, null, null, original.id(), null, null), uri, null, null, null, at);
            if (inserted.isEmpty()) {
                return store.findByUri(h, uri);
            }
            long reblogId = inserted.get().id();
            store.addReblog(h, original.id(), 1);
            effects.changed(h, original.id(), accountId);
            accounts.countStatus(h, accountId, 1);
            effects.notifyLocal(h, original.accountId(), accountId, NotificationService.REBLOG, original.id());
            queue.enqueue(h, Queues.DEFAULT, StatusService.FANOUT_JOB, new StatusService.Fanout(reblogId), null, "fanout:" + reblogId);
            return inserted;
        });
    }
}
