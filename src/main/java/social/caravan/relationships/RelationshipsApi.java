package social.caravan.relationships;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/**
 * The social graph in the client API: follow, block, mute, note and endorse an account, follow
 * requests, domain blocks, and the lists of each. {@code GET /api/v1/accounts/relationships} stays
 * with the accounts routes, which ask {@link RelationshipService#relationships}.
 */
public final class RelationshipsApi implements Routes {
    /** Mastodon's page sizes: accounts 40 (at most 80), blocked domains 100 (at most 200). */
    static final int ACCOUNTS_LIMIT = 40;
    static final int DOMAINS_LIMIT = 100;

    private final RelationshipService relationships;
    private final AccountJson json;
    private final Authn authn;
    private final String baseUrl;

    public RelationshipsApi(RelationshipService relationships, AccountJson json, Authn authn, String baseUrl) {
        this.relationships = relationships;
        this.json = json;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's FamiliarFollowers entity. */
    record FamiliarFollowersView(String id, List<AccountJson.AccountView> accounts) {}

    /** Mastodon's MutedAccount: an Account and when the mute ends. */
    record MutedAccountView(@JsonUnwrapped AccountJson.AccountView account, Instant muteExpiresAt) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/accounts/familiar_followers", this::familiarFollowers);
        routes.post("/api/v1/accounts/{id}/follow", this::follow);
        routes.post("/api/v1/accounts/{id}/unfollow", ctx -> act(ctx, "write:follows", relationships::unfollow));
        routes.post("/api/v1/accounts/{id}/remove_from_followers",
                ctx -> act(ctx, "write:follows", relationships::removeFromFollowers));
        routes.post("/api/v1/accounts/{id}/block", ctx -> act(ctx, "write:blocks", relationships::block));
        routes.post("/api/v1/accounts/{id}/unblock", ctx -> act(ctx, "write:blocks", relationships::unblock));
        routes.post("/api/v1/accounts/{id}/mute", this::mute);
        routes.post("/api/v1/accounts/{id}/unmute", ctx -> act(ctx, "write:mutes", relationships::unmute));
        routes.post("/api/v1/accounts/{id}/note", this::note);
        routes.get("/api/v1/accounts/{id}/followers", ctx -> network(ctx, relationships::followers));
        routes.get("/api/v1/accounts/{id}/following", ctx -> network(ctx, relationships::following));
        routes.get("/api/v1/follow_requests", ctx -> own(ctx, "read:follows", relationships::followRequests));
        routes.post("/api/v1/follow_requests/{id}/authorize", ctx -> act(ctx, "write:follows", relationships::authorize));
        routes.post("/api/v1/follow_requests/{id}/reject", ctx -> act(ctx, "write:follows", relationships::reject));
        routes.get("/api/v1/blocks", ctx -> own(ctx, "read:blocks", relationships::blocks));
        routes.get("/api/v1/mutes", this::mutes);
        routes.get("/api/v1/domain_blocks", this::domainBlocks);
        routes.post("/api/v1/domain_blocks", this::blockDomain);
        routes.delete("/api/v1/domain_blocks", this::unblockDomain);
        // Featured accounts: pin/unpin are the names Mastodon kept from before 4.4's endorse/unendorse.
        for (String verb : List.of("pin", "endorse")) {
            routes.post("/api/v1/accounts/{id}/" + verb, ctx -> act(ctx, "write:accounts", relationships::endorse));
        }
        for (String verb : List.of("unpin", "unendorse")) {
            routes.post("/api/v1/accounts/{id}/" + verb, ctx -> act(ctx, "write:accounts", relationships::unendorse));
        }
        routes.get("/api/v1/endorsements", this::ownEndorsements);
        routes.get("/api/v1/accounts/{id}/endorsements", this::endorsements);
    }

    /** The viewer's featured accounts; {@code limit=0} lists them all, without a Link header. */
    private void ownEndorsements(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:accounts").accountId().getAsLong();
        if ("0".equals(Params.of(ctx).string("limit").orElse(null))) {
            ctx.json(relationships.endorsements(viewer, null).items().stream().map(json::render).toList());
            return;
        }
        Page page = Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        renderAccounts(ctx, page, relationships.endorsements(viewer, Window.of(page)));
    }

    /** Anyone's featured accounts: public, but a token must be able to read accounts. */
    private void endorsements(Context ctx) {
        if (Authn.bearer(ctx).isPresent()) {
            authn.require(ctx, "read:accounts");
        }
        Page page = Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        renderAccounts(ctx, page, relationships.endorsements(id(ctx), Window.of(page)));
    }

    private void follow(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:follows").accountId().getAsLong();
        Params p = Params.of(ctx);
        ctx.json(relationships.follow(viewer, id(ctx), new RelationshipService.FollowOptions(
                p.bool("reblogs").orElse(null), p.bool("notify").orElse(null),
                p.has("languages") ? p.list("languages") : null)));
    }

    private void mute(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:mutes").accountId().getAsLong();
        Params p = Params.of(ctx);
        ctx.json(relationships.mute(viewer, id(ctx), p.bool("notifications").orElse(true),
                p.integer("duration").orElse(0)));
    }

    private void note(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:accounts").accountId().getAsLong();
        ctx.json(relationships.note(viewer, id(ctx), Params.of(ctx).string("comment").orElse(null)));
    }

    private void familiarFollowers(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:follows").accountId().getAsLong();
        List<Long> ids = new ArrayList<>();
        for (String raw : Params.of(ctx).list("id")) {
            Ids.parse(raw).ifPresent(ids::add);
        }
        ctx.json(relationships.familiarFollowers(viewer, ids).stream()
                .map(f -> new FamiliarFollowersView(Long.toString(f.accountId()),
                        f.accounts().stream().map(json::render).toList()))
                .toList());
    }

    private interface Network {
        RelationshipService.PageOf<Account> page(long accountId, long viewer, Page page);
    }

    /** Followers or following: public, but a token must be able to read accounts, as Mastodon checks it. */
    private void network(Context ctx, Network query) {
        long viewer = Authn.bearer(ctx).isEmpty() ? 0 : authn.require(ctx, "read:accounts").accountId().orElse(0);
        Page page = Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        renderAccounts(ctx, page, query.page(id(ctx), viewer, page));
    }

    private interface OwnList {
        RelationshipService.PageOf<Account> page(long viewer, Page page);
    }

    private void own(Context ctx, String scope, OwnList query) {
        long viewer = authn.requireUser(ctx, scope).accountId().getAsLong();
        Page page = Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        renderAccounts(ctx, page, query.page(viewer, page));
    }

    private void renderAccounts(Context ctx, Page page, RelationshipService.PageOf<Account> accounts) {
        page.link(ctx, baseUrl, accounts.pagingKeys());
        ctx.json(accounts.items().stream().map(json::render).toList());
    }

    private void mutes(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:mutes").accountId().getAsLong();
        Page page = Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        RelationshipService.PageOf<RelationshipService.Muted> mutes = relationships.mutes(viewer, page);
        page.link(ctx, baseUrl, mutes.pagingKeys());
        ctx.json(mutes.items().stream().map(m -> new MutedAccountView(json.render(m.account()), m.expiresAt())).toList());
    }

    /** Mastodon lists blocked domains as plain strings. */
    private void domainBlocks(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:blocks").accountId().getAsLong();
        Page page = Page.of(ctx, DOMAINS_LIMIT, 2 * DOMAINS_LIMIT);
        RelationshipService.PageOf<String> domains = relationships.domainBlocks(viewer, page);
        page.link(ctx, baseUrl, domains.pagingKeys());
        ctx.json(domains.items());
    }

    private void blockDomain(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:blocks").accountId().getAsLong();
        relationships.blockDomain(viewer, Params.of(ctx).string("domain").orElse(null));
        ctx.json(Map.of());
    }

    private void unblockDomain(Context ctx) {
        long viewer = authn.requireUser(ctx, "write:blocks").accountId().getAsLong();
        relationships.unblockDomain(viewer, Params.of(ctx).string("domain").orElse(null));
        ctx.json(Map.of());
    }

    private interface Action {
        Relationship apply(long viewer, long accountId);
    }

    private void act(Context ctx, String scope, Action action) {
        long viewer = authn.requireUser(ctx, scope).accountId().getAsLong();
        ctx.json(action.apply(viewer, id(ctx)));
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
