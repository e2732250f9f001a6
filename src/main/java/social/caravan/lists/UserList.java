package social.caravan.lists;

/**
 * A list of accounts its owner follows, with a feed of their posts. {@code repliesPolicy} is
 * followed, list or none: which replies to others the feed takes. An {@code exclusive} list keeps
 * its members' posts out of the owner's home feed.
 */
public record UserList(long id, long accountId, String title, String repliesPolicy, boolean exclusive) {

    /** Mastodon's List entity. */
    public record View(String id, String title, String repliesPolicy, boolean exclusive) {}

    public View view() {
        return new View(Long.toString(id), title, repliesPolicy, exclusive);
    }
}
