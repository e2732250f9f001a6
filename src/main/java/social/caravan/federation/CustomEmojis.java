package social.caravan.federation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import social.caravan.core.json.Json;
import social.caravan.federation.handlers.Activity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The {@code Emoji} tags of a remote Note or actor, as Mastodon's CustomEmoji entities pointing at the
 * remote images (nothing is cached yet). As Mastodon renders them, only emoji whose {@code :shortcode:}
 * occurs in the texts given are kept.
 */
final class CustomEmojis {
    static final int MAX_EMOJIS = 50;
    private static final Pattern SHORTCODE = Pattern.compile("[a-zA-Z0-9_]{2,}");

    private CustomEmojis() {
    }

    /** The JSON array to store, or null when there are none. */
    static String read(JsonNode tags, String... texts) {
        String all = String.join("\n", java.util.Arrays.stream(texts).map(t -> t == null ? "" : t).toList());
        Map<String, String> found = new LinkedHashMap<>();
        for (JsonNode tag : RemoteStatuses.array(tags)) {
            String name = Activity.text(tag, "name");
            if (!"Emoji".equals(Activity.text(tag, "type")) || name == null || found.size() >= MAX_EMOJIS) {
                continue;
            }
            String shortcode = name.replaceAll("^:|:$", "");
            String url = RemoteAccounts.url(tag.path("icon"));
            if (SHORTCODE.matcher(shortcode).matches() && url != null && all.contains(":" + shortcode + ":")) {
                found.putIfAbsent(shortcode, url);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        found.forEach((shortcode, url) -> out.addObject().put("shortcode", shortcode).put("url", url)
                .put("static_url", url).put("visible_in_picker", false));
        return Json.write(out);
    }
}
