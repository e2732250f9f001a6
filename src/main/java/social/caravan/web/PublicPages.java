package social.caravan.web;

import java.util.List;
import social.caravan.accounts.AccountJson;
import social.caravan.core.html.Html;
import social.caravan.statuses.StatusJson;

/**
 * The public pages browsers get at profile and status URLs ({@code /@name}, {@code /@name/:id}) when
 * they do not ask for ActivityPub JSON. Content is HTML the server already made safe (our formatter's
 * or sanitized remote HTML); names and handles are escaped here.
 */
public final class PublicPages {
    private final String localDomain;

    public PublicPages(String localDomain) {
        this.localDomain = localDomain;
    }

    public String profile(AccountJson.AccountView a, List<StatusJson.StatusView> recent) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>").append(Html.escape(a.displayName().isEmpty() ? a.username() : a.displayName())).append("</h1>")
                .append("<p class=\"muted\">").append(Html.escape(handle(a))).append("</p>")
                .append("<div class=\"note\">").append(a.note()).append("</div>")
                .append("<p class=\"muted\">").append(a.statusesCount()).append(" posts · ")
                .append(a.followersCount()).append(" followers · ").append(a.followingCount()).append(" following</p>");
        for (StatusJson.StatusView s : recent) {
            body.append(article(s));
        }
        return Html.page(handle(a), body.toString());
    }

    public String status(StatusJson.StatusView s) {
        return Html.page(handle(s.account()), article(s));
    }

    private String article(StatusJson.StatusView s) {
        StatusJson.StatusView shown = s.reblog() == null ? s : s.reblog();
        StringBuilder out = new StringBuilder("<article>");
        if (s.reblog() != null) {
            out.append("<p class=\"muted\">").append(Html.escape(handle(s.account()))).append(" boosted</p>");
        }
        out.append("<p><strong>").append(Html.escape(shown.account().displayName())).append("</strong> <span class=\"muted\">")
                .append(Html.escape(handle(shown.account()))).append("</span></p>");
        if (shown.spoilerText() != null && !shown.spoilerText().isEmpty()) {
            out.append("<details><summary>").append(Html.escape(shown.spoilerText())).append("</summary>")
                    .append(shown.content()).append("</details>");
        } else {
            out.append(shown.content());
        }
        return out.append("<p class=\"muted\"><a href=\"").append(Html.escape(shown.url())).append("\">")
                .append(shown.createdAt()).append("</a></p></article>").toString();
    }

    private String handle(AccountJson.AccountView a) {
        return "@" + (a.acct().contains("@") ? a.acct() : a.acct() + "@" + localDomain);
    }
}
