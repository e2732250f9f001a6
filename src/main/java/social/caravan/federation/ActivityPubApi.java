package social.caravan.federation;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Page;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.core.json.Json;
import social.caravan.federation.vocab.ActivityStreams;
import social.caravan.relationships.RelationshipService;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;
import social.caravan.tags.TagService;
import social.caravan.timelines.TimelineService;
import social.caravan.web.PublicPages;

/**
 * The ActivityPub side of local accounts and statuses, with content negotiation: a request that asks
 * for {@code application/activity+json} or {@code application/ld+json} (or plain JSON) gets the
 * document, a browser gets the HTML page (or a redirect to it). Statuses and collections show the
 * requester what the visibility policy lets them see: the remote account that signed the GET, or
 * nobody (public and unlisted only) when unsigned. With {@code AUTHORIZED_FETCH=true} every document
 * here but the instance actor needs a valid signature (401 otherwise).
 */
public final class ActivityPubApi implements Routes {
    static final int OUTBOX_PAGE = 20;
    static final int COLLECTION_PAGE = 40;
    /** Replies per page of a status's replies collection, as Mastodon. */
    static final int REPLIES_PAGE = 60;

    private final AccountService accounts;
    private final AccountJson accountJson;
    private final StatusService statuses;
    private final TimelineService timelines;
    private final RelationshipService relationships;
    private final TagService tags;
    private final InstanceActor instanceActor;
    private final SignedRequests signedRequests;
    private final ActivityStreams vocab;
    private final PublicPages pages;
    private final NoteContexts noteContexts;
    private final ActorDeletion deletions;
    private final boolean authorizedFetch;

    public ActivityPubApi(AccountService accounts, AccountJson accountJson, StatusService statuses, TimelineService timelines,
                          RelationshipService relationships, TagService tags, InstanceActor instanceActor,
                          SignedRequests signedRequests, ActivityStreams vocab, PublicPages pages, NoteContexts noteContexts,
                          ActorDeletion deletions, boolean authorizedFetch) {
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.statuses = statuses;
        this.timelines = timelines;
        this.relationships = relationships;
        this.tags = tags;
        this.instanceActor = instanceActor;
        this.signedRequests = signedRequests;
        this.vocab = vocab;
        this.pages = pages;
        this.noteContexts = noteContexts;
        this.deletions = deletions;
        this.authorizedFetch = authorizedFetch;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/actor", ctx -> activity(ctx, vocab.instanceActor(instanceActor.publicKeyPem())));
        routes.get("/users/{name}", ctx -> actor(ctx, false));
        routes.get("/@{name}", ctx -> actor(ctx, true));
        routes.get("/users/{name}/statuses/{id}", ctx -> status(ctx, false));
        routes.get("/users/{name}/statuses/{id}/activity", this::statusActivity);
        routes.get("/users/{name}/statuses/{id}/replies", this::replies);
        routes.get("/@{name}/{id}", ctx -> status(ctx, true));
        routes.get("/users/{name}/outbox", this::outbox);
        routes.get("/users/{name}/followers", ctx -> network(ctx, true));
        routes.get("/users/{name}/following", ctx -> network(ctx, false));
        routes.get("/users/{name}/collections/featured", this::featured);
        routes.get("/users/{name}/collections/tags", this::featuredTags);
    }

    /** Whether the request asks for ActivityPub JSON rather than a page. */
    static boolean wantsActivity(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return a.contains("application/activity+json") || a.contains("application/ld+json")
                || (a.contains("application/json") && !a.contains("text/html"));
    }

    private void actor(Context ctx, boolean profilePath) {
        Optional<Account> found = accounts.findLocal(ctx.pathParam("name"));
        if (found.isEmpty()) {
            deletedActor(ctx);
            return;
        }
        Account account = found.get();
        if (!wantsActivity(ctx)) {
            if (!profilePath) {
                ctx.redirect(accountJson.profileUrl(account), io.javalin.http.HttpStatus.FOUND);
                return;
            }
            List<Long> recent = timelines.outbox(0, account.id(), new Window(Long.MAX_VALUE, 0, false, OUTBOX_PAGE)).statusIds();
            ctx.html(pages.profile(accountJson.render(account), statuses.viewsOfVisible(recent, 0)));
            return;
        }
        requester(ctx);
        activity(ctx, vocab.person(account, tags.featured(account.id())));
    }

    /**
     * A deleted account, as Mastodon answers for the suspended account it keeps: while its Delete is
     * being delivered, the suspended actor with its key to those asking for JSON (a page is 403); after
     * that, 410 Gone.
     */
    private void deletedActor(Context ctx) {
        String name = ctx.pathParam("name");
        Optional<ActorDeletion.Deleting> deleting = deletions.deleting(name);
        if (deleting.isPresent()) {
            if (!wantsActivity(ctx)) {
                throw ApiException.forbidden("Forbidden");
            }
            requester(ctx);
            ActorDeletion.Deleting d = deleting.get();
            activity(ctx, vocab.suspendedPerson(d.username(), d.bot(), d.createdAt(), d.publicKey()));
            return;
        }
        if (deletions.isGone(name)) {
            throw new ApiException(410, "Gone");
        }
        throw ApiException.notFound();
    }

    private void status(Context ctx, boolean profilePath) {
        Account author = local(ctx);
        boolean json = wantsActivity(ctx);
        long viewer = json ? requester(ctx) : 0;
        Status status = statuses.get(statusId(ctx), viewer);
        if (status.accountId() != author.id()) {
            throw ApiException.notFound();
        }
        StatusJson.StatusView view = statuses.view(status, viewer);
        if (!json) {
            if (!profilePath) {
                ctx.redirect(view.url(), io.javalin.http.HttpStatus.FOUND);
                return;
            }
            ctx.html(pages.status(view));
            return;
        }
        if (view.reblog() != null) {
            activity(ctx, vocab.announce(view, true));
            return;
        }
        activity(ctx, vocab.note(view, noteContexts(List.of(view)).get(view.id()), true));
    }

    private void statusActivity(Context ctx) {
        Account author = local(ctx);
        long viewer = requester(ctx);
        Status status = statuses.get(statusId(ctx), viewer);
        if (status.accountId() != author.id()) {
            throw ApiException.notFound();
        }
        StatusJson.StatusView view = statuses.view(status, viewer);
        activity(ctx, view.reblog() != null ? vocab.announce(view, true)
                : vocab.create(view, noteContexts(List.of(view)).get(view.id()), true));
    }

    /**
     * The public and unlisted replies to a status the requester may see, as Mastodon serves them: the author's
     * own first (as Notes), then, from {@code only_other_accounts=true}, everyone else's (Notes for local ones,
     * URIs for remote ones), {@value #REPLIES_PAGE} a page, oldest first, paged by {@code min_id}.
     */
    private void replies(Context ctx) {
        Account author = local(ctx);
        long viewer = requester(ctx);
        Status status = statuses.get(statusId(ctx), viewer);
        if (status.accountId() != author.id() || status.reblogOfId() != null) {
            throw ApiException.notFound();
        }
        String id = accountJson.actorUri(author) + "/statuses/" + status.id() + "/replies";
        boolean others = truthy(ctx.queryParam("only_other_accounts"));
        OptionalLong minId = cursor(ctx, "min_id");
        List<Long> ids = statuses.replyIds(status.id(), author.id(), !others, minId.orElse(0), REPLIES_PAGE);
        List<StatusJson.StatusView> views = statuses.viewsOfVisible(ids, viewer);
        Map<Long, String> remoteUris = statuses.storedUris(ids);
        Map<String, ActivityStreams.NoteContext> contexts = noteContexts(views.stream()
                .filter(v -> !remoteUris.containsKey(Long.parseLong(v.id()))).toList());
        List<Object> items = views.stream().map(v -> remoteUris.containsKey(Long.parseLong(v.id()))
                ? (Object) v.uri() : vocab.note(v, contexts.get(v.id()), false)).toList();
        // Rails writes the query in key order; a full page of self-replies goes on with them, else to the others'.
        String next;
        if (others) {
            next = ids.size() < REPLIES_PAGE ? null : id + "?min_id=" + ids.getLast() + "&only_other_accounts=true&page=true";
        } else {
            next = ids.size() < REPLIES_PAGE ? id + "?only_other_accounts=true&page=true"
                    : id + "?min_id=" + ids.getLast() + "&only_other_accounts=false&page=true";
        }
        StringBuilder self = new StringBuilder(id).append('?');
        minId.ifPresent(m -> self.append("min_id=").append(m).append('&'));
        if (ctx.queryParam("only_other_accounts") != null) {
            self.append("only_other_accounts=").append(ctx.queryParam("only_other_accounts")).append('&');
        }
        self.append("page=true");
        Map<String, Object> page = new java.util.LinkedHashMap<>();
        page.put("id", self.toString());
        page.put("type", "CollectionPage");
        if (next != null) {
            page.put("next", next);
        }
        page.put("partOf", id);
        page.put("items", items);
        Object context = items.stream().anyMatch(Map.class::isInstance) ? ActivityStreams.NOTE_CONTEXT : ActivityStreams.AS;
        if (truthy(ctx.queryParam("page"))) {
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("@context", context);
            doc.putAll(page);
            activity(ctx, doc);
            return;
        }
        activity(ctx, ActivityStreams.map("@context", context, "id", id, "type", "Collection", "first", page));
    }

    /** A Rails boolean parameter: absent, empty or one of its false words is false. */
    private static boolean truthy(String value) {
        return value != null && !value.isEmpty()
                && !List.of("0", "f", "false", "off", "F", "FALSE", "OFF").contains(value);
    }

    private void outbox(Context ctx) {
        Account account = local(ctx);
        long viewer = requester(ctx);
        String id = accountJson.actorUri(account) + "/outbox";
        if (ctx.queryParam("page") == null) {
            activity(ctx, ActivityStreams.orderedCollection(id, account.stats().statuses(), id + "?page=true",
                    id + "?min_id=0&page=true"));
            return;
        }
        OptionalLong maxId = cursor(ctx, "max_id");
        OptionalLong minId = cursor(ctx, "min_id");
        Window window = new Window(maxId.orElse(Long.MAX_VALUE), minId.orElse(0), minId.isPresent(), OUTBOX_PAGE);
        List<Long> ids = timelines.outbox(viewer, account.id(), window).statusIds();
        List<StatusJson.StatusView> views = statuses.viewsOfVisible(ids, viewer);
        Map<String, ActivityStreams.NoteContext> contexts = noteContexts(views);
        List<Object> items = new ArrayList<>();
        for (StatusJson.StatusView v : views) {
            items.add(v.reblog() != null ? vocab.announce(v, false) : vocab.create(v, contexts.get(v.id()), false));
        }
        String self = id + "?" + (maxId.isPresent() ? "max_id=" + maxId.getAsLong() + "&" : "")
                + (minId.isPresent() ? "min_id=" + minId.getAsLong() + "&" : "") + "page=true";
        String next = ids.isEmpty() ? null : id + "?max_id=" + ids.getLast() + "&page=true";
        String prev = ids.isEmpty() ? null : id + "?min_id=" + ids.getFirst() + "&page=true";
        activity(ctx, ActivityStreams.orderedPage(ActivityStreams.NOTE_CONTEXT, self, id, null, next, prev, items));
    }

    private void network(Context ctx, boolean followers) {
        Account account = local(ctx);
        long viewer = requester(ctx);
        String id = accountJson.actorUri(account) + (followers ? "/followers" : "/following");
        long total = followers ? account.stats().followers() : account.stats().following();
        if (ctx.queryParam("page") == null) {
            activity(ctx, ActivityStreams.orderedCollection(id, total, account.hideCollections() ? null : id + "?page=1", null));
            return;
        }
        if (account.hideCollections()) {
            throw ApiException.forbidden("This account hides its network");
        }
        OptionalLong maxId = cursor(ctx, "max_id");
        Page page = new Page(maxId, OptionalLong.empty(), OptionalLong.empty(), COLLECTION_PAGE);
        RelationshipService.PageOf<Account> found = followers ? relationships.followers(account.id(), viewer, page)
                : relationships.following(account.id(), viewer, page);
        List<String> items = found.items().stream().map(accountJson::actorUri).toList();
        String self = id + "?" + (maxId.isPresent() ? "max_id=" + maxId.getAsLong() + "&" : "") + "page=1";
        String next = found.items().size() < COLLECTION_PAGE || found.pagingKeys().isEmpty() ? null
                : id + "?max_id=" + found.pagingKeys().getLast() + "&page=1";
        activity(ctx, ActivityStreams.orderedPage(List.of(ActivityStreams.AS), self, id, total, next, null, items));
    }

    private void featured(Context ctx) {
        Account account = local(ctx);
        long viewer = requester(ctx);
        List<StatusJson.StatusView> views = statuses.viewsOfVisible(timelines.pinned(viewer, account.id()), viewer);
        Map<String, ActivityStreams.NoteContext> contexts = noteContexts(views);
        List<Object> items = views.stream().map(v -> (Object) vocab.note(v, contexts.get(v.id()), false)).toList();
        Map<String, Object> doc = ActivityStreams.map("@context", ActivityStreams.NOTE_CONTEXT,
                "id", accountJson.actorUri(account) + "/collections/featured", "type", "OrderedCollection",
                "totalItems", items.size(), "orderedItems", items);
        activity(ctx, doc);
    }

    private void featuredTags(Context ctx) {
        Account account = local(ctx);
        requester(ctx);
        List<Object> items = tags.featured(account.id()).stream().map(t -> (Object) vocab.hashtag(t.name())).toList();
        activity(ctx, ActivityStreams.map("@context", ActivityStreams.AS,
                "id", accountJson.actorUri(account) + "/collections/tags", "type", "Collection",
                "totalItems", items.size(), "items", items));
    }

    private Map<String, ActivityStreams.NoteContext> noteContexts(List<StatusJson.StatusView> views) {
        return noteContexts.of(views);
    }

    /** The signing remote account's id (0 when unsigned); 401 when the signature fails or one is required. */
    private long requester(Context ctx) {
        Optional<Account> signer = authorizedFetch ? Optional.of(signedRequests.requireSigner(ctx)) : signedRequests.signer(ctx);
        return signer.map(Account::id).orElse(0L);
    }

    /** The local account the path names; a deleted one's statuses and collections are gone (410), as Mastodon answers. */
    private Account local(Context ctx) {
        String name = ctx.pathParam("name");
        return accounts.findLocal(name).orElseThrow(() -> deletions.deleting(name).isPresent() || deletions.isGone(name)
                ? new ApiException(410, "Gone") : ApiException.notFound());
    }

    private static long statusId(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }

    private static OptionalLong cursor(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return OptionalLong.empty();
        }
        if (value.equals("0")) {
            return OptionalLong.of(0);
        }
        OptionalLong id = Ids.parse(value);
        if (id.isEmpty()) {
            throw ApiException.badRequest("Parameter " + name + " must be an id");
        }
        return id;
    }

    private static void activity(Context ctx, Map<String, Object> doc) {
        ctx.header("Vary", "Accept");
        ctx.contentType(ActivityStreams.MEDIA_TYPE + "; charset=utf-8").result(Json.write(doc));
    }
}
