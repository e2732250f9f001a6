package social.caravan.core.bus;

import java.util.Locale;

/** The bus channels, named as Mastodon names its Redis channels. */
public final class Channels {
    public static final String PUBLIC = "timeline:public";
    public static final String PUBLIC_LOCAL = "timeline:public:local";
    public static final String PUBLIC_REMOTE = "timeline:public:remote";
    /** Announcements reach every user stream; Mastodon publishes them to each subscribed account's timeline. */
    public static final String ANNOUNCEMENTS = "timeline:announcements";

    private Channels() {}

    /** An account's home timeline and its other user-stream events. */
    public static String home(long accountId) {
        return "timeline:" + accountId;
    }

    public static String notifications(long accountId) {
        return "timeline:" + accountId + ":notifications";
    }

    public static String direct(long accountId) {
        return "timeline:direct:" + accountId;
    }

    public static String list(long listId) {
        return "timeline:list:" + listId;
    }

    /** Hashtag names are case-insensitive: the channel uses the lower-case form. */
    public static String hashtag(String name, boolean localOnly) {
        return "timeline:hashtag:" + name.toLowerCase(Locale.ROOT) + (localOnly ? ":local" : "");
    }

    /** Control messages for the sockets of one access token (a {@code kill} when it is revoked). */
    public static String accessToken(long tokenId) {
        return "timeline:access_token:" + tokenId;
    }
}
