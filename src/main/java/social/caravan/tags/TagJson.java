package social.caravan.tags;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

/** How hashtags render in the Mastodon client API. */
public final class TagJson {
    private TagJson() {}

    /** A tag's page, {@code /tags/name}, as statuses, searches and ActivityPub link it. */
    public static String url(String baseUrl, String name) {
        return baseUrl + "/tags/" + pathSegment(name);
    }

    /** Tag names may be any letters; URLs must be ASCII, so the rest is percent-encoded as UTF-8. */
    public static String pathSegment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** One day of Tag.history; Mastodon renders the numbers as strings. */
    public record HistoryView(String day, String uses, String accounts) {}

    /**
     * Mastodon's Tag. {@code id} is empty for a name no status has used yet, as Mastodon renders
     * an unsaved tag; {@code following} and {@code featuring} only for a signed-in viewer.
     */
    public record TagView(String id, String name, String url, List<HistoryView> history,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Boolean following,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Boolean featuring) {}

    /** Mastodon's FeaturedTag: the count as a string, the last use as a date. */
    public record FeaturedTagView(String id, String name, String url, String statusesCount, LocalDate lastStatusAt) {}
}
