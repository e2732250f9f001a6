package social.caravan.federation;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.config.Config;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Routes;
import social.caravan.core.json.Json;

/**
 * WebFinger (RFC 7033) for local accounts, and host-meta pointing to it, as Mastodon serves them. A
 * deleted account still answers while its Delete is being delivered, then 410 Gone.
 */
public final class WebFingerApi implements Routes {
    private final AccountService accounts;
    private final ActorDeletion deletions;
    private final Config config;

    public WebFingerApi(AccountService accounts, ActorDeletion deletions, Config config) {
        this.accounts = accounts;
        this.deletions = deletions;
        this.config = config;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/.well-known/webfinger", this::webfinger);
        routes.get("/.well-known/host-meta", this::hostMeta);
    }

    private void webfinger(Context ctx) {
        String resource = ctx.queryParam("resource");
        if (resource == null || resource.isBlank()) {
            throw ApiException.badRequest("The resource parameter is required");
        }
        if (isInstanceActor(resource.trim())) {
            instanceActor(ctx);
            return;
        }
        String name = username(resource.trim()).orElseThrow(ApiException::notFound);
        Optional<Account> account = accounts.findLocal(name);
        String username;
        if (account.isPresent()) {
            username = account.get().username();
        } else {
            Optional<ActorDeletion.Deleting> deleting = deletions.deleting(name);
            if (deleting.isEmpty()) {
                throw deletions.isGone(name) ? new ApiException(410, "Gone") : ApiException.notFound();
            }
            username = deleting.get().username();
        }
        String profile = config.baseUrl() + "/@" + username;
        String actor = config.baseUrl() + "/users/" + username;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("subject", "acct:" + username + "@" + config.localDomain());
        doc.put("aliases", List.of(profile, actor));
        doc.put("links", List.of(
                Map.of("rel", "http://webfinger.net/rel/profile-page", "type", "text/html", "href", profile),
                Map.of("rel", "self", "type", "application/activity+json", "href", actor),
                Map.of("rel", "http://ostatus.org/schema/1.0/subscribe",
                        "template", config.baseUrl() + "/authorize_interaction?uri={uri}")));
        ctx.header("Cache-Control", "max-age=259200, public");
        ctx.contentType("application/jrd+json; charset=utf-8").result(Json.write(doc));
    }

    /** The instance actor answers to {@code acct:domain@domain} and to its URL, as Mastodon's does. */
    private boolean isInstanceActor(String resource) {
        String handle = resource.startsWith("acct:") ? resource.substring(5) : resource;
        String self = config.localDomain() + "@" + config.localDomain();
        return handle.equalsIgnoreCase(self) || resource.equals(config.baseUrl() + "/actor");
    }

    private void instanceActor(Context ctx) {
        String actor = config.baseUrl() + "/actor";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("subject", "acct:" + config.localDomain() + "@" + config.localDomain());
        doc.put("aliases", List.of(actor));
        doc.put("links", List.of(
                Map.of("rel", "http://webfinger.net/rel/profile-page", "type", "text/html",
                        "href", config.baseUrl() + "/about/more?instance_actor=true"),
                Map.of("rel", "self", "type", "application/activity+json", "href", actor)));
        ctx.header("Cache-Control", "max-age=259200, public");
        ctx.contentType("application/jrd+json; charset=utf-8").result(Json.write(doc));
    }

    /** The local username a resource names: {@code acct:user@domain}, {@code user@domain}, or the profile or actor URL. */
    private Optional<String> username(String resource) {
        String base = config.baseUrl();
        if (resource.startsWith(base + "/@")) {
            return Optional.of(resource.substring(base.length() + 2));
        }
        if (resource.startsWith(base + "/users/")) {
            return Optional.of(resource.substring(base.length() + 7));
        }
        String handle = resource.startsWith("acct:") ? resource.substring(5) : resource;
        int at = handle.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String domain = handle.substring(at + 1);
        if (!domain.equalsIgnoreCase(config.localDomain()) && !domain.equalsIgnoreCase(config.webDomain())) {
            return Optional.empty();
        }
        return Optional.of(handle.substring(0, at));
    }

    private void hostMeta(Context ctx) {
        ctx.contentType("application/xrd+xml; charset=utf-8").result("""
                <?xml version="1.0" encoding="UTF-8"?>
                <XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
                  <Link rel="lrdd" template="%s/.well-known/webfinger?resource={uri}"/>
                </XRD>
                """.formatted(config.baseUrl()));
    }
}
