package social.caravan.core.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JsonMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.Type;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.html.Html;
import social.caravan.core.json.Json;

/**
 * Builds the Javalin server every role shares: virtual threads, Mastodon's JSON error bodies,
 * CORS where browsers call us, the 1 MiB body limit, rate limits and request metrics.
 */
public final class HttpServer {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final String STARTED = "caravan.started";

    private HttpServer() {}

    public static Javalin create(List<Routes> rooms, RateLimits rateLimits, MeterRegistry meters) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = Params.MAX_BODY_BYTES;
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.router.ignoreTrailingSlashes = true;
            config.jsonMapper(new JsonMapper() {
                @Override
                public String toJsonString(Object value, Type type) {
                    return Json.write(value);
                }

                @Override
                public <T> T fromJsonString(String json, Type type) {
                    return Json.MAPPER.readValue(json, Json.MAPPER.constructType(type));
                }
            });
            var routes = config.routes;
            routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            routes.before(HttpServer::securityHeaders);
            routes.before(HttpServer::cors);
            routes.before(HttpServer::limitBody);
            routes.before("/api/*", rateLimits::api);
            for (Routes room : rooms) {
                room.register(routes);
            }
            routes.after(ctx -> record(ctx, meters));
            routes.exception(ApiException.class, (e, ctx) -> render(ctx, e));
            routes.exception(HttpResponseException.class, (e, ctx) ->
                    render(ctx, new ApiException(e.getStatus(), e.getStatus() == 404 ? "Not found" : e.getMessage())));
            routes.exception(Exception.class, (e, ctx) -> {
                if (unstorableText(e)) {
                    render(ctx, new ApiException(400, "The request contains a character that cannot be stored (U+0000)"));
                    return;
                }
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                render(ctx, new ApiException(500, "Internal server error"));
            });
        });
    }

    /**
     * What Jetty answers before a request reaches the routes (a malformed request line, a URI or
     * headers too long, a bad Content-Length): Mastodon's JSON error body instead of Jetty's HTML page.
     */
    private static final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        protected void generateResponse(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                        int code, String message, Throwable cause, org.eclipse.jetty.util.Callback callback) {
            String error = message == null || message.isBlank() ? org.eclipse.jetty.http.HttpStatus.getMessage(code) : message;
            response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, java.nio.ByteBuffer.wrap(Json.write(new ErrorBody(error, null, null))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
        }
    }

    /**
     * PostgreSQL refuses U+0000 in text (SQLSTATE 22021, character_not_in_repertoire). Only a
     * client's input can carry it there, so it is the client's error, wherever the value was read.
     */
    private static boolean unstorableText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "22021".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Error pages are HTML only for browser pages; API callers always get Mastodon's JSON body. */
    private static void render(Context ctx, ApiException e) {
        ctx.status(e.status());
        if (wantsHtml(ctx)) {
            ctx.html(Html.page("Error " + e.status(), "<h1>" + e.status() + "</h1><p>" + Html.escape(e.getMessage()) + "</p>"));
        } else {
            ctx.json(ErrorBody.of(e));
        }
    }

    private static boolean wantsHtml(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/api/") || path.startsWith("/oauth/token") || path.startsWith("/oauth/revoke")
                || path.startsWith("/oauth/userinfo") || path.startsWith("/.well-known/") || path.startsWith("/nodeinfo/")) {
            return false;
        }
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/html");
    }

    /** Our pages (sign-in, consent) must never load inside another site's frame: that is clickjacking. */
    private static void securityHeaders(Context ctx) {
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "frame-ancestors 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
    }

    /** Browser apps (Elk, Phanpy) call the API from other origins; answer preflights here. */
    private static void cors(Context ctx) {
        String path = ctx.path();
        boolean shared = path.startsWith("/api/") || path.equals("/oauth/token") || path.equals("/oauth/revoke")
                || path.equals("/oauth/userinfo") || path.startsWith("/.well-known/") || path.startsWith("/nodeinfo/");
        if (!shared) {
            return;
        }
        ctx.header("Access-Control-Allow-Origin", "*");
        ctx.header("Access-Control-Expose-Headers",
                "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key");
        if ("OPTIONS".equals(ctx.method().name())) {
            ctx.header("Access-Control-Allow-Methods", "POST, PUT, DELETE, GET, PATCH, OPTIONS");
            String asked = ctx.header("Access-Control-Request-Headers");
            ctx.header("Access-Control-Allow-Headers", asked == null ? "Authorization, Content-Type" : asked);
            ctx.header("Access-Control-Max-Age", "7200");
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }

    private static void limitBody(Context ctx) {
        if (ctx.contentLength() > Params.MAX_BODY_BYTES) {
            throw new ApiException(413, "The request body is larger than 1 MiB");
        }
    }

    private static void record(Context ctx, MeterRegistry meters) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        String route = ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
        Timer.builder("http_server_requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .register(meters)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
