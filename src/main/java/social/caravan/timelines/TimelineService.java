package social.caravan.timelines;

import social.caravan.core.db.Window;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;

/** The timelines a client reads: home, public, hashtag, an account's statuses, favourites and bookmarks. */
public final class TimelineService {
    private final Jdbi jdbi;
    private final TimelineStore store = new TimelineStore();
    private final FeedService feeds;
    private final AccountService accounts;

    public TimelineService(Jdbi jdbi, FeedService feeds, AccountService accounts) {
        this.jdbi = jdbi;
        this.feeds = feeds;
        this.accounts = accounts;
    }

    FeedService.Home home(long viewer, Window w) {
        return feeds.home(viewer, w);
    }

    TimelineStore.Slice publicTimeline(long viewer, TimelineStore.Origin origin, boolean onlyMedia, Window w) {
        return jdbi.withHandle(h -> store.publicTimeline(h, viewer, origin, onlyMedia, w));
    }

    /** The hashtag joins {@code any}, as Mastodon's tag feed takes it. */
    TimelineStore.Slice tag(long viewer, String hashtag, List<String> any, List<String> all, List<String> none,
                            TimelineStore.Origin origin, boolean onlyMedia, Window w) {
        List<String> anyOf = Stream.concat(Stream.of(hashtag), any.stream()).toList();
        return jdbi.withHandle(h -> store.tagTimeline(h, viewer, anyOf, all, none, origin, onlyMedia, w));
    }

    /** 404 for an account that does not exist. */
    TimelineStore.Slice accountStatuses(long viewer, long accountId, TimelineStore.AccountFilter filter, Window w) {
        accounts.find(accountId).orElseThrow(ApiException::notFound);
        return jdbi.withHandle(h -> store.accountStatuses(h, viewer, accountId, filter, w));
    }

    /** Status ids newest first, with the keys that page them (the same here: statuses page by id). */
    public record StatusPage(List<Long> statusIds, List<Long> keys) {}

    /**
     * What an account's ActivityPub outbox shows a requester ({@code viewer}: the signing remote account,
     * 0 when unsigned): its posts and boosts the visibility policy lets the viewer see, direct ones left out.
     */
    public StatusPage outbox(long viewer, long accountId, Window w) {
        TimelineStore.Slice slice = jdbi.withHandle(h -> store.accountStatuses(h, viewer, accountId,
                new TimelineStore.AccountFilter(false, false, false, false, null), w, true));
        return new StatusPage(slice.statusIds(), slice.keys());
    }

    /** The account's pinned statuses the viewer may see (its featured collection), most recently pinned first. */
    public List<Long> pinned(long viewer, long accountId) {
        return jdbi.withHandle(h -> store.accountStatuses(h, viewer, accountId,
                new TimelineStore.AccountFilter(false, false, false, true, null), Window.all(), true)).statusIds();
    }

    TimelineStore.Slice marked(long viewer, TimelineStore.Mark mark, Window w) {
        return jdbi.withHandle(h -> store.marked(h, viewer, mark, w));
    }
}
