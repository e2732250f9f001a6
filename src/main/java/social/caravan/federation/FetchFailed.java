package social.caravan.federation;

import java.io.IOException;
import social.caravan.core.net.BlockedAddressException;
import social.caravan.core.net.ResponseTooLargeException;

/** A remote document could not be had or was not acceptable; the message says why, for logs and 4xx answers. */
public final class FetchFailed extends Exception {
    private final int status;

    public FetchFailed(String message) {
        this(message, 0);
    }

    /** {@code status}: the HTTP status the server answered, when it answered one that is not 2xx. */
    public FetchFailed(String message, int status) {
        super(message);
        this.status = status;
    }

    public FetchFailed(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The server's non-2xx status, or 0 when it gave none (no answer, a refused address, a bad document). */
    public int status() {
        return status;
    }

    /**
     * Whether asking again later may succeed: the server failed (5xx), asked for time (408, 429) or did not
     * answer, rather than refusing, being refused, or serving something unacceptable.
     */
    public boolean mayPassLater() {
        return status >= 500 || status == 408 || status == 429
                || (getCause() instanceof IOException && !(getCause() instanceof BlockedAddressException)
                        && !(getCause() instanceof ResponseTooLargeException));
    }
}
