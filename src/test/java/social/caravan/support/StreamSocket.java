package social.caravan.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import social.caravan.core.json.Json;
import tools.jackson.databind.JsonNode;

/** A WebSocket client of /api/v1/streaming for tests: collects every message, and says when the server closed it. */
public final class StreamSocket implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    /** The subprotocol the server chose (masto.js requires the token echoed). */
    public final String subprotocol;

    private StreamSocket(String baseUrl, String query, String protocol, String bearer) {
        WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (protocol != null) {
            builder.subprotocols(protocol);
        }
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        StringBuilder text = new StringBuilder();
        this.socket = builder.buildAsync(URI.create(baseUrl.replaceFirst("^http", "ws") + "/api/v1/streaming" + query),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            messages.add(Json.read(text.toString()));
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closed.complete(status);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                }).join();
        this.subprotocol = socket.getSubprotocol();
    }

    /** Opens a socket with the token as the subprotocol, as masto.js does. */
    public static StreamSocket open(String baseUrl, String token) {
        return new StreamSocket(baseUrl, "", token, null);
    }

    /** Opens a socket with {@code query} (e.g. {@code ?stream=user&access_token=...}) and nothing else. */
    public static StreamSocket withQuery(String baseUrl, String query) {
        return new StreamSocket(baseUrl, query, null, null);
    }

    /** Opens a socket authenticated by the Authorization header. */
    public static StreamSocket withHeader(String baseUrl, String token) {
        return new StreamSocket(baseUrl, "", null, token);
    }

    public StreamSocket send(String json) {
        socket.sendText(json, true).join();
        return this;
    }

    public StreamSocket subscribe(String stream) {
        return send("{\"type\":\"subscribe\",\"stream\":\"" + stream + "\"}");
    }

    /** The next message that matches, skipping others; fails after ten seconds. */
    public JsonNode await(Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode next;
            try {
                next = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (next == null) {
                throw new AssertionError("no matching stream message within 10 s");
            }
            if (wanted.test(next)) {
                return next;
            }
        }
    }

    /** The next {@code event} on stream {@code stream}, its payload parsed when it is JSON. */
    public JsonNode awaitEvent(String stream, String event) {
        return await(m -> event.equals(m.path("event").asString()) && stream.equals(m.path("stream").path(0).asString()));
    }

    /** Everything received during {@code quiet}, for checks that something did not arrive. */
    public List<JsonNode> drain(Duration quiet) {
        try {
            Thread.sleep(quiet.toMillis());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        List<JsonNode> all = new ArrayList<>();
        messages.drainTo(all);
        return all;
    }

    /** The close code the server sent, waiting up to ten seconds. */
    public int awaitClosed() {
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the server did not close the socket", e);
        }
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }
}
