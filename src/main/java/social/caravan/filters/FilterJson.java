package social.caravan.filters;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/** How filters render in the Mastodon client API. */
final class FilterJson {
    private FilterJson() {}

    /** Mastodon's Filter; its keywords and statuses are left out inside a FilterResult. */
    record FilterView(String id, String title, List<String> context, Instant expiresAt, String filterAction,
                      @JsonInclude(JsonInclude.Include.NON_NULL) List<KeywordView> keywords,
                      @JsonInclude(JsonInclude.Include.NON_NULL) List<StatusRuleView> statuses) {}

    record KeywordView(String id, String keyword, boolean wholeWord) {}

    record StatusRuleView(String id, String statusId) {}

    /** Mastodon's FilterResult, in a status's {@code filtered}. */
    record ResultView(FilterView filter, List<String> keywordMatches, List<String> statusMatches) {}

    /** Mastodon's V1::Filter: one keyword, with its filter's context, expiry and action. */
    record V1View(String id, String phrase, List<String> context, boolean wholeWord, Instant expiresAt,
                  boolean irreversible) {}

    static FilterView filter(Filter f) {
        return new FilterView(Long.toString(f.id()), f.title(), f.context(), f.expiresAt(), f.action(),
                f.keywords().stream().map(FilterJson::keyword).toList(),
                f.statuses().stream().map(FilterJson::statusRule).toList());
    }

    static KeywordView keyword(Filter.Keyword k) {
        return new KeywordView(Long.toString(k.id()), k.keyword(), k.wholeWord());
    }

    static StatusRuleView statusRule(Filter.StatusRule s) {
        return new StatusRuleView(Long.toString(s.id()), Long.toString(s.statusId()));
    }

    static ResultView result(FilterService.Result r) {
        Filter f = r.filter();
        return new ResultView(new FilterView(Long.toString(f.id()), f.title(), f.context(), f.expiresAt(), f.action(),
                null, null), r.keywordMatches(), r.statusMatches());
    }

    static V1View v1(FilterService.V1 v) {
        return new V1View(Long.toString(v.keyword().id()), v.keyword().keyword(), v.filter().context(),
                v.keyword().wholeWord(), v.filter().expiresAt(), v.filter().action().equals("hide"));
    }
}
