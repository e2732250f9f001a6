package social.caravan.core.net;

import java.io.IOException;

/** A response body longer than the caller's cap; the rest was never read. */
public final class ResponseTooLargeException extends IOException {
    public ResponseTooLargeException(String uri, int maxBytes) {
        super("the response of " + uri + " is larger than " + maxBytes + " bytes");
    }
}
