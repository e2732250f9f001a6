package social.caravan.timelines;

import social.caravan.statuses.Visibility;

/**
 * SQL conditions the listings share, on a status row {@code s} and the viewer {@code :viewer}
 * (0 when signed out). They come on top of {@link Visibility#SQL_VISIBLE}, never instead of it.
 */
final class Filters {
    private Filters() {}

    /**
     * A boost is only shown with its original: the original must be visible to the viewer too (its
     * author may block the viewer, or it may be private). The inner {@code s} is the original.
     */
    static final String ORIGINAL_VISIBLE = """
            NOT EXISTS (SELECT 1 FROM statuses b WHERE b.id = s.id AND b.reblog_of_id IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM statuses s WHERE s.id = b.reblog_of_id AND""" + " "
            + Visibility.SQL_VISIBLE + "))";

    /** A public status carrying a hashtag the viewer follows: how a home entry came without a follow. */
    static final String FOLLOWED_TAG = "(s.visibility = 'public' AND s.reblog_of_id IS NULL AND EXISTS ("
            + "SELECT 1 FROM statuses_tags ft JOIN tag_follows tf ON tf.tag_id = ft.tag_id"
            + " WHERE ft.status_id = s.id AND tf.account_id = :viewer))";

    /** The original's author, for a boost. */
    static final String ORIGINAL_AUTHOR = "(SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)";

    /** The account is one the viewer blocks, mutes (until the mute ends), or whose domain the viewer blocks. */
    static String hidden(String account) {
        return hidden(":viewer", account);
    }

    /** As {@link #hidden(String)}, for the reader {@code viewer} (an SQL expression: a list feed's owner). */
    static String hidden(String viewer, String account) {
        return "(EXISTS (SELECT 1 FROM blocks hb WHERE hb.account_id = " + viewer + " AND hb.target_account_id = " + account + ")"
                + " OR EXISTS (SELECT 1 FROM mutes hm WHERE hm.account_id = " + viewer + " AND hm.target_account_id = " + account
                + " AND (hm.expires_at IS NULL OR hm.expires_at > now()))"
                + " OR EXISTS (SELECT 1 FROM account_domain_blocks hd JOIN accounts ha ON lower(ha.domain) = hd.domain"
                + " WHERE hd.account_id = " + viewer + " AND ha.id = " + account + "))";
    }

    /**
     * What a home feed leaves out, as Mastodon's feed filter does: statuses by, boosting, or
     * mentioning an account the viewer blocks or mutes.
     */
    static final String HOME_NOT_HIDDEN = homeNotHidden(":viewer");

    /** As {@link #HOME_NOT_HIDDEN}, for the reader {@code viewer} (an SQL expression: a list feed's owner). */
    static String homeNotHidden(String viewer) {
        return "NOT " + hidden(viewer, "s.account_id")
                + " AND (s.reblog_of_id IS NULL OR NOT " + hidden(viewer, ORIGINAL_AUTHOR) + ")"
                + " AND NOT EXISTS (SELECT 1 FROM mentions hx WHERE (hx.status_id = s.id OR hx.status_id = s.reblog_of_id)"
                + " AND hx.account_id <> " + viewer + " AND " + hidden(viewer, "hx.account_id") + ")";
    }

    /**
     * The account is a member of one of {@code owner}'s exclusive lists: Mastodon keeps its posts
     * out of the owner's home feed.
     */
    static String inExclusiveList(String owner, String account) {
        return "EXISTS (SELECT 1 FROM list_accounts xa JOIN lists xl ON xl.id = xa.list_id"
                + " WHERE xa.account_id = " + account + " AND xl.account_id = " + owner + " AND xl.exclusive)";
    }
}
