package social.caravan.federation;

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
}
