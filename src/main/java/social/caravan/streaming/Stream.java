package social.caravan.streaming;

import java.util.ArrayList;
import java.util.List;
import social.caravan.core.bus.Channels;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Principal;
import social.caravan.statuses.StatusFilters;

/**
 * One stream a client asked for, resolved as Mastodon's streaming server resolves it: the bus
 * channels it listens to, the {@code stream} array its messages carry, and how updates on it are
 * checked for each viewer.
 *
 * @param name      Mastodon's stream name ({@code user}, {@code public:local}, {@code hashtag} ...)
 * @param label     the {@code stream} array of its messages: the name, plus the tag or list id
 * @param channels  the bus channels
 * @param shared    updates are rendered once for everyone and checked per viewer (public and hashtag streams)
 * @param context   the filter context of its statuses
 */
record Stream(String name, List<String> label, List<String> channels, boolean shared, StatusFilters.Context context) {

    /** The key under which a socket holds a subscription, so subscribing twice is once. */
    String key() {
        return String.join(";", channels);
    }

    /** What a stream needs from the token, as Mastodon's checkScopes: public streams need none. */
    static void checkScopes(String name, Principal principal) {
        if (name.startsWith("public") || name.startsWith("hashtag")) {
            return;
        }
        String needed = name.equals("user:notification") ? "read:notifications" : "read:statuses";
        if (!principal.grants(needed)) {
            throw new ApiException(401, "Access token does not have the required scopes");
        }
    }

    /** Whether {@code name} is a stream Mastodon knows, whatever its parameters. */
    static boolean known(String name) {
        return switch (name) {
            case "user", "user:notification", "public", "public:media", "public:local", "public:local:media",
                 "public:remote", "public:remote:media", "hashtag", "hashtag:local", "list", "direct" -> true;
            default -> false;
        };
    }

    /**
     * Resolves a stream for a signed-in account; {@code ownsList} answers whether the account owns
     * a list. Bad names and parameters are Mastodon's 400s; someone else's list is its 401.
     */
    static Stream resolve(String name, String tag, String list, long accountId, Principal principal,
                          java.util.function.LongPredicate ownsList) {
        if (name == null || !known(name)) {
            throw new ApiException(400, "Unknown stream type");
        }
        checkScopes(name, principal);
        return switch (name) {
            case "user" -> {
                List<String> channels = new ArrayList<>(List.of(Channels.home(accountId)));
                // As on Mastodon, notifications come only with a token that may read them.
                if (principal.grants("read:notifications")) {
                    channels.add(Channels.notifications(accountId));
                }
                channels.add(Channels.ANNOUNCEMENTS);
                yield new Stream(name, List.of(name), channels, false, StatusFilters.Context.HOME);
            }
            case "user:notification" -> new Stream(name, List.of(name), List.of(Channels.notifications(accountId)), false,
                    StatusFilters.Context.NOTIFICATIONS);
            case "direct" -> new Stream(name, List.of(name), List.of(Channels.direct(accountId)), false,
                    StatusFilters.Context.NONE);
            case "hashtag", "hashtag:local" -> {
                if (tag == null || tag.isBlank()) {
                    throw new ApiException(400, "Missing tag name parameter");
                }
                String normalized = tag.strip().replaceFirst("^#", "");
                yield new Stream(name, List.of(name, tag), List.of(Channels.hashtag(normalized, name.endsWith(":local"))),
                        true, StatusFilters.Context.PUBLIC);
            }
            case "list" -> {
                if (list == null || list.isBlank()) {
                    throw new ApiException(400, "Missing list name parameter");
                }
                long id;
                try {
                    id = Long.parseLong(list.strip());
                } catch (NumberFormatException e) {
                    throw new ApiException(401, "Not authorized to stream this list");
                }
                if (!ownsList.test(id)) {
                    throw new ApiException(401, "Not authorized to stream this list");
                }
                yield new Stream(name, List.of(name, list), List.of(Channels.list(id)), false, StatusFilters.Context.HOME);
            }
            // public, public:local, public:remote and their :media variants: the channel is named as the stream.
            default -> new Stream(name, List.of(name), List.of("timeline:" + name), true, StatusFilters.Context.PUBLIC);
        };
    }

    /** Maps an SSE path to a stream name, as Mastodon's channelNameFromPath; null for an unknown path. */
    static String fromPath(String path, boolean onlyMedia) {
        return switch (path) {
            case "/api/v1/streaming/user" -> "user";
            case "/api/v1/streaming/user/notification" -> "user:notification";
            case "/api/v1/streaming/public" -> onlyMedia ? "public:media" : "public";
            case "/api/v1/streaming/public/local" -> onlyMedia ? "public:local:media" : "public:local";
            case "/api/v1/streaming/public/remote" -> onlyMedia ? "public:remote:media" : "public:remote";
            case "/api/v1/streaming/hashtag" -> "hashtag";
            case "/api/v1/streaming/hashtag/local" -> "hashtag:local";
            case "/api/v1/streaming/direct" -> "direct";
            case "/api/v1/streaming/list" -> "list";
            default -> null;
        };
    }
}
