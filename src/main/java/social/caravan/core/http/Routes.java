package social.caravan.core.http;

import io.javalin.router.JavalinDefaultRoutingApi;

/** A room's HTTP routes, registered once when the server is built. */
@FunctionalInterface
public interface Routes {
    void register(JavalinDefaultRoutingApi routes);
}
