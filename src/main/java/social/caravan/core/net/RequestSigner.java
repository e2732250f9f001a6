package social.caravan.core.net;

import java.net.URI;
import java.util.Map;

/**
 * Adds the headers that authenticate one outbound request (for federation: Date, Digest and an HTTP
 * Signature). It is asked again for every redirect hop, since a signature covers the request target.
 */
@FunctionalInterface
public interface RequestSigner {
    RequestSigner NONE = (method, uri, host, contentType, body) -> Map.of();

    /**
     * @param host the Host header the request will carry ({@code name} or {@code name:port})
     * @param contentType the body's media type, null for a GET
     * @param body the request body, empty for a GET
     */
    Map<String, String> headers(String method, URI uri, String host, String contentType, byte[] body);
}
