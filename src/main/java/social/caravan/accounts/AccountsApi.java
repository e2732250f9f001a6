package social.caravan.accounts;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.ClientAddresses;
import social.caravan.core.http.Params;
import social.caravan.core.http.Principal;
import social.caravan.core.http.RateLimits;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/** The accounts part of the client API: registration, credentials, profiles, relationships, preferences. */
public final class AccountsApi implements Routes {
    /** Issues the token a new account receives; the auth room provides it. */
    public interface SignUpTokens {
        /** Returns the Token entity to render. */
        Object issueFor(long applicationId, long accountId, java.util.Set<String> scopes);
    }

    /** Renders the viewer's relationships; the relationships room provides it. */
    public interface Relationships {
        /** Mastodon's Relationship entities, one per known account, in the order of {@code accountIds}. */
        List<?> of(long viewerId, List<Long> accountIds);

        /** Follow requests waiting for the account's answer, for verify_credentials' source. */
        long pendingFollowRequests(long accountId);
    }

    /** How many accounts one GET /api/v1/accounts may ask for (Mastodon's DEFAULT_ACCOUNTS_LIMIT). */
    static final int MAX_ACCOUNTS = 40;

    private final AccountService accounts;
    private final AccountJson json;
    private final Authn authn;
    private final RateLimits rateLimits;
    private final ClientAddresses addresses;
    private final SignUpTokens tokens;
    private final Relationships relationships;

    public AccountsApi(AccountService accounts, AccountJson json, Authn authn, RateLimits rateLimits,
                       ClientAddresses addresses, SignUpTokens tokens, Relationships relationships) {
        this.accounts = accounts;
        this.json = json;
        this.authn = authn;
        this.rateLimits = rateLimits;
        this.addresses = addresses;
        this.tokens = tokens;
        this.relationships = relationships;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/api/v1/accounts", this::create);
        routes.get("/api/v1/accounts", this::index);
        routes.get("/api/v1/accounts/verify_credentials", this::verifyCredentials);
        routes.patch("/api/v1/accounts/update_credentials", this::updateCredentials);
        routes.get("/api/v1/accounts/lookup", this::lookup);
        routes.get("/api/v1/accounts/relationships", this::relationships);
        routes.get("/api/v1/accounts/{id}", this::show);
        routes.get("/api/v1/preferences", this::preferences);
    }

    private void create(Context ctx) {
        Principal app = authn.require(ctx, "write:accounts");
        rateLimits.signUp(ctx);
        Params p = Params.of(ctx);
        if (!p.bool("agreement").orElse(false)) {
            throw new ApiException(422, "Validation failed: Agreement must be accepted", null,
                    Map.of("agreement", List.of(Map.of("error", "ERR_ACCEPTED", "description", "must be accepted"))));
        }
        long accountId = accounts.register(new AccountService.Registration(
                p.string("username").orElse(""), p.string("email").orElse(""), p.string("password").orElse(""),
                Role.USER, p.string("locale").orElse(null), p.string("reason").orElse(null),
                addresses.of(ctx).getHostAddress(), false));
        ctx.json(tokens.issueFor(app.applicationId(), accountId, app.scopes()));
    }

    private void verifyCredentials(Context ctx) {
        long id = authn.requireUser(ctx, "read:accounts", "profile").accountId().getAsLong();
        Account account = accounts.find(id).orElseThrow(ApiException::notFound);
        User user = accounts.user(id).orElseThrow(ApiException::notFound);
        ctx.json(json.renderCredential(account, user, relationships.pendingFollowRequests(id)));
    }

    private void updateCredentials(Context ctx) {
        long id = authn.requireUser(ctx, "write:accounts").accountId().getAsLong();
        Params p = Params.of(ctx);
        List<Account.Field> fields = null;
        if (p.has("fields_attributes")) {
            fields = new ArrayList<>();
            for (Params field : p.objects("fields_attributes")) {
                String name = field.string("name").orElse("").strip();
                String value = field.string("value").orElse("").strip();
                if (!name.isEmpty() || !value.isEmpty()) {
                    fields.add(new Account.Field(name, value));
                }
            }
        }
        Params source = p.object("source").orElse(null);
        accounts.updateProfile(id, new AccountService.ProfileChanges(
                p.string("display_name").orElse(null), p.string("note").orElse(null), fields,
                p.bool("locked").orElse(null), p.bool("bot").orElse(null), p.bool("discoverable").orElse(null),
                p.bool("indexable").orElse(null), p.bool("hide_collections").orElse(null),
                source == null ? null : source.string("privacy").orElse(null),
                source == null ? null : source.bool("sensitive").orElse(null),
                source == null ? null : source.string("language").orElse(null)));
        verifyCredentials(ctx);
    }

    /** Public; a token, when given, must be able to read accounts, as on Mastodon. */
    private void lookup(Context ctx) {
        if (Authn.bearer(ctx).isPresent()) {
            authn.require(ctx, "read:accounts");
        }
        String acct = Params.of(ctx).required("acct").strip();
        String handle = acct.startsWith("@") ? acct.substring(1) : acct;
        int at = handle.indexOf('@');
        String domain = at < 0 ? null : handle.substring(at + 1);
        boolean local = domain == null || accounts.isLocalDomain(domain);
        // Only accounts already known, as on Mastodon: clients resolve others with /api/v2/search?resolve=true,
        // which needs a token, so an anonymous request makes this server fetch nothing.
        Account found = (local ? accounts.lookup(acct) : accounts.findRemote(handle.substring(0, at), domain))
                .orElseThrow(ApiException::notFound);
        ctx.json(json.render(found));
    }

    /**
     * Several accounts at once ({@code id[]}, at most 40), unknown ids left out. Public; a token,
     * when given, must be able to read accounts. Too many ids is Mastodon's bare ValidationError.
     */
    private void index(Context ctx) {
        if (Authn.bearer(ctx).isPresent()) {
            authn.require(ctx, "read:accounts");
        }
        List<Long> ids = Params.of(ctx).list("id").stream().map(Ids::parse).filter(OptionalLong::isPresent)
                .map(OptionalLong::getAsLong).distinct().toList();
        if (ids.size() > MAX_ACCOUNTS) {
            throw ApiException.unprocessable("Mastodon::ValidationError");
        }
        ctx.json(accounts.findAllApproved(ids).stream().map(json::render).toList());
    }

    private void show(Context ctx) {
        long id = Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
        ctx.json(json.render(accounts.find(id).orElseThrow(ApiException::notFound)));
    }

    /** Unknown ids are left out; {@code with_suspended} changes nothing, as nobody is suspended. */
    private void relationships(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:follows").accountId().getAsLong();
        java.util.Set<Long> ids = new java.util.LinkedHashSet<>();
        for (String raw : Params.of(ctx).list("id")) {
            OptionalLong id = Ids.parse(raw);
            id.ifPresent(ids::add);
        }
        ctx.json(relationships.of(viewer, List.copyOf(ids)));
    }

    private void preferences(Context ctx) {
        long id = authn.requireUser(ctx, "read:accounts").accountId().getAsLong();
        User user = accounts.user(id).orElseThrow(ApiException::notFound);
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("posting:default:visibility", user.defaultPrivacy());
        prefs.put("posting:default:sensitive", user.defaultSensitive());
        prefs.put("posting:default:language", user.defaultLanguage());
        prefs.put("posting:default:quote_policy", "public");
        prefs.put("reading:expand:media", "default");
        prefs.put("reading:expand:spoilers", false);
        prefs.put("reading:autoplay:gifs", false);
        ctx.json(prefs);
    }
}
