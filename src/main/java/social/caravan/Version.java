package social.caravan;

/** Caravan's own version, and the Mastodon API level it speaks. */
public final class Version {
    public static final String CARAVAN = "0.1.0";
    /** Apps read Mastodon's version to decide which features to offer; we name ourselves after it. */
    public static final String MASTODON_COMPATIBLE = "4.4.0 (compatible; Caravan " + CARAVAN + ")";
    /** Mastodon's machine-readable API level for 4.4 (api_versions.mastodon). */
    public static final int MASTODON_API_VERSION = 6;
    public static final String SOURCE_URL = "https://github.com/caravan-social/caravan";

    private Version() {}
}
