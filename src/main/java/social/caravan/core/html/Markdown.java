package social.caravan.core.html;

import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Markdown to HTML for the texts operators write, as Mastodon renders them: the extended
 * description as written (HTML included), policies and terms with HTML escaped and images shown
 * as their description.
 */
public final class Markdown {
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer TRUSTED = HtmlRenderer.builder().build();
    private static final HtmlRenderer ESCAPED = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    private Markdown() {}

    public static String render(String markdown) {
        return TRUSTED.render(PARSER.parse(markdown));
    }

    public static String renderEscaped(String markdown) {
        Node document = PARSER.parse(markdown);
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Image image) {
                StringBuilder alt = new StringBuilder();
                image.accept(new AbstractVisitor() {
                    @Override
                    public void visit(Text text) {
                        alt.append(text.getLiteral());
                    }
                });
                image.insertBefore(new Text(alt.toString()));
                image.unlink();
            }
        });
        return ESCAPED.render(document);
    }
}
