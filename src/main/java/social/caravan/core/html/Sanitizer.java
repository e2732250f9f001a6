package social.caravan.core.html;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.TextNode;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;

/**
 * Remote HTML (posts, profile notes, field values) reduced to the allow-list Mastodon applies to it
 * (its "strict" sanitize configuration): a few text elements, links whose scheme is one of a short
 * list (others become their text), microformat and mention/hashtag/ellipsis/invisible classes only,
 * and every link opened with {@code rel="nofollow noopener"} in a new tab. Headings become bold
 * paragraphs, as Mastodon shows them.
 */
public final class Sanitizer {
    private static final Set<String> LINK_SCHEMES = Set.of(
            "http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini");
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.\\-]*):");
    private static final Pattern ALLOWED_CLASS = Pattern.compile("(h|p|u|dt|e)-.+|mention|hashtag|ellipsis|invisible|quote-inline");
    private static final Safelist ALLOWED = new Safelist()
            .addTags("p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i", "em",
                    "ul", "ol", "li", "ruby", "rt", "rp")
            .addAttributes(":all", "lang")
            .addAttributes("a", "href", "rel", "class", "translate")
            .addAttributes("span", "class", "translate")
            .addAttributes("ol", "start", "reversed")
            .addAttributes("li", "value")
            .addAttributes("p", "class");

    /** Parsed once: a selector given as text is parsed again on every call. */
    private static final Evaluator HEADINGS = QueryParser.parse("h1, h2, h3, h4, h5, h6");
    private static final Evaluator LINKS = QueryParser.parse("a");

    private Sanitizer() {}

    public static String clean(String html) {
        if (html == null || html.isBlank()) {
            return "";
        }
        Document dirty = Jsoup.parseBodyFragment(html);
        for (Element heading : dirty.body().select(HEADINGS)) {
            heading.tagName("strong");
            heading.wrap("<p></p>");
        }
        for (Element link : dirty.body().select(LINKS)) {
            String href = link.attr("href").strip();
            var scheme = SCHEME.matcher(href);
            if (!scheme.find() || !LINK_SCHEMES.contains(scheme.group(1).toLowerCase(Locale.ROOT))) {
                link.replaceWith(new TextNode(link.text()));
            }
        }
        Document clean = new Cleaner(ALLOWED).clean(dirty);
        for (Element element : clean.body().getAllElements()) {
            if (element.hasAttr("class")) {
                String kept = Arrays.stream(element.attr("class").split("[\\t\\n\\f\\r ]+"))
                        .filter(c -> ALLOWED_CLASS.matcher(c).matches()).collect(Collectors.joining(" "));
                element.attr("class", kept);
            }
            if (element.hasAttr("translate") && !element.attr("translate").equals("no")) {
                element.removeAttr("translate");
            }
            if (element.nameIs("a")) {
                element.attr("rel", "nofollow noopener");
                element.attr("target", "_blank");
            }
        }
        clean.outputSettings().prettyPrint(false);
        return clean.body().html();
    }
}
