package social.caravan.core.html;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Remote HTML reduced to Mastodon's allow-list. */
class SanitizerTest {
    @Test
    void keepsMentionsHashtagsAndMicroformatsWithSafeLinks() {
        String html = "<p><span class=\"h-card\"><a href=\"https://remote.example/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>"
                + " hi <a href=\"https://remote.example/tags/java\" class=\"mention hashtag\" rel=\"tag\">#<span>java</span></a></p>";
        assertThat(Sanitizer.clean(html)).isEqualTo(
                "<p><span class=\"h-card\"><a href=\"https://remote.example/@bob\" class=\"u-url mention\" rel=\"nofollow noopener\""
                        + " target=\"_blank\">@<span>bob</span></a></span> hi <a href=\"https://remote.example/tags/java\""
                        + " class=\"mention hashtag\" rel=\"nofollow noopener\" target=\"_blank\">#<span>java</span></a></p>");
    }

    @Test
    void dropsScriptsStylesEventHandlersAndUnknownClasses() {
        String html = "<p onclick=\"evil()\" class=\"fancy e-content\" style=\"color:red\">Hi<script>alert(1)</script>"
                + "<img src=x onerror=alert(1)><iframe src=\"https://x\"></iframe></p><div>in a div</div>";
        assertThat(Sanitizer.clean(html)).isEqualTo("<p class=\"e-content\">Hi</p>in a div");
    }

    @Test
    void turnsLinksWithUnsafeOrRelativeSchemesIntoText() {
        assertThat(Sanitizer.clean("<a href=\"javascript:alert(1)\">click</a> <a href=\"/local\">rel</a> "
                + "<a href=\"gemini://x.example/\">gem</a>"))
                .isEqualTo("click rel <a href=\"gemini://x.example/\" rel=\"nofollow noopener\" target=\"_blank\">gem</a>");
        assertThat(Sanitizer.clean("<a href=\" JAVASCRIPT:alert(1)\">x</a>")).isEqualTo("x");
    }

    @Test
    void keepsTheRestOfTheAllowListAndTurnsHeadingsIntoBoldParagraphs() {
        assertThat(Sanitizer.clean("<h1>Title</h1><ol start=\"3\" reversed><li value=\"2\">a</li></ol>"
                + "<blockquote><code>x</code></blockquote><ruby>漢<rt>kan</rt></ruby><span translate=\"no\" lang=\"fr\">oui</span>"))
                .isEqualTo("<p><strong>Title</strong></p><ol start=\"3\" reversed><li value=\"2\">a</li></ol>"
                        + "<blockquote><code>x</code></blockquote><ruby>漢<rt>kan</rt></ruby><span translate=\"no\" lang=\"fr\">oui</span>");
        assertThat(Sanitizer.clean(null)).isEmpty();
        assertThat(Sanitizer.clean("plain & <b>bold</b>")).isEqualTo("plain &amp; <b>bold</b>");
    }
}
