package social.caravan.conversations;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;

/** /api/v1/conversations: the signed-in account's direct conversations, paged by their last status. */
public final class ConversationsApi implements Routes {
    /** Mastodon's default and largest page of conversations. */
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 40;

    private final ConversationService conversations;
    private final StatusService statuses;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final Authn authn;
    private final String baseUrl;

    public ConversationsApi(ConversationService conversations, StatusService statuses, AccountService accounts,
                            AccountJson accountJson, Authn authn, String baseUrl) {
        this.conversations = conversations;
        this.statuses = statuses;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's Conversation entity; {@code last_status} is null when the viewer can no longer see it. */
    public record ConversationView(String id, boolean unread, List<AccountJson.AccountView> accounts,
                                   StatusJson.StatusView lastStatus) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/conversations", this::index);
        routes.post("/api/v1/conversations/{id}/read", this::read);
        routes.delete("/api/v1/conversations/{id}", this::delete);
    }

    private void index(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<Conversation> found = conversations.page(viewer, Window.of(page));
        page.link(ctx, baseUrl, found.stream().map(Conversation::lastStatusId).toList());
        ctx.json(render(found, viewer));
    }

    private void read(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:conversations").accountId().getAsLong();
        ctx.json(render(List.of(conversations.markRead(viewer, id(ctx))), viewer).get(0));
    }

    private void delete(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:conversations").accountId().getAsLong();
        conversations.remove(viewer, id(ctx));
        ctx.json(Map.of());
    }

    /** The participants (the viewer alone for a note to oneself) and last statuses, loaded once per page. */
    /** One of the viewer's conversations, for the direct stream's {@code conversation} event. */
    public java.util.Optional<ConversationView> renderOne(long viewer, long id) {
        return conversations.find(viewer, id).map(c -> render(List.of(c), viewer).getFirst());
    }

    private List<ConversationView> render(List<Conversation> page, long viewer) {
        List<Long> accountIds = page.stream()
                .flatMap(c -> c.participantIds().isEmpty() ? Stream.of(viewer) : c.participantIds().stream())
                .distinct().toList();
        Map<Long, Account> byId = new HashMap<>();
        accounts.findAll(accountIds).forEach(a -> byId.put(a.id(), a));
        Map<Long, StatusJson.StatusView> lastStatuses = new HashMap<>();
        statuses.views(statuses.getMany(page.stream().map(Conversation::lastStatusId).toList(), viewer), viewer)
                .forEach(v -> lastStatuses.put(Long.parseLong(v.id()), v));
        return page.stream().map(c -> new ConversationView(Long.toString(c.id()), c.unread(),
                        (c.participantIds().isEmpty() ? List.of(viewer) : c.participantIds()).stream()
                                .map(byId::get).filter(Objects::nonNull).map(accountJson::render).toList(),
                        lastStatuses.get(c.lastStatusId())))
                .toList();
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
