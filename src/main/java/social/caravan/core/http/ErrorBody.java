package social.caravan.core.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Mastodon's error body. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String errorDescription, Map<String, ?> details) {
    public static ErrorBody of(ApiException e) {
        return new ErrorBody(e.getMessage(), e.description(), e.details());
    }
}
