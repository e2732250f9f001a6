package social.caravan.tags;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.LocalDate;
import java.util.List;

/** How hashtags render in the Mastodon client API. */
public final class TagJson {
    private TagJson() {}

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
