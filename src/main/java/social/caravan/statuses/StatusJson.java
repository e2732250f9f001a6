package social.caravan.statuses;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;

/** How statuses render in the Mastodon client API. */
public final class StatusJson {
    private final String baseUrl;
    private final AccountJson accountJson;

    public StatusJson(String baseUrl, AccountJson accountJson) {
        this.baseUrl = baseUrl;
        this.accountJson = accountJson;
    }

    public record MentionView(String id, String username, String url, String acct) {}

    public record TagView(String name, String url) {}

    public record ApplicationView(String name, String website) {}

    /** Mastodon's Status entity. {@code text} only when the source is asked for (delete-and-redraft). */
    public record StatusView(
            String id, Instant createdAt, String inReplyToId, String inReplyToAccountId, boolean sensitive,
            String spoilerText, String visibility, String language, String uri, String url, int repliesCount,
            int reblogsCount, int favouritesCount, Instant editedAt, boolean favourited, boolean reblogged,
            boolean muted, boolean bookmarked, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean pinned,
            String content, List<Object> filtered, StatusView reblog, ApplicationView application,
            AccountJson.AccountView account, List<Object> mediaAttachments, List<MentionView> mentions,
            List<TagView> tags, List<Object> emojis, Object card, Object poll,
            @JsonInclude(JsonInclude.Include.NON_NULL) String text) {

        /** The same view with the viewer's filter results, on the boosted original too. */
        public StatusView withFiltered(List<Object> results) {
            return new StatusView(id, createdAt, inReplyToId, inReplyToAccountId, sensitive, spoilerText, visibility,
                    language, uri, url, repliesCount, reblogsCount, favouritesCount, editedAt, favourited, reblogged,
                    muted, bookmarked, pinned, content, results, reblog == null ? null : reblog.withFiltered(results),
                    application, account, mediaAttachments, mentions, tags, emojis, card, poll, text);
        }
    }

    /** Everything rendering a page of statuses needs, loaded in a few queries. */
    record Bundle(Map<Long, Status> originals, Map<Long, Account> accounts, Map<Long, StatusStore.Counts> counts,
                  Map<Long, List<Long>> mentions, Map<Long, List<String>> tags, StatusStore.ViewerFlags flags,
                  Map<Long, ApplicationView> applications, long viewer) {}

    StatusView render(Status s, Bundle b, boolean withSource) {
        StatusView reblog = null;
        if (s.reblogOfId() != null) {
            Status original = b.originals().get(s.reblogOfId());
            reblog = original == null ? null : render(original, b, false);
        }
        Account author = b.accounts().get(s.accountId());
        StatusStore.Counts counts = b.counts().getOrDefault(s.id(), new StatusStore.Counts(0, 0, 0));
        List<MentionView> mentions = b.mentions().getOrDefault(s.id(), List.of()).stream()
                .map(b.accounts()::get).filter(java.util.Objects::nonNull)
                .map(a -> new MentionView(Long.toString(a.id()), a.username(), accountJson.profileUrl(a),
                        a.local() ? a.username() : a.username() + "@" + a.domain()))
                .toList();
        List<TagView> tags = b.tags().getOrDefault(s.id(), List.of()).stream()
                .map(name -> new TagView(name, baseUrl + "/tags/" + name)).toList();
        boolean own = s.accountId() == b.viewer();
        Boolean pinned = own && s.reblogOfId() == null && s.visibility() != Visibility.DIRECT
                ? b.flags().pinned().contains(s.id()) : null;
        return new StatusView(Long.toString(s.id()), s.createdAt(), id(s.inReplyToId()), id(s.inReplyToAccountId()),
                s.sensitive(), s.spoilerText(), s.visibility().key(), s.language(), uri(author, s), url(author, s),
                counts.replies(), counts.reblogs(), counts.favourites(), s.editedAt(),
                b.flags().favourited().contains(s.id()), b.flags().reblogged().contains(s.id()),
                b.flags().mutedConversations().contains(s.conversationId()),
                b.flags().bookmarked().contains(s.id()), pinned, s.content(), List.of(), reblog,
                s.applicationId() == null ? null : b.applications().get(s.applicationId()),
                accountJson.render(author), List.of(), mentions, tags, List.of(), null, null,
                withSource ? s.text() : null);
    }

    private String uri(Account author, Status s) {
        String base = accountJson.actorUri(author) + "/statuses/" + s.id();
        return s.reblogOfId() == null ? base : base + "/activity";
    }

    private String url(Account author, Status s) {
        return s.reblogOfId() == null ? accountJson.profileUrl(author) + "/" + s.id() : uri(author, s);
    }

    private static String id(Long id) {
        return id == null ? null : Long.toString(id);
    }

    /** The ids whose viewer flags and counts a page needs: each status and what it boosts. */
    static Set<Long> idsOf(List<Status> statuses) {
        java.util.Set<Long> ids = new java.util.LinkedHashSet<>();
        for (Status s : statuses) {
            ids.add(s.id());
            if (s.reblogOfId() != null) {
                ids.add(s.reblogOfId());
            }
        }
        return ids;
    }
}
