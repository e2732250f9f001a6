package social.caravan.federation;

/** A remote document could not be had or was not acceptable; the message says why, for logs and 4xx answers. */
public final class FetchFailed extends Exception {
    public FetchFailed(String message) {
        super(message);
    }

    public FetchFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
