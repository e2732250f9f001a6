package social.caravan.auth;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Routes;
import social.caravan.core.http.Scopes;

/** POST /api/v1/apps and GET /api/v1/apps/verify_credentials. */
public final class AppsApi implements Routes {
    private final AuthService auth;
    private final Authn authn;

    public AppsApi(AuthService auth, Authn authn) {
        this.auth = auth;
        this.authn = authn;
    }

    /** Mastodon's Application. */
    record ApplicationView(String id, String name, String website, List<String> scopes, String redirectUri,
                           List<String> redirectUris, String vapidKey) {}

    /** Mastodon's CredentialApplication: the client secret is shown once, at creation. */
    record CredentialApplicationView(String id, String name, String website, List<String> scopes,
                                     String redirectUri, List<String> redirectUris, String vapidKey, String clientId,
                                     String clientSecret, long clientSecretExpiresAt) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/api/v1/apps", this::create);
        routes.get("/api/v1/apps/verify_credentials", this::verifyCredentials);
    }

    private void create(Context ctx) {
        Params p = Params.of(ctx);
        String name = p.string("client_name").orElse("");
        List<String> uris = new ArrayList<>();
        for (String item : p.list("redirect_uris")) {
            for (String uri : item.split("[\\s]+")) {
                if (!uri.isBlank()) {
                    uris.add(uri);
                }
            }
        }
        Set<String> scopes = Scopes.parse(p.string("scopes").orElse("read"));
        if (scopes.isEmpty()) {
            scopes = Scopes.of("read");
        }
        AuthService.RegisteredApp registered = auth.registerApp(name, uris, scopes, p.string("website").orElse(null));
        Application app = registered.app();
        ApplicationView v = view(app);
        ctx.json(new CredentialApplicationView(v.id(), v.name(), v.website(), v.scopes(), v.redirectUri(),
                v.redirectUris(), v.vapidKey(), app.clientId(), registered.clientSecret(), 0));
    }

    private void verifyCredentials(Context ctx) {
        Principal principal = authn.require(ctx);
        Application app = auth.application(principal.applicationId()).orElseThrow(ApiException::notFound);
        ctx.json(view(app));
    }

    /** {@code vapid_key} stays empty until Web Push exists; apps read it only to subscribe. */
    private static ApplicationView view(Application app) {
        return new ApplicationView(Long.toString(app.id()), app.name(), app.website(), List.copyOf(app.scopes()),
                String.join("\n", app.redirectUris()), app.redirectUris(), "");
    }
}
