package social.caravan.federation;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.json.Json;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.federation.vocab.ActivityStreams;
import social.caravan.polls.PollJson;
import social.caravan.polls.PollService;
import social.caravan.relationships.RelationshipService;
import social.caravan.reports.Report;
import social.caravan.reports.ReportService;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;
import social.caravan.tags.TagService;

/**
 * Runs {@link Outbox#PUBLISH_JOB}: renders the activity a local act stands for and queues it, once
 * per inbox, on the delivery lanes (signed there as its actor, see {@link DeliverySigners}).
 *
 * <p>Addressing, as Mastodon's: a post goes to the shared inboxes (else inboxes) of its author's
 * remote followers unless it is direct, and to the accounts it mentions and, unless direct, the
 * author it replies to; a boost to the booster's followers and the boosted author; a Like, Follow,
 * Block (and their Undo), Accept and Reject to the one account concerned; a profile Update to the
 * followers. Nothing goes to a suspended domain or to this server.
 */
public final class Publisher {
    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    private final AccountService accounts;
    private final AccountJson accountJson;
    private final StatusService statuses;
    private final RelationshipService relationships;
    private final TagService tags;
    private final ActivityStreams vocab;
    private final NoteContexts noteContexts;
    private final DeliveryLanes lanes;
    private final DomainBlocks domainBlocks;
    private final ReportService reports;
    private final PollService polls;
    private final InstanceActor instanceActor;
    private final String baseUrl;

    public Publisher(AccountService accounts, AccountJson accountJson, StatusService statuses,
                     RelationshipService relationships, TagService tags, ActivityStreams vocab, NoteContexts noteContexts,
                     DeliveryLanes lanes, DomainBlocks domainBlocks, ReportService reports, PollService polls,
                     InstanceActor instanceActor, String baseUrl) {
        this.reports = reports;
        this.polls = polls;
        this.instanceActor = instanceActor;
        this.baseUrl = baseUrl;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.statuses = statuses;
        this.relationships = relationships;
        this.tags = tags;
        this.vocab = vocab;
        this.noteContexts = noteContexts;
        this.lanes = lanes;
        this.domainBlocks = domainBlocks;
    }

    public void publish(Outbox.Publish p) {
        Optional<Account> found = accounts.find(p.actorId());
        if (found.isEmpty() || !found.get().local()) {
            return;
        }
        Account actor = found.get();
        switch (p.kind()) {
            case Outbox.CREATE, Outbox.UPDATE, Outbox.DELETE -> post(p.kind(), actor, p.statusId());
            case Outbox.ANNOUNCE, Outbox.UNDO_ANNOUNCE -> boost(p.kind().equals(Outbox.UNDO_ANNOUNCE), actor, p.statusId());
            case Outbox.LIKE, Outbox.UNDO_LIKE -> like(p.kind().equals(Outbox.UNDO_LIKE), actor, p.statusId());
            case Outbox.FOLLOW, Outbox.UNDO_FOLLOW -> follow(p.kind().equals(Outbox.UNDO_FOLLOW), actor, p.targetId(), p.uri());
            case Outbox.ACCEPT, Outbox.REJECT -> answer(p.kind().equals(Outbox.ACCEPT), actor, p.targetId(), p.uri());
            case Outbox.BLOCK, Outbox.UNDO_BLOCK -> block(p.kind().equals(Outbox.UNDO_BLOCK), actor, p.targetId());
            case Outbox.UPDATE_ACTOR -> updateActor(actor);
            case Outbox.FLAG -> flag(p.targetId());
            case Outbox.VOTE -> vote(actor, p.statusId(), p.targetId());
            case Outbox.POLL_COUNTS -> pollCounts(actor, p.statusId());
            case Outbox.PIN, Outbox.UNPIN -> pin(p.kind().equals(Outbox.UNPIN), actor, p.statusId());
            case Outbox.FEATURE_TAG, Outbox.UNFEATURE_TAG -> featureTag(p.kind().equals(Outbox.UNFEATURE_TAG), actor, p.uri());
            default -> log.warn("unknown publication {}", p.kind());
        }
    }

    private void post(String kind, Account author, long statusId) {
        Optional<StatusJson.StatusView> rendered = view(statusId);
        if (rendered.isEmpty() || rendered.get().reblog() != null) {
            return;
        }
        StatusJson.StatusView view = rendered.get();
        ActivityStreams.NoteContext context = noteContexts.of(List.of(view)).get(view.id());
        Map<String, Object> doc = switch (kind) {
            case Outbox.CREATE -> vocab.create(view, context, true);
            case Outbox.UPDATE -> update(view, context, view.editedAt() == null ? Instant.now() : view.editedAt());
            default -> delete(view);
        };
        deliver(audience(author, view), doc);
    }

    /** The servers a post goes to: its author's followers' (unless direct), and those of whom it mentions or answers. */
    private Set<String> audience(Account author, StatusJson.StatusView view) {
        Set<String> inboxes = new LinkedHashSet<>();
        boolean direct = view.visibility().equals("direct");
        if (!direct) {
            inboxes.addAll(relationships.remoteFollowerInboxes(author.id()));
        }
        for (StatusJson.MentionView m : view.mentions()) {
            accounts.find(Long.parseLong(m.id())).ifPresent(a -> addInbox(inboxes, a, true));
        }
        if (!direct && view.inReplyToAccountId() != null) {
            accounts.find(Long.parseLong(view.inReplyToAccountId())).ifPresent(a -> addInbox(inboxes, a, true));
        }
        return inboxes;
    }

    /**
     * A local poll's current counts, as Mastodon distributes them after votes and at its end: an Update of
     * the Question to the post's audience and to the servers of its remote voters.
     */
    private void pollCounts(Account author, long statusId) {
        Optional<StatusJson.StatusView> rendered = view(statusId);
        if (rendered.isEmpty() || rendered.get().poll() == null) {
            return;
        }
        StatusJson.StatusView view = rendered.get();
        Set<String> inboxes = audience(author, view);
        inboxes.addAll(polls.remoteVoterInboxes(statusId));
        deliver(inboxes, update(view, noteContexts.of(List.of(view)).get(view.id()), Instant.now()));
    }

    private Map<String, Object> update(StatusJson.StatusView view, ActivityStreams.NoteContext context, Instant at) {
        Map<String, Object> note = vocab.note(view, context, false);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", ActivityStreams.NOTE_CONTEXT);
        doc.put("id", view.uri() + "#updates/" + at.getEpochSecond());
        doc.put("type", "Update");
        doc.put("actor", view.account().uri());
        doc.put("published", ActivityStreams.time(at));
        doc.put("to", note.get("to"));
        doc.put("cc", note.get("cc"));
        doc.put("object", note);
        return doc;
    }

    private static Map<String, Object> delete(StatusJson.StatusView view) {
        return ActivityStreams.map("@context", ActivityStreams.AS, "id", view.uri() + "#delete", "type", "Delete",
                "actor", view.account().uri(), "to", List.of(ActivityStreams.PUBLIC),
                "object", ActivityStreams.map("id", view.uri(), "type", "Tombstone", "atomUri", view.uri()));
    }

    private void boost(boolean undo, Account booster, long reblogId) {
        Optional<StatusJson.StatusView> rendered = view(reblogId);
        if (rendered.isEmpty() || rendered.get().reblog() == null) {
            return;
        }
        StatusJson.StatusView view = rendered.get();
        Set<String> inboxes = new LinkedHashSet<>(relationships.remoteFollowerInboxes(booster.id()));
        accounts.find(Long.parseLong(view.reblog().account().id())).ifPresent(a -> addInbox(inboxes, a, true));
        Map<String, Object> announce = vocab.announce(view, !undo);
        deliver(inboxes, undo ? undo(view.uri() + "#undo", booster, announce, List.of(ActivityStreams.PUBLIC)) : announce);
    }

    /**
     * Add (or Remove) of the post to the author's featured collection, as Mastodon sends a pin: no id, to the
     * followers' servers, which show it among the profile's pinned posts.
     */
    private void pin(boolean unpin, Account author, long statusId) {
        view(statusId).ifPresent(view -> addToCollection(unpin, author, view.uri(), "featured"));
    }

    /** Add (or Remove) of a Hashtag to the actor's featured tags collection, as Mastodon sends them, to the followers' servers. */
    private void featureTag(boolean undo, Account author, String name) {
        addToCollection(undo, author, vocab.hashtag(name), "tags");
    }

    /** Add (or Remove) of {@code object} to one of the author's collections, without an id, to its followers' servers. */
    private void addToCollection(boolean remove, Account author, Object object, String collection) {
        String actor = accountJson.actorUri(author);
        deliver(new LinkedHashSet<>(relationships.remoteFollowerInboxes(author.id())), ActivityStreams.map(
                "@context", ActivityStreams.AS, "type", remove ? "Remove" : "Add", "actor", actor,
                "object", object, "target", actor + "/collections/" + collection));
    }

    private void like(boolean undo, Account liker, long statusId) {
        Optional<StatusJson.StatusView> rendered = view(statusId);
        if (rendered.isEmpty()) {
            return;
        }
        StatusJson.StatusView view = rendered.get();
        Optional<Account> author = accounts.find(Long.parseLong(view.account().id())).filter(a -> !a.local());
        if (author.isEmpty()) {
            return;
        }
        String actor = accountJson.actorUri(liker);
        String id = actor + "#likes/" + statusId;
        Map<String, Object> like = ActivityStreams.map("id", id, "type", "Like", "actor", actor, "object", view.uri());
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, author.get(), false);
        deliver(inboxes, undo ? undo(id + "/undo", liker, like, null) : withContext(like));
    }

    private void follow(boolean undo, Account follower, Long targetId, String uri) {
        Optional<Account> target = remote(targetId);
        if (target.isEmpty()) {
            return;
        }
        String actor = accountJson.actorUri(follower);
        String id = uri != null ? uri : actor + "#follows/" + target.get().id();
        Map<String, Object> follow = ActivityStreams.map("id", id, "type", "Follow", "actor", actor,
                "object", target.get().remote().uri());
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, target.get(), false);
        deliver(inboxes, undo ? undo(id + "/undo", follower, follow, null) : withContext(follow));
    }

    private void answer(boolean accepted, Account followed, Long followerId, String uri) {
        Optional<Account> follower = remote(followerId);
        if (follower.isEmpty()) {
            return;
        }
        String actor = accountJson.actorUri(followed);
        String followerUri = follower.get().remote().uri();
        Map<String, Object> follow = ActivityStreams.map("id", uri, "type", "Follow", "actor", followerUri, "object", actor);
        if (uri == null) {
            follow.remove("id");
        }
        String type = accepted ? "Accept" : "Reject";
        Map<String, Object> doc = ActivityStreams.map("@context", ActivityStreams.AS,
                "id", actor + "#" + type.toLowerCase() + "s/follows/" + follower.get().id() + "/" + Instant.now().toEpochMilli(),
                "type", type, "actor", actor, "object", follow);
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, follower.get(), false);
        deliver(inboxes, doc);
    }

    private void block(boolean undo, Account blocker, Long targetId) {
        Optional<Account> target = remote(targetId);
        if (target.isEmpty()) {
            return;
        }
        String actor = accountJson.actorUri(blocker);
        String id = actor + "#blocks/" + target.get().id();
        Map<String, Object> block = ActivityStreams.map("id", id, "type", "Block", "actor", actor,
                "object", target.get().remote().uri());
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, target.get(), false);
        deliver(inboxes, undo ? undo(id + "/undo", blocker, block, null) : withContext(block));
    }

    private void updateActor(Account account) {
        Map<String, Object> person = new LinkedHashMap<>(vocab.person(account, tags.featured(account.id())));
        person.remove("@context");
        Instant at = Instant.now();
        String actor = accountJson.actorUri(account);
        Map<String, Object> doc = ActivityStreams.map("@context", ActivityStreams.ACTOR_CONTEXT,
                "id", actor + "#updates/" + at.toEpochMilli(), "type", "Update", "actor", actor,
                "to", List.of(ActivityStreams.PUBLIC), "object", person);
        deliver(new LinkedHashSet<>(relationships.remoteFollowerInboxes(account.id())), doc);
    }

    /**
     * A forwarded report, as Mastodon sends it: a Flag by the instance actor (the reporter stays
     * anonymous), naming the account and the cited statuses, to the reported account's inbox.
     */
    private void flag(Long reportId) {
        Optional<Report> report = reportId == null ? Optional.empty() : reports.find(reportId);
        Optional<Account> target = report.flatMap(r -> remote(r.targetAccountId()));
        if (target.isEmpty()) {
            return;
        }
        List<Object> objects = new java.util.ArrayList<>();
        objects.add(target.get().remote().uri());
        Map<Long, String> uris = statuses.storedUris(report.get().statusIds());
        report.get().statusIds().stream().map(uris::get).filter(java.util.Objects::nonNull).forEach(objects::add);
        Map<String, Object> doc = ActivityStreams.map("@context", ActivityStreams.AS,
                "id", baseUrl + "/" + java.util.UUID.randomUUID(), "type", "Flag", "actor", instanceActor.uri(),
                "content", report.get().comment(), "object", objects);
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, target.get(), false);
        deliver(inboxes, doc);
    }

    /**
     * A local vote in a remote poll, as Mastodon sends it: a Create of a Note whose {@code name} is the
     * option's title, in reply to the Question, to the poll author's own inbox. Nothing for local polls.
     */
    private void vote(Account voter, Long statusId, Long choice) {
        Optional<StatusJson.StatusView> rendered = view(statusId);
        if (rendered.isEmpty() || !(rendered.get().poll() instanceof PollJson.PollView poll) || choice == null
                || choice < 0 || choice >= poll.options().size()) {
            return;
        }
        Optional<Account> author = remote(Long.parseLong(rendered.get().account().id()));
        if (author.isEmpty()) {
            return;
        }
        String actor = accountJson.actorUri(voter);
        String id = actor + "#votes/" + poll.id() + "/" + choice;
        List<String> to = List.of(author.get().remote().uri());
        Map<String, Object> note = ActivityStreams.map("id", id, "type", "Note",
                "name", poll.options().get(choice.intValue()).title(), "attributedTo", actor, "to", to,
                "inReplyTo", rendered.get().uri());
        Set<String> inboxes = new LinkedHashSet<>();
        addInbox(inboxes, author.get(), false);
        deliver(inboxes, ActivityStreams.map("@context", ActivityStreams.AS, "id", id + "/activity", "type", "Create",
                "actor", actor, "to", to, "object", note));
    }

    private Map<String, Object> undo(String id, Account actor, Map<String, Object> object, List<String> to) {
        Map<String, Object> inner = new LinkedHashMap<>(object);
        inner.remove("@context");
        Map<String, Object> doc = ActivityStreams.map("@context", ActivityStreams.AS, "id", id, "type", "Undo",
                "actor", accountJson.actorUri(actor));
        if (to != null) {
            doc.put("to", to);
        }
        doc.put("object", inner);
        return doc;
    }

    private static Map<String, Object> withContext(Map<String, Object> doc) {
        Map<String, Object> out = ActivityStreams.map("@context", ActivityStreams.AS);
        out.putAll(doc);
        return out;
    }

    private Optional<StatusJson.StatusView> view(Long statusId) {
        if (statusId == null) {
            return Optional.empty();
        }
        Optional<Status> status = statuses.findAny(statusId);
        return status.flatMap(s -> statuses.viewsOfVisible(List.of(s.id()), 0).stream().findFirst());
    }

    private Optional<Account> remote(Long accountId) {
        return accountId == null ? Optional.empty() : accounts.find(accountId).filter(a -> !a.local() && a.remote() != null);
    }

    /** A remote account's shared inbox (when {@code shared} and it has one) or its own inbox. */
    private static void addInbox(Set<String> inboxes, Account account, boolean shared) {
        if (account.local() || account.remote() == null) {
            return;
        }
        String sharedInbox = account.remote().sharedInbox();
        String inbox = shared && sharedInbox != null ? sharedInbox : account.remote().inbox();
        if (inbox != null) {
            inboxes.add(inbox);
        }
    }

    private void deliver(Set<String> inboxes, Map<String, Object> doc) {
        List<String> targets = inboxes.stream().filter(this::allowed).toList();
        if (targets.isEmpty()) {
            return;
        }
        int queued = lanes.enqueueAll(targets, Json.write(doc));
        log.debug("{} {} queued for {} of {} inboxes", doc.get("type"), doc.get("id"), queued, targets.size());
    }

    private boolean allowed(String inbox) {
        try {
            String host = URI.create(inbox).getHost();
            return host != null && !domainBlocks.isSuspended(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
