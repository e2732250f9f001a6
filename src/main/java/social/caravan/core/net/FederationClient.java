package social.caravan.core.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one outbound HTTP client for federation (fetching actors, WebFinger, deliveries).
 *
 * <ul>
 *   <li>Addresses: Jetty asks {@link AddressGuard} for the addresses of every host it connects to and
 *       connects to exactly those, so a name cannot resolve to a public address for the check and to a
 *       private one for the connection (DNS rebinding).</li>
 *   <li>Bodies: responses are read up to a cap ({@link #MAX_JSON_BYTES} for JSON documents), then the
 *       exchange is aborted.</li>
 *   <li>Time: a connect timeout and a total timeout per request.</li>
 *   <li>Redirects: a GET follows at most {@link #MAX_REDIRECTS}, http(s) only, each hop resolved and
 *       checked again and signed again; a POST follows none.</li>
 * </ul>
 */
public final class FederationClient implements AutoCloseable {
    public static final int MAX_JSON_BYTES = 1024 * 1024;
    public static final int MAX_REDIRECTS = 3;

    private final HttpClient client;
    private final Duration requestTimeout;

    /** A response read in full (within its cap); {@code uri} is the one that answered, after redirects. */
    public record Response(int status, URI uri, String contentType, String location, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public FederationClient(AddressGuard guard, String userAgent, Duration connectTimeout, Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("federation-http");
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        this.client = new HttpClient();
        client.setExecutor(threads);
        client.setFollowRedirects(false);
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setIdleTimeout(requestTimeout.toMillis());
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, userAgent));
        client.setSocketAddressResolver((host, port, context, promise) -> {
            try {
                List<InetAddress> addresses = guard.resolve(host);
                promise.succeeded(addresses.stream().map(a -> new InetSocketAddress(a, port)).toList());
            } catch (IOException e) {
                promise.failed(e);
            }
        });
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the federation HTTP client", e);
        }
    }

    /** Caravan's User-Agent, shaped like Mastodon's so peers' logs and rules recognise it. */
    public static String userAgent(String version, String baseUrl) {
        return "Caravan/" + version + " (+" + baseUrl + "/)";
    }

    /**
     * GETs {@code uri}, following up to {@link #MAX_REDIRECTS} redirects.
     *
     * @throws BlockedAddressException when a hop's host is not allowed
     * @throws ResponseTooLargeException when the body passes {@code maxBytes}
     * @throws IllegalArgumentException when a hop is not an http(s) URL
     * @throws IOException when nothing answers in time or redirects go on too long
     */
    public Response get(URI uri, String accept, RequestSigner signer, int maxBytes) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            Response response = exchange(HttpMethod.GET, current, accept, null, null, signer, maxBytes);
            if (!isRedirect(response.status())) {
                return response;
            }
            current = redirectTarget(current, response);
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    /** POSTs {@code body}; redirects are not followed (the status comes back as it is). */
    public Response post(URI uri, String contentType, byte[] body, RequestSigner signer, int maxBytes) throws IOException {
        return exchange(HttpMethod.POST, uri, null, contentType, body, signer, maxBytes);
    }

    private Response exchange(HttpMethod method, URI uri, String accept, String contentType, byte[] body,
                              RequestSigner signer, int maxBytes) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + uri);
        }
        String host = hostHeader(uri);
        Request request = client.newRequest(uri).method(method).timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        byte[] content = body == null ? new byte[0] : body;
        request.headers(headers -> {
            headers.put(HttpHeader.HOST, host);
            if (accept != null) {
                headers.put(HttpHeader.ACCEPT, accept);
            }
            if (contentType != null) {
                headers.put(HttpHeader.CONTENT_TYPE, contentType);
            }
            signer.headers(method.asString(), uri, host, contentType, content).forEach(headers::put);
        });
        if (body != null) {
            request.body(new BytesRequestContent(contentType, body));
        }
        try {
            ContentResponse response = new CompletableResponseListener(request, maxBytes).send()
                    .get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return new Response(response.getStatus(), uri, response.getHeaders().get(HttpHeader.CONTENT_TYPE),
                    response.getHeaders().get(HttpHeader.LOCATION), response.getContent());
        } catch (ExecutionException e) {
            throw failure(uri, e.getCause(), maxBytes);
        } catch (TimeoutException e) {
            request.abort(e);
            throw new IOException("no answer from " + uri + " in time", e);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while calling " + uri);
        }
    }

    private static IOException failure(URI uri, Throwable cause, int maxBytes) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BlockedAddressException blocked) {
                return blocked;
            }
            if (t instanceof IllegalArgumentException && String.valueOf(t.getMessage()).startsWith("Buffering capacity")) {
                return new ResponseTooLargeException(uri.toString(), maxBytes);
            }
        }
        return cause instanceof IOException io ? io : new IOException("request to " + uri + " failed: " + cause, cause);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(URI from, Response response) throws IOException {
        if (response.location() == null || response.location().isBlank()) {
            throw new IOException("redirect without a Location from " + from);
        }
        try {
            return from.resolve(new URI(response.location().trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("bad redirect Location from " + from + ": " + response.location());
        }
    }

    /** The Host header as a signature must cover it: the port only when it is not the scheme's default. */
    public static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (port == 443 && "https".equalsIgnoreCase(uri.getScheme()))
                || (port == 80 && "http".equalsIgnoreCase(uri.getScheme()));
        String host = uri.getHost();
        return defaultPort ? host : host + ":" + port;
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("could not stop the federation HTTP client", e));
        }
    }
}
