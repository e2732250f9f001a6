package social.caravan.statuses;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import social.caravan.core.html.Html;
import social.caravan.tags.TagJson;

/**
 * Plain text as Mastodon renders it: paragraphs, line breaks, links (shortened for display with
 * the same invisible/ellipsis spans), @mentions and #hashtags with the classes apps look for. Also
 * counts characters the way Mastodon's limit does: every URL is 23, a mention counts its username.
 */
public final class TextFormatter {
    static final int URL_LENGTH = 23;
    private static final Pattern TOKEN = Pattern.compile(
            "(?<url>https?://[^\\s<>\"]+[^\\s<>\".,;:!?)\\]'])"
                    // A domain may carry a port (servers on a development port, e.g. 127.0.0.1:3000).
                    + "|(?<![\\w/@])@(?<user>[A-Za-z0-9_]+)(?:@(?<domain>[A-Za-z0-9.-]+[A-Za-z0-9](?::\\d{1,5})?))?"
                    + "|(?<![\\w/#&])#(?<tag>[\\p{L}\\p{N}_]*[\\p{L}_][\\p{L}\\p{N}_]*)");

    /** A mention resolved to an account: the handle as written, and where it links. */
    public record Mention(String username, String domain, String url) {}

    public record Rendered(String html, List<Long> mentionedAccountIds, Set<String> tags) {}

    private final String baseUrl;

    public TextFormatter(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The handles written in a text, as (username, domain-or-null) pairs, in order. */
    public static List<String[]> mentionedHandles(String text) {
        List<String[]> handles = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            if (m.group("user") != null) {
                handles.add(new String[] {m.group("user"), m.group("domain")});
            }
        }
        return handles;
    }

    /**
     * Renders {@code text}; {@code resolve} maps a handle to the mentioned account's id and profile
     * URL, or null when there is no such account (the handle then stays plain text).
     */
    public Rendered render(String text, Function<String[], ResolvedMention> resolve) {
        List<Long> mentioned = new ArrayList<>();
        Set<String> tags = new LinkedHashSet<>();
        StringBuilder html = new StringBuilder();
        String[] paragraphs = text.strip().split("\\n\\s*\\n");
        for (String paragraph : paragraphs) {
            if (paragraph.isBlank()) {
                continue;
            }
            html.append("<p>");
            Matcher m = TOKEN.matcher(paragraph);
            int last = 0;
            while (m.find()) {
                html.append(lines(paragraph.substring(last, m.start())));
                if (m.group("url") != null) {
                    html.append(link(m.group("url")));
                } else if (m.group("user") != null) {
                    ResolvedMention found = resolve.apply(new String[] {m.group("user"), m.group("domain")});
                    if (found == null) {
                        html.append(Html.escape(m.group()));
                    } else {
                        if (!mentioned.contains(found.accountId())) {
                            mentioned.add(found.accountId());
                        }
                        html.append("<span class=\"h-card\" translate=\"no\"><a href=\"").append(Html.escape(found.url()))
                                .append("\" class=\"u-url mention\">@<span>").append(Html.escape(found.username()))
                                .append("</span></a></span>");
                    }
                } else {
                    String tag = m.group("tag");
                    tags.add(tag.toLowerCase(Locale.ROOT));
                    html.append("<a href=\"").append(Html.escape(TagJson.url(baseUrl, tag.toLowerCase(Locale.ROOT))))
                            .append("\" class=\"mention hashtag\" rel=\"tag\">#<span>").append(Html.escape(tag))
                            .append("</span></a>");
                }
                last = m.end();
            }
            html.append(lines(paragraph.substring(last))).append("</p>");
        }
        return new Rendered(html.toString(), mentioned, tags);
    }

    public record ResolvedMention(long accountId, String username, String url) {}

    /** Mastodon's count: a URL is 23 characters, a mention of someone elsewhere counts only @username. */
    public static int length(String text) {
        Matcher m = TOKEN.matcher(text);
        StringBuilder counted = new StringBuilder();
        int last = 0;
        while (m.find()) {
            counted.append(text, last, m.start());
            if (m.group("url") != null) {
                counted.append("x".repeat(URL_LENGTH));
            } else if (m.group("user") != null) {
                counted.append('@').append(m.group("user"));
            } else {
                counted.append(m.group());
            }
            last = m.end();
        }
        counted.append(text.substring(last));
        return counted.codePointCount(0, counted.length());
    }

    private static String lines(String text) {
        return Html.escape(text).replace("\n", "<br />");
    }

    /** Mastodon shows a link without its scheme, cut after 30 characters; the hidden parts stay copyable. */
    private static String link(String url) {
        String escaped = Html.escape(url);
        int schemeEnd = url.indexOf("://") + 3;
        String scheme = url.substring(0, schemeEnd);
        String rest = url.substring(schemeEnd);
        String display;
        if (rest.length() > 30) {
            display = "<span class=\"ellipsis\">" + Html.escape(rest.substring(0, 30)) + "</span><span class=\"invisible\">"
                    + Html.escape(rest.substring(30)) + "</span>";
        } else {
            display = "<span class=\"\">" + Html.escape(rest) + "</span><span class=\"invisible\"></span>";
        }
        return "<a href=\"" + escaped + "\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">"
                + "<span class=\"invisible\">" + Html.escape(scheme) + "</span>" + display + "</a>";
    }
}
