package social.caravan.core.http;

import java.util.Map;

/**
 * An error that knows its HTTP meaning. Rendered as Mastodon's error body:
 * {@code {"error": "...", "error_description": "..."}} (the description only where OAuth uses it),
 * plus {@code details} for validation failures.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String description;
    private final Map<String, ?> details;

    public ApiException(int status, String error) {
        this(status, error, null, null);
    }

    public ApiException(int status, String error, String description, Map<String, ?> details) {
        super(error);
        this.status = status;
        this.description = description;
        this.details = details;
    }

    public static ApiException notFound() {
        return new ApiException(404, "Record not found");
    }

    public static ApiException unprocessable(String message) {
        return new ApiException(422, message);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, message);
    }

    public int status() {
        return status;
    }

    public String description() {
        return description;
    }

    public Map<String, ?> details() {
        return details;
    }
}
