package social.caravan.federation;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import social.caravan.core.json.Json;
import social.caravan.core.net.FederationClient;
import social.caravan.core.net.RequestSigner;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads JSON documents from other servers through the {@link FederationClient} (address guard, 1 MiB,
 * timeouts, redirects): ActivityPub objects signed as the instance actor, WebFinger unsigned. Hosts
 * under a suspended domain are never asked.
 */
public final class Fetcher {
    /** What Mastodon asks for: either ActivityPub media type. */
    public static final String ACCEPT_ACTIVITY =
            "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

    /** Set on a thread while it holds a transaction that must not wait on another server (see {@link #refusing}). */
    private static final ThreadLocal<Boolean> REFUSING = ThreadLocal.withInitial(() -> false);

    /** A fetch asked for where none may happen; whoever set {@link #refusing} runs that work again outside. */
    static final class Refused extends RuntimeException {
        Refused(String uri) {
            super("a fetch of " + uri + " while fetches are refused", null, false, false);
        }
    }

    private final FederationClient http;
    private final InstanceActor instanceActor;
    private final DomainBlocks domainBlocks;

    /** A document and the URI that finally answered (after redirects). */
    public record Document(URI uri, JsonNode json) {}

    public Fetcher(FederationClient http, InstanceActor instanceActor, DomainBlocks domainBlocks) {
        this.http = http;
        this.instanceActor = instanceActor;
        this.domainBlocks = domainBlocks;
    }

    /** An ActivityPub document (a JSON object), fetched with the instance actor's signature. */
    public Document fetchActivity(String uri) throws FetchFailed {
        return fetch(uri, ACCEPT_ACTIVITY, instanceActor.signer(), true);
    }

    /** A WebFinger (JRD) document. */
    public Document fetchJrd(String uri) throws FetchFailed {
        return fetch(uri, "application/jrd+json, application/json", RequestSigner.NONE, false);
    }

    /** Runs {@code work} with every fetch on this thread refused ({@link Refused}), as the batch of inbound activities does. */
    static void refusing(Runnable work) {
        REFUSING.set(true);
        try {
            work.run();
        } finally {
            REFUSING.remove();
        }
    }

    private Document fetch(String uri, String accept, RequestSigner signer, boolean activity) throws FetchFailed {
        if (REFUSING.get()) {
            throw new Refused(uri);
        }
        URI target = parse(uri);
        if (domainBlocks.isSuspended(target.getHost())) {
            throw new FetchFailed(target.getHost() + " is suspended");
        }
        FederationClient.Response response;
        try {
            response = http.get(target, accept, signer, FederationClient.MAX_JSON_BYTES);
        } catch (IllegalArgumentException e) {
            throw new FetchFailed(e.getMessage());
        } catch (IOException e) {
            throw new FetchFailed("could not fetch " + uri + ": " + e.getMessage(), e);
        }
        if (domainBlocks.isSuspended(response.uri().getHost())) {
            throw new FetchFailed(response.uri().getHost() + " is suspended");
        }
        if (!response.ok()) {
            throw new FetchFailed(uri + " answered " + response.status(), response.status());
        }
        String type = response.contentType() == null ? "" : response.contentType().toLowerCase(Locale.ROOT);
        boolean json = type.startsWith("application/activity+json") || type.startsWith("application/ld+json")
                || type.startsWith("application/json") || !activity && type.startsWith("application/jrd+json");
        if (!json) {
            throw new FetchFailed(uri + " is not JSON (" + response.contentType() + ")");
        }
        JsonNode node;
        try {
            node = Json.read(response.text());
        } catch (JacksonException e) {
            throw new FetchFailed(uri + " is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new FetchFailed(uri + " is not a JSON object");
        }
        return new Document(response.uri(), node);
    }

    static URI parse(String uri) throws FetchFailed {
        try {
            URI parsed = new URI(uri);
            String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || parsed.getHost() == null) {
                throw new FetchFailed("not an http(s) URL: " + uri);
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw new FetchFailed("not a URL: " + uri);
        }
    }
}
