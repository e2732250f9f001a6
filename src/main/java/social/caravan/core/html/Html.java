package social.caravan.core.html;

/** Escaping and the one page layout our server-rendered pages share. */
public final class Html {
    private Html() {}

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final java.util.regex.Pattern URL =
            java.util.regex.Pattern.compile("https?://[^\\s<>\"]+[^\\s<>\".,;:!?)\\]']");

    /**
     * Plain text as Mastodon renders it: escaped, paragraphs on blank lines, line breaks as
     * {@code <br />}, and http(s) URLs as links.
     */
    public static String fromPlainText(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.strip().split("\\n\\s*\\n")) {
            out.append("<p>").append(linkify(paragraph.strip()).replace("\n", "<br />")).append("</p>");
        }
        return out.toString();
    }

    /** Escapes text and turns the URLs in it into links. */
    public static String linkify(String text) {
        StringBuilder out = new StringBuilder();
        java.util.regex.Matcher m = URL.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(escape(text.substring(last, m.start())));
            String url = escape(m.group());
            out.append("<a href=\"").append(url).append("\" target=\"_blank\" rel=\"nofollow noopener\">")
                    .append(url).append("</a>");
            last = m.end();
        }
        return out.append(escape(text.substring(last))).toString();
    }

    /** A complete page; {@code body} must already be escaped where it holds user text. */
    public static String page(String title, String body) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s</title>
                <style>
                body{font-family:system-ui,sans-serif;background:#f3f3f6;color:#222;margin:0}
                main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
                h1{font-size:1.4rem;margin-top:0} label{display:block;margin:.8rem 0 .2rem;font-weight:600}
                input[type=text],input[type=email],input[type=password],textarea{width:100%%;box-sizing:border-box;padding:.5rem;font-size:1rem}
                button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
                .error{color:#b00020} .muted{color:#666;font-size:.9rem} code{word-break:break-all}
                ul.scopes li{margin:.2rem 0}
                </style>
                </head>
                <body><main>
                %s
                </main></body>
                </html>
                """.formatted(escape(title), body);
    }
}
