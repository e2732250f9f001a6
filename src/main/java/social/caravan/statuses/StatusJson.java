package social.caravan.statuses;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.core.json.Json;
import social.caravan.polls.PollJson;
import social.caravan.tags.TagJson;

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

    /** Everything rendering a page of statuses needs, for them and the statuses they boost. */
    record Bundle(Map<Long, StatusBody> bodies, Map<Long, StatusStore.Counts> counts, Map<Long, StatusStore.Flags> flags,
                  Map<Long, Account> accounts, Map<Long, ApplicationView> applications, Map<Long, PollJson.PollView> polls,
                  long viewer) {}

    StatusView render(long id, Bundle b, boolean withSource) {
        Status s = b.bodies().get(id).status();
        StatusStore.Flags flags = b.flags().get(id);
        StatusView reblog = s.reblogOfId() == null ? null : render(s.reblogOfId(), b, false);
        Account author = b.accounts().get(s.accountId());
        List<MentionView> mentions = b.bodies().get(id).mentions().stream()
                .map(b.accounts()::get).filter(java.util.Objects::nonNull)
                .map(a -> new MentionView(Long.toString(a.id()), a.username(), accountJson.profileUrl(a),
                        a.local() ? a.username() : a.username() + "@" + a.domain()))
                .toList();
        List<TagView> tags = b.bodies().get(id).tags().stream()
                .map(name -> new TagView(name, TagJson.url(baseUrl, name))).toList();
        boolean own = s.accountId() == b.viewer();
        Boolean pinned = own && s.reblogOfId() == null && s.visibility() != Visibility.DIRECT ? flags.pinned() : null;
        StatusStore.Counts counts = b.counts().get(id);
        return new StatusView(Long.toString(s.id()), s.createdAt(), id(s.inReplyToId()), id(s.inReplyToAccountId()),
                s.sensitive(), s.spoilerText(), s.visibility().key(), s.language(), uri(author, s), url(author, s),
                counts.replies(), counts.reblogs(), counts.favourites(), s.editedAt(), flags.favourited(),
                flags.reblogged(), flags.muted(), flags.bookmarked(), pinned, s.content(), List.of(), reblog,
                s.applicationId() == null ? null : b.applications().get(s.applicationId()),
                accountJson.render(author), media(s), mentions, tags, jsonList(s.emojis()), null, b.polls().get(s.id()),
                withSource ? s.text() : null);
    }

    /** A remote status's attachments, stored as rendered (they stay on its server: url and remote_url are the same). */
    private static List<Object> media(Status s) {
        return jsonList(s.media());
    }

    /** A stored JSON array (null: empty) as the items to render. */
    static List<Object> jsonList(String json) {
        if (json == null) {
            return List.of();
        }
        List<Object> items = new java.util.ArrayList<>();
        Json.read(json).values().forEach(items::add);
        return items;
    }

    private String uri(Account author, Status s) {
        if (s.uri() != null) {
            return s.uri();
        }
        String base = accountJson.actorUri(author) + "/statuses/" + s.id();
        return s.reblogOfId() == null ? base : base + "/activity";
    }

    private String url(Account author, Status s) {
        if (s.uri() != null) {
            return s.url() != null ? s.url() : s.uri();
        }
        return s.reblogOfId() == null ? accountJson.profileUrl(author) + "/" + s.id() : uri(author, s);
    }

    private static String id(Long id) {
        return id == null ? null : Long.toString(id);
    }
}
