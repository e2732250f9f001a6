package social.caravan.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.timelines.FeedService;

/**
 * Lists with Mastodon's rules: at most 50 per account, a title, a replies policy; members are
 * accounts the owner follows (or the owner itself). A list is seen and changed by its owner only:
 * anyone else gets 404. Adding members merges their recent statuses into the list feed (a job),
 * removing them takes their statuses out.
 */
public final class ListService {
    /** Mastodon's List::PER_ACCOUNT_LIMIT and TITLE_LENGTH_LIMIT. */
    static final int MAX_LISTS = 50;
    static final int MAX_TITLE = 256;
    static final Set<String> REPLIES_POLICIES = Set.of("followed", "list", "none");

    private final Jdbi jdbi;
    private final ListStore store = new ListStore();
    private final AccountService accounts;
    private final FeedService feeds;
    private final JobQueue queue;

    public ListService(Jdbi jdbi, AccountService accounts, FeedService feeds, JobQueue queue) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.feeds = feeds;
        this.queue = queue;
    }

    /** What a create or update sets; a null field stays as it is (or takes its default on create). */
    public record Changes(String title, String repliesPolicy, Boolean exclusive) {}

    /** Members' account ids (the paging keys) and their accounts, in that order. */
    public record Members(List<Long> pagingKeys, List<Account> accounts) {}

    public List<UserList> lists(long ownerId) {
        return jdbi.withHandle(h -> store.lists(h, ownerId));
    }

    public UserList get(long ownerId, long listId) {
        return jdbi.withHandle(h -> own(h, ownerId, listId));
    }

    public UserList create(long ownerId, Changes c) {
        String title = c.title() == null ? "" : c.title();
        String policy = c.repliesPolicy() == null ? "list" : c.repliesPolicy();
        return jdbi.inTransaction(h -> {
            List<String> errors = errors(title, policy);
            if (store.count(h, ownerId) >= MAX_LISTS) {
                errors.add("You have reached the maximum number of lists");
            }
            failOn(errors);
            return store.insert(h, ownerId, title, policy, Boolean.TRUE.equals(c.exclusive()));
        });
    }

    public UserList update(long ownerId, long listId, Changes c) {
        return jdbi.inTransaction(h -> {
            UserList list = own(h, ownerId, listId);
            String title = c.title() == null ? list.title() : c.title();
            String policy = c.repliesPolicy() == null ? list.repliesPolicy() : c.repliesPolicy();
            failOn(errors(title, policy));
            return store.update(h, list.id(), title, policy, c.exclusive() == null ? list.exclusive() : c.exclusive());
        });
    }

    /** Deletes the list, its members and its feed. */
    public void delete(long ownerId, long listId) {
        jdbi.useTransaction(h -> store.delete(h, own(h, ownerId, listId).id()));
    }

    /** A page of the members, or all of them when {@code window} is null (Mastodon's limit=0). */
    public Members members(long ownerId, long listId, Window window) {
        List<Long> ids = jdbi.withHandle(h -> {
            long id = own(h, ownerId, listId).id();
            return store.members(h, id, window == null ? Window.all() : window);
        });
        Map<Long, Account> found = new HashMap<>();
        accounts.findAll(ids).forEach(a -> found.put(a.id(), a));
        return new Members(ids, ids.stream().map(found::get).filter(Objects::nonNull).toList());
    }

    /**
     * Adds accounts, all or none: 404 when one is unknown, 422 when one is neither followed by the
     * owner nor the owner itself, or is on the list already. Their recent statuses are merged into
     * the feed by a job.
     */
    public void addMembers(long ownerId, long listId, List<Long> accountIds) {
        List<Long> ids = List.copyOf(new LinkedHashSet<>(accountIds));
        get(ownerId, listId);
        if (accounts.findAll(ids).size() != ids.size()) {
            throw ApiException.notFound();
        }
        jdbi.useTransaction(h -> {
            long id = own(h, ownerId, listId).id();
            if (ids.size() != accountIds.size()) {
                throw alreadyOnTheList();
            }
            for (long accountId : ids) {
                Long followId = null;
                if (accountId != ownerId) {
                    followId = store.followId(h, ownerId, accountId).orElseThrow(() ->
                            ApiException.unprocessable("Validation failed: Account must be a followed account"));
                }
                if (!store.addMember(h, id, accountId, followId)) {
                    throw alreadyOnTheList();
                }
                queue.enqueue(h, Queues.DEFAULT, FeedService.MERGE_LIST_JOB, new FeedService.MergeList(id, accountId), null,
                        "merge_list:" + id + ":" + accountId);
            }
        });
    }

    /** Removes accounts (those that are no members are passed over) and their statuses from the feed. */
    public void removeMembers(long ownerId, long listId, List<Long> accountIds) {
        jdbi.useTransaction(h -> {
            long id = own(h, ownerId, listId).id();
            List<Long> removed = store.removeMembers(h, id, accountIds);
            if (!removed.isEmpty()) {
                feeds.unmergeFromList(h, id, removed);
            }
        });
    }

    /** The owner's lists that hold the account; 404 for an unknown account. */
    public List<UserList> listsWith(long ownerId, long accountId) {
        accounts.find(accountId).orElseThrow(ApiException::notFound);
        return jdbi.withHandle(h -> store.listsWith(h, ownerId, accountId));
    }

    /** A page of the list's feed (status ids, newest first). */
    public List<Long> timeline(long ownerId, long listId, Window window) {
        UserList list = get(ownerId, listId);
        return feeds.listFeed(list.id(), ownerId, window);
    }

    private UserList own(Handle h, long ownerId, long listId) {
        return store.find(h, ownerId, listId).orElseThrow(ApiException::notFound);
    }

    /** Rails' validation messages, in the order Mastodon's List model runs them. */
    private static List<String> errors(String title, String policy) {
        List<String> errors = new ArrayList<>();
        if (!REPLIES_POLICIES.contains(policy)) {
            errors.add("Replies policy is not included in the list");
        }
        if (title.isBlank()) {
            errors.add("Title can't be blank");
        } else if (title.codePointCount(0, title.length()) > MAX_TITLE) {
            errors.add("Title is too long (maximum is " + MAX_TITLE + " characters)");
        }
        return errors;
    }

    private static void failOn(List<String> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: " + String.join(", ", errors));
        }
    }

    private static ApiException alreadyOnTheList() {
        return ApiException.unprocessable("Validation failed: Account is already on the list");
    }
}
