package social.caravan.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import social.caravan.core.json.Json;
import social.caravan.core.net.FederationClient;
import social.caravan.core.signatures.DraftCavage;
import social.caravan.core.signatures.Keys;
import tools.jackson.databind.node.ObjectNode;

/**
 * Another server for federation tests: WebFinger and actor documents on 127.0.0.1 (its domain is
 * {@code 127.0.0.1:PORT}), RSA keys per actor, and signed requests to Caravan as those actors.
 */
public final class FakeFediverse implements AutoCloseable {
    public final String domain;
    public final String base;
    private final HttpServer server;
    private final Map<String, Actor> actors = new ConcurrentHashMap<>();
    /** Every request path this server answered, with its query. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Every POST to an inbox here (a personal one or /inbox), in the order received. */
    public final List<Received> inbox = new CopyOnWriteArrayList<>();
    /** Documents served at a path (Notes, say), as JSON. */
    public final Map<String, String> objects = new ConcurrentHashMap<>();
    /** Paths of {@link #objects} answered only once their latch opens: a slow server. */
    public final Map<String, java.util.concurrent.CountDownLatch> slow = new ConcurrentHashMap<>();
    /** Paths of {@link #objects} answered 503 this many more times first: a server that is down a while. */
    public final Map<String, java.util.concurrent.atomic.AtomicInteger> failing = new ConcurrentHashMap<>();

    /**
     * A delivery: the inbox path, its Signature header and the activity; every header (by lower-case
     * name) and the raw body, to verify the signature with.
     */
    public record Received(String path, String signature, tools.jackson.databind.JsonNode activity,
                           Map<String, List<String>> headers, byte[] body) {
        public String type() {
            return activity.path("type").asString();
        }
    }

    /** An actor: its keys and a hook to change the document it serves (to test bad documents). */
    public static final class Actor {
        public final String username;
        public volatile KeyPair keys;
        public volatile String summary = "<p>Hello <script>alert(1)</script><a href=\"javascript:x()\">there</a></p>";
        public volatile UnaryOperator<ObjectNode> edit = UnaryOperator.identity();

        Actor(String username) {
            this.username = username;
            this.keys = rsa();
        }

        public void rotateKey() {
            keys = rsa();
        }
    }

    public FakeFediverse() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        domain = "127.0.0.1:" + server.getAddress().getPort();
        base = "http://" + domain;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public Actor actor(String username) {
        return actors.computeIfAbsent(username, Actor::new);
    }

    public String actorUri(String username) {
        return base + "/users/" + username;
    }

    public String keyId(String username) {
        return actorUri(username) + "#main-key";
    }

    /** A GET to Caravan asking for ActivityPub JSON, signed (draft-cavage) as {@code username}. */
    public HttpRequest signedGet(String url, String username) {
        return signedGet(url, username, Instant.now());
    }

    public HttpRequest signedGet(String url, String username, Instant at) {
        URI uri = URI.create(url);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "application/activity+json");
        DraftCavage.sign("GET", uri, FederationClient.hostHeader(uri), null, new byte[0], keyId(username),
                actor(username).keys.getPrivate(), at).forEach((k, v) -> {
                    if (!k.equals("Date")) {
                        b.header(k, v);
                    }
                });
        // The JDK client sets Date itself only when asked; send the signed one.
        return b.header("Date", DraftCavage.HTTP_DATE.format(at)).GET().build();
    }

    /** A POST of {@code body} to Caravan, signed (draft-cavage with Digest) as {@code username}. */
    public HttpRequest signedPost(String url, String username, String body) {
        return signedPost(url, username, body, actor(username).keys.getPrivate());
    }

    /** A POST signed with the given key under {@code username}'s keyId (a forgery when it is not the actor's). */
    public HttpRequest signedPost(String url, String username, String body, java.security.PrivateKey key) {
        URI uri = URI.create(url);
        Instant at = Instant.now();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/activity+json");
        DraftCavage.sign("POST", uri, FederationClient.hostHeader(uri), "application/activity+json", bytes, keyId(username),
                key, at).forEach((k, v) -> {
                    if (!k.equals("Date") && !k.equalsIgnoreCase("Content-Type")) {
                        b.header(k, v);
                    }
                });
        return b.header("Date", DraftCavage.HTTP_DATE.format(at)).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }

    /** The deliveries of one activity type received so far. */
    public List<Received> received(String type) {
        return inbox.stream().filter(r -> r.type().equals(type)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(path + (query == null ? "" : "?" + query));
        if (exchange.getRequestMethod().equals("POST") && (path.equals("/inbox") || path.endsWith("/inbox"))) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
            inbox.add(new Received(path, exchange.getRequestHeaders().getFirst("Signature"),
                    Json.read(new String(raw, StandardCharsets.UTF_8)), Map.copyOf(headers), raw));
            send(exchange, 202, "application/json", "{}");
            return;
        }
        if (objects.containsKey(path)) {
            java.util.concurrent.atomic.AtomicInteger down = failing.get(path);
            if (down != null && down.getAndDecrement() > 0) {
                send(exchange, 503, "text/plain", "down for maintenance");
                return;
            }
            java.util.concurrent.CountDownLatch latch = slow.get(path);
            if (latch != null) {
                try {
                    latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            send(exchange, 200, "application/activity+json; charset=utf-8", objects.get(path));
            return;
        }
        if (path.equals("/.well-known/webfinger")) {
            String resource = URLDecoder.decode(query == null ? "" : query.replaceFirst("^resource=", ""), StandardCharsets.UTF_8);
            String user = resource.replaceFirst("^acct:", "").replaceFirst("@.*$", "");
            if (!actors.containsKey(user)) {
                send(exchange, 404, "application/json", "{}");
                return;
            }
            send(exchange, 200, "application/jrd+json", Json.write(Map.of("subject", "acct:" + user + "@" + domain,
                    "links", List.of(Map.of("rel", "self", "type", "application/activity+json", "href", actorUri(user))))));
            return;
        }
        if (path.startsWith("/users/") && actors.containsKey(path.substring(7))) {
            Actor a = actors.get(path.substring(7));
            send(exchange, 200, "application/activity+json; charset=utf-8", Json.write(a.edit.apply(document(a))));
            return;
        }
        send(exchange, 404, "application/json", "{}");
    }

    private ObjectNode document(Actor a) {
        String id = actorUri(a.username);
        ObjectNode doc = Json.object();
        doc.putArray("@context").add("https://www.w3.org/ns/activitystreams").add("https://w3id.org/security/v1");
        doc.put("id", id);
        doc.put("type", "Person");
        doc.put("preferredUsername", a.username);
        doc.put("name", "Remote " + a.username);
        doc.put("summary", a.summary);
        doc.put("url", base + "/@" + a.username);
        doc.put("inbox", id + "/inbox");
        doc.put("outbox", id + "/outbox");
        doc.put("followers", id + "/followers");
        doc.put("following", id + "/following");
        doc.put("manuallyApprovesFollowers", true);
        doc.put("discoverable", true);
        doc.put("published", "2024-03-01T00:00:00Z");
        doc.putObject("endpoints").put("sharedInbox", base + "/inbox");
        doc.putObject("icon").put("type", "Image").put("url", base + "/avatar.png");
        ObjectNode field = doc.putArray("attachment").addObject();
        field.put("type", "PropertyValue").put("name", "Site").put("value", "<a href=\"https://example.org\" onclick=\"x()\">example.org</a>");
        doc.putObject("publicKey").put("id", keyId(a.username)).put("owner", id)
                .put("publicKeyPem", Keys.pem("PUBLIC KEY", a.keys.getPublic().getEncoded()));
        return doc;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
