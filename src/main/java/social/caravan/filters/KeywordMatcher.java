package social.caravan.filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import social.caravan.core.json.Json;
import social.caravan.statuses.StatusJson;
import tools.jackson.databind.JsonNode;

/**
 * Keyword matching as Mastodon does it: case-insensitive, a whole-word keyword bounded by word
 * boundaries on the sides where it begins or ends with a word character, over a status's
 * searchable text (content warning, text, poll options, media descriptions).
 */
final class KeywordMatcher {
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern WORD_START = Pattern.compile("^\\w", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_END = Pattern.compile("\\w$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern LINE_BREAK = Pattern.compile("<br\\s*/?>", Pattern.CASE_INSENSITIVE);
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("</p>\\s*<p[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);");

    private KeywordMatcher() {}

    /** One pattern for all of a filter's keywords; null when it has none. */
    static Pattern compile(List<Filter.Keyword> keywords) {
        if (keywords.isEmpty()) {
            return null;
        }
        List<String> alternatives = new ArrayList<>();
        for (Filter.Keyword k : keywords) {
            String quoted = Pattern.quote(k.keyword());
            if (k.wholeWord()) {
                String start = WORD_START.matcher(k.keyword()).find() ? "\\b" : "";
                String end = WORD_END.matcher(k.keyword()).find() ? "\\b" : "";
                alternatives.add("(?:" + start + quoted + end + ")");
            } else {
                alternatives.add("(?:" + quoted + ")");
            }
        }
        return Pattern.compile(String.join("|", alternatives), FLAGS);
    }

    /** The first text the pattern finds, as written in the status; null when none. */
    static String firstMatch(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group() : null;
    }

    /** What keywords are matched against, as Mastodon's searchable text joins it. */
    static String searchableText(StatusJson.StatusView s) {
        List<String> parts = new ArrayList<>();
        parts.add(s.spoilerText());
        parts.add(plainText(s.content()));
        if (s.poll() != null) {
            List<String> options = new ArrayList<>();
            for (JsonNode option : Json.MAPPER.valueToTree(s.poll()).path("options")) {
                if (option.path("title").isString()) {
                    options.add(option.path("title").asString());
                }
            }
            parts.add(String.join("\n\n", options));
        }
        List<String> descriptions = new ArrayList<>();
        for (Object media : s.mediaAttachments() == null ? List.of() : s.mediaAttachments()) {
            JsonNode description = Json.MAPPER.valueToTree(media).path("description");
            if (description.isString()) {
                descriptions.add(description.asString());
            }
        }
        parts.add(String.join("\n\n", descriptions));
        return String.join("\n\n", parts.stream().filter(Objects::nonNull).toList());
    }

    /** Rendered HTML back to text: breaks as newlines, tags dropped, entities decoded. */
    static String plainText(String html) {
        if (html == null || html.isEmpty()) {
            return "";
        }
        String text = LINE_BREAK.matcher(html).replaceAll("\n");
        text = PARAGRAPH_BREAK.matcher(text).replaceAll("\n\n");
        text = TAG.matcher(text).replaceAll("");
        return ENTITY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(entity(m.group(1))));
    }

    private static String entity(String name) {
        return switch (name) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            case "nbsp" -> "\u00a0";
            default -> {
                int codePoint = name.charAt(1) == 'x' || name.charAt(1) == 'X'
                        ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                yield Character.isValidCodePoint(codePoint) ? Character.toString(codePoint) : "";
            }
        };
    }
}
