package social.caravan.streaming;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Routes;
import social.caravan.core.http.TokenResolver;
import social.caravan.core.json.Json;
import tools.jackson.databind.JsonNode;

/**
 * Mastodon's streaming API: {@code GET /api/v1/streaming} as a WebSocket with subscribe and
 * unsubscribe messages, the EventSource (SSE) paths under {@code /api/v1/streaming/}, and
 * {@code /api/v1/streaming/health}. The token comes from the {@code Authorization} header, the
 * {@code access_token} query parameter or the {@code Sec-WebSocket-Protocol} header (which Javalin
 * echoes as the chosen subprotocol, as browsers and masto.js require).
 */
public final class StreamingApi implements Routes {
    private static final Logger log = LoggerFactory.getLogger(StreamingApi.class);
    private static final String PRINCIPAL = "caravan.streaming.principal";
    /** EventSource heartbeats, as Mastodon's ":thump" every 15 seconds. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** WebSocket pings, as Mastodon's every 30 seconds; a socket silent for five minutes is closed. */
    private static final Duration PING = Duration.ofSeconds(30);
    private static final Duration IDLE = Duration.ofMinutes(5);
    private static final List<String> SSE_PATHS = List.of("/api/v1/streaming/user", "/api/v1/streaming/user/notification",
            "/api/v1/streaming/public", "/api/v1/streaming/public/local", "/api/v1/streaming/public/remote",
            "/api/v1/streaming/hashtag", "/api/v1/streaming/hashtag/local", "/api/v1/streaming/list",
            "/api/v1/streaming/direct");

    private final StreamingService service;
    private final TokenResolver tokens;
    private final Counter wsSent;
    private final Counter sseSent;

    public StreamingApi(StreamingService service, TokenResolver tokens) {
        this.service = service;
        this.tokens = tokens;
        this.wsSent = service.sentCounter("websocket");
        this.sseSent = service.sentCounter("eventsource");
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/streaming/health", ctx -> ctx.contentType("text/plain").result("OK"));
        routes.wsBeforeUpgrade("/api/v1/streaming", ctx -> ctx.attribute(PRINCIPAL, authenticate(ctx)));
        routes.ws("/api/v1/streaming", this::webSocket);
        for (String path : SSE_PATHS) {
            routes.get(path, this::eventSource);
        }
        routes.get("/api/v1/streaming/{name}", StreamingApi::unknownChannel);
        routes.get("/api/v1/streaming/{name}/{more}", StreamingApi::unknownChannel);
    }

    private static void unknownChannel(Context ctx) {
        throw new ApiException(400, "Unknown channel requested");
    }

    /** Mastodon's streaming authentication: a live token of a signed-in account, from any of three places. */
    private Principal authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        String token = null;
        if (header != null && !header.isBlank()) {
            token = header.replaceFirst("^Bearer ", "").strip();
        } else if (ctx.queryParam("access_token") != null && !ctx.queryParam("access_token").isBlank()) {
            token = ctx.queryParam("access_token");
        } else if (ctx.header("Sec-WebSocket-Protocol") != null) {
            token = ctx.header("Sec-WebSocket-Protocol").split(",")[0].strip();
        }
        if (token == null || token.isEmpty()) {
            throw new ApiException(401, "Missing access token");
        }
        Principal principal = tokens.resolve(token).filter(p -> p.accountId().isPresent() && p.loginBlocked().isEmpty())
                .orElseThrow(() -> new ApiException(401, "Invalid access token"));
        return principal;
    }

    // EventSource

    private void eventSource(Context ctx) throws IOException {
        String name = Stream.fromPath(ctx.path().replaceAll("/+$", ""), truthy(ctx.queryParam("only_media")));
        Principal principal = authenticate(ctx);
        Stream stream = Stream.resolve(name, ctx.queryParam("tag"), ctx.queryParam("list"),
                principal.accountId().getAsLong(), principal,
                id -> service.ownsList(principal.accountId().getAsLong(), id));
        EventSourceClient client = new EventSourceClient(principal);
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-store");
        OutputStream out = ctx.res().getOutputStream();
        service.opened(client);
        try {
            service.subscribe(client, stream);
            out.write(":)\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            client.pump(out);
        } catch (IOException e) {
            log.debug("event stream ended: {}", e.getMessage());
        } finally {
            service.closed(client);
        }
    }

    private static boolean truthy(String value) {
        return value != null && List.of("1", "true", "True", "TRUE", "yes", "on").contains(value);
    }

    /** An EventSource response: the request's own (virtual) thread writes what is queued, and heartbeats. */
    private final class EventSourceClient extends Client {
        private static final String CLOSE = "";
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_PENDING);

        EventSourceClient(Principal principal) {
            super(principal);
        }

        @Override
        String type() {
            return "eventsource";
        }

        @Override
        void send(Outgoing message) {
            if (!queue.offer(message.eventSourceText())) {
                close();
            }
        }

        @Override
        void close() {
            queue.clear();
            queue.offer(CLOSE);
        }

        void pump(OutputStream out) throws IOException {
            while (true) {
                String chunk;
                try {
                    chunk = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (CLOSE.equals(chunk)) {
                    return;
                }
                out.write((chunk == null ? ":thump\n" : chunk).getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (chunk != null) {
                    sseSent.increment();
                }
            }
        }
    }

    // WebSocket

    /** What a socket says when it fails to subscribe, as Mastodon words it. */
    record SocketError(String error, int status) {}

    private void webSocket(WsConfig ws) {
        ws.onConnect(ctx -> {
            Principal principal = ctx.attribute(PRINCIPAL);
            ctx.session.setIdleTimeout(IDLE);
            ctx.enableAutomaticPings(PING.toSeconds(), TimeUnit.SECONDS);
            SocketClient client = new SocketClient(principal, ctx);
            ctx.attribute("caravan.streaming.client", client);
            service.opened(client);
            String stream = ctx.queryParam("stream");
            if (stream != null) {
                subscribe(client, ctx, stream, ctx.queryParam("tag"), ctx.queryParam("list"));
            }
        });
        ws.onMessage(this::onMessage);
        ws.onBinaryMessage(ctx -> ctx.closeSession(1003, "Caravan's streaming server does not accept binary messages"));
        ws.onClose(ctx -> {
            SocketClient client = ctx.attribute("caravan.streaming.client");
            if (client != null) {
                service.closed(client);
            }
        });
        ws.onError(ctx -> log.debug("websocket error: {}", ctx.error() == null ? "" : ctx.error().getMessage()));
    }

    private void onMessage(WsMessageContext ctx) {
        SocketClient client = ctx.attribute("caravan.streaming.client");
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(ctx.message());
        } catch (RuntimeException e) {
            client.error(new SocketError("Malformed message: expected JSON", 400));
            return;
        }
        if (!json.isObject()) {
            client.error(new SocketError("Malformed message: expected a JSON object", 400));
            return;
        }
        String type = json.path("type").asString("");
        String stream = first(json.get("stream"));
        String tag = first(json.get("tag"));
        String list = first(json.get("list"));
        switch (type) {
            case "subscribe" -> subscribe(client, ctx, stream, tag, list);
            case "unsubscribe" -> {
                try {
                    service.unsubscribe(client, resolve(client, stream, tag, list));
                } catch (ApiException e) {
                    client.error(new SocketError("Error unsubscribing from channel", e.status()));
                }
            }
            default -> client.error(new SocketError("Unknown message type: expected subscribe or unsubscribe", 400));
        }
    }

    private void subscribe(SocketClient client, WsContext ctx, String stream, String tag, String list) {
        try {
            service.subscribe(client, resolve(client, stream, tag, list));
        } catch (ApiException e) {
            client.error(new SocketError(e.getMessage(), e.status()));
        }
    }

    private Stream resolve(Client client, String stream, String tag, String list) {
        return Stream.resolve(stream, tag, list, client.accountId, client.principal,
                id -> service.ownsList(client.accountId, id));
    }

    /** Mastodon's firstParam: a string, the first of an array, or a number written out. */
    private static String first(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            return node.isEmpty() ? null : first(node.get(0));
        }
        return node.isValueNode() ? node.asString() : null;
    }

    /** A WebSocket: Jetty sends asynchronously; the count of unfinished sends bounds what a slow reader can hold. */
    private final class SocketClient extends Client {
        private final WsContext ctx;
        private final CoreSession core;
        private final AtomicInteger pending = new AtomicInteger();

        SocketClient(Principal principal, WsContext ctx) {
            super(principal);
            this.ctx = ctx;
            this.core = ((WebSocketSession) ctx.session).getCoreSession();
        }

        @Override
        String type() {
            return "websocket";
        }

        @Override
        void send(Outgoing message) {
            if (admit()) {
                // The message's bytes are encoded once for every connection: a text frame of them goes out as is.
                core.sendFrame(new Frame(OpCode.TEXT, message.socketBytes()), org.eclipse.jetty.util.Callback.from(() -> {
                    pending.decrementAndGet();
                    wsSent.increment();
                }, failure -> pending.decrementAndGet()), false);
            }
        }

        void error(SocketError error) {
            if (admit()) {
                ctx.session.sendText(Json.write(error), Callback.from(pending::decrementAndGet, failure -> pending.decrementAndGet()));
            }
        }

        /** Whether one more message may be queued; a connection with too many unread is closed instead. */
        private boolean admit() {
            if (!ctx.session.isOpen()) {
                return false;
            }
            if (pending.incrementAndGet() > MAX_PENDING) {
                log.info("closing a stream of account {}: {} messages unread", accountId, MAX_PENDING);
                close();
                return false;
            }
            return true;
        }

        @Override
        void close() {
            // Not a clean close: a reader that stopped reading would never see the close frame.
            if (pending.get() > MAX_PENDING) {
                ctx.session.disconnect();
            } else {
                ctx.closeSession(1000, "");
            }
        }
    }
}
