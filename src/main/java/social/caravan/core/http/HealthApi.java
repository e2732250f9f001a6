package social.caravan.core.http;

import io.javalin.router.JavalinDefaultRoutingApi;
import org.jdbi.v3.core.Jdbi;

/** {@code /health}: "OK" while the database answers, 503 when it does not, for load balancers. */
public final class HealthApi implements Routes {
    private final Jdbi jdbi;

    public HealthApi(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/health", ctx -> {
            try {
                jdbi.useHandle(h -> h.execute("SELECT 1"));
                ctx.contentType("text/plain").result("OK");
            } catch (RuntimeException e) {
                ctx.status(503).contentType("text/plain").result("database unavailable");
            }
        });
    }
}
