package social.caravan.federation;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import social.caravan.Version;
import social.caravan.accounts.AccountService;
import social.caravan.core.config.Config;
import social.caravan.core.http.Routes;
import social.caravan.core.json.Json;

/**
 * NodeInfo 2.0 and 2.1. The software is named caravan; {@code metadata.upstream} names Mastodon, the
 * marker client libraries such as megalodon read to treat a server as Mastodon-compatible.
 */
public final class NodeInfoApi implements Routes {
    private static final String SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/";
    private final AccountService accounts;
    private final Config config;

    public NodeInfoApi(AccountService accounts, Config config) {
        this.accounts = accounts;
        this.config = config;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/.well-known/nodeinfo", ctx -> ctx.json(Map.of("links", List.of(
                Map.of("rel", SCHEMA + "2.0", "href", config.baseUrl() + "/nodeinfo/2.0"),
                Map.of("rel", SCHEMA + "2.1", "href", config.baseUrl() + "/nodeinfo/2.1")))));
        routes.get("/nodeinfo/2.0", ctx -> document(ctx, "2.0"));
        routes.get("/nodeinfo/2.1", ctx -> document(ctx, "2.1"));
    }

    private void document(Context ctx, String version) {
        long users = accounts.countLocalUsers();
        Map<String, Object> software = new LinkedHashMap<>();
        software.put("name", "caravan");
        software.put("version", Version.CARAVAN);
        if (version.equals("2.1")) {
            software.put("repository", Version.SOURCE_URL);
            software.put("homepage", Version.SOURCE_URL);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", version);
        doc.put("software", software);
        doc.put("protocols", List.of("activitypub"));
        doc.put("services", Map.of("outbound", List.of(), "inbound", List.of()));
        doc.put("usage", Map.of(
                "users", Map.of("total", users, "activeMonth", users, "activeHalfyear", users),
                "localPosts", 0));
        doc.put("openRegistrations", config.registrations() == Config.Registrations.OPEN);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("nodeName", config.siteTitle());
        metadata.put("nodeDescription", config.siteDescription());
        metadata.put("upstream", Map.of("name", "mastodon", "version", "4.4.0"));
        doc.put("metadata", metadata);
        ctx.contentType("application/json; profile=\"" + SCHEMA + version + "#\"").result(Json.write(doc));
    }
}
