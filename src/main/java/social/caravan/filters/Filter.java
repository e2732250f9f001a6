package social.caravan.filters;

import java.time.Instant;
import java.util.List;

/** A filter: what it is called, where it applies, what it does, until when, and its rules. */
public record Filter(long id, long accountId, String title, List<String> context, String action, Instant expiresAt,
                     List<Keyword> keywords, List<StatusRule> statuses) {

    /** Mastodon's contexts and actions. */
    static final List<String> CONTEXTS = List.of("home", "notifications", "public", "thread", "account");
    static final List<String> ACTIONS = List.of("warn", "hide", "blur");

    /** A keyword of a filter; {@code wholeWord} matches only at word boundaries. */
    public record Keyword(long id, long filterId, String keyword, boolean wholeWord) {}

    /** A status a filter names. */
    public record StatusRule(long id, long filterId, long statusId) {}

    Filter withRules(List<Keyword> keywords, List<StatusRule> statuses) {
        return new Filter(id, accountId, title, context, action, expiresAt, keywords, statuses);
    }
}
