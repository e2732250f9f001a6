package social.caravan.polls;

import java.math.BigInteger;
import java.text.BreakIterator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Params;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.notifications.NotificationService;

/**
 * Polls: made and replaced with their status (in its transaction), voted on, and announced to
 * their author and voters when they end.
 */
public final class PollService {
    /** Mastodon's limits; /api/v1|v2/instance announces these same numbers. */
    public static final int MAX_OPTIONS = 4;
    public static final int MAX_CHARACTERS_PER_OPTION = 50;
    public static final int MIN_EXPIRATION = 300;
    /** One month as Rails counts it (30.436875 days). */
    public static final int MAX_EXPIRATION = 2_629_746;

    /** The job that tells author and voters that a poll has ended; it runs at the poll's expiry. */
    public static final String END_JOB = "polls.end";

    /** The end job's payload. */
    public record End(long pollId) {}

    private static final String EXPIRED = "The poll has already ended";
    private static final String INVALID_CHOICE = "The chosen vote option does not exist";
    private static final String SELF_VOTE = "You cannot vote in your own polls";
    private static final String ALREADY_VOTED = "You have already voted on this poll";
    /** How Ruby's to_i reads the start of a number; anything else reads as 0. */
    private static final Pattern LEADING_INTEGER = Pattern.compile("^\\s*([+-]?\\d+(?:_\\d+)*)");

    private final Jdbi jdbi;
    private final PollStore store = new PollStore();
    private final NotificationService notifications;
    private final JobQueue queue;
    private final PollEvents events;

    public PollService(Jdbi jdbi, NotificationService notifications, JobQueue queue, PollEvents events) {
        this.jdbi = jdbi;
        this.notifications = notifications;
        this.queue = queue;
        this.events = events;
    }

    /** {@code poll[...]} as an app sent it; {@code expiresIn} as typed (Mastodon reads it as Ruby's to_i). */
    public record Draft(List<String> options, String expiresIn, boolean multiple, boolean hideTotals) {
        /**
         * The {@code poll} parameter, if it has any of the four fields Mastodon permits (an empty
         * one, as in Mastodon, asks for no poll).
         */
        public static Optional<Draft> of(Params params) {
            Optional<Params> poll = params.object("poll");
            if (poll.isEmpty()) {
                return Optional.empty();
            }
            Params p = poll.get();
            if (!(p.has("options") || p.has("expires_in") || p.has("multiple") || p.has("hide_totals"))) {
                return Optional.empty();
            }
            return Optional.of(new Draft(p.list("options"), p.string("expires_in").orElse(null),
                    p.bool("multiple").orElse(false), p.bool("hide_totals").orElse(false)));
        }
    }

    /** Gives a new status its poll, in the status's transaction; a draft Mastodon would refuse is a 422. */
    public void attach(Handle h, long statusId, long authorId, Draft draft) {
        List<String> options = prepared(draft.options());
        Instant expiresAt = expiry(draft.expiresIn());
        check(options, draft.expiresIn(), expiresAt != null);
        long id = store.insert(h, statusId, authorId, options, draft.multiple(), draft.hideTotals(), expiresAt);
        scheduleEnd(h, id, expiresAt);
    }

    /** A poll to make later, as a scheduled status keeps it: checked now, the expiry in seconds. */
    public record Later(List<String> options, long expiresIn, boolean multiple, boolean hideTotals) {
        public Draft draft() {
            return new Draft(options, Long.toString(expiresIn), multiple, hideTotals);
        }
    }

    /** Checks a draft as attaching it would (a 422 when Mastodon would refuse it), to be made later. */
    public Later later(Draft draft) {
        List<String> options = prepared(draft.options());
        check(options, draft.expiresIn(), expiry(draft.expiresIn()) != null);
        return new Later(options, seconds(draft.expiresIn()), draft.multiple(), draft.hideTotals());
    }

    /** The options of the status's poll, or null when it has none: what a version of the status keeps. */
    public List<String> options(Handle h, long statusId) {
        return store.optionsOf(h, statusId).orElse(null);
    }

    /**
     * An edit's poll, as Mastodon's UpdateStatusService does it: no draft takes the poll off; a draft
     * updates the poll (or adds one), and changing its options or whether it is multiple-choice
     * throws away the votes cast so far. The expiry restarts from now. Returns the options now, or
     * null when there is no poll any more.
     */
    public List<String> replace(Handle h, long statusId, long authorId, Draft draft) {
        Optional<Poll> current = store.ofStatusForUpdate(h, statusId);
        if (draft == null) {
            current.ifPresent(poll -> store.delete(h, poll.id()));
            return null;
        }
        List<String> options = prepared(draft.options());
        Instant expiresAt = expiry(draft.expiresIn());
        // Mastodon checks the expiry only when it changes: a new poll without one gets "can't be blank" alone.
        check(options, draft.expiresIn(), expiresAt != null || current.isPresent());
        if (current.isEmpty()) {
            long id = store.insert(h, statusId, authorId, options, draft.multiple(), draft.hideTotals(), expiresAt);
            scheduleEnd(h, id, expiresAt);
            return options;
        }
        Poll poll = current.get();
        boolean reset = !options.equals(poll.options()) || draft.multiple() != poll.multiple();
        store.update(h, poll.id(), options, draft.multiple(), draft.hideTotals(), expiresAt, reset);
        scheduleEnd(h, poll.id(), expiresAt);
        return options;
    }

    /** The polls of these statuses as {@code viewer} sees them, by status id: one query for a page. */
    public Map<Long, PollJson.PollView> viewsOfStatuses(Handle h, List<Long> statusIds, long viewer) {
        Map<Long, PollJson.PollView> views = new HashMap<>();
        for (Poll poll : store.ofStatuses(h, statusIds, viewer)) {
            views.put(poll.statusId(), PollJson.render(poll, viewer));
        }
        return views;
    }

    /** The poll; whether its status is the viewer's to see is the caller's question. */
    Poll get(long id, long viewer) {
        return jdbi.withHandle(h -> store.find(h, id, viewer)).orElseThrow(ApiException::notFound);
    }

    PollJson.PollView view(Poll poll, long viewer) {
        return PollJson.render(poll, viewer);
    }

    /**
     * Casts {@code voter}'s choices (indexes as sent) in one transaction, each checked as Mastodon's
     * VoteValidator checks it: the first refused one refuses them all, with that vote's reasons.
     */
    Poll vote(long pollId, long voter, List<String> choices) {
        if (choices.isEmpty()) {
            throw ApiException.badRequest("Missing required parameter: choices");
        }
        return jdbi.inTransaction(h -> {
            Poll poll = store.findForUpdate(h, pollId, voter).orElseThrow(ApiException::notFound);
            Set<Integer> mine = new HashSet<>(poll.ownVotes());
            boolean votedBefore = !mine.isEmpty();
            for (String raw : choices) {
                Integer choice = choice(raw);
                List<String> problems = new ArrayList<>();
                if (poll.expired()) {
                    problems.add(EXPIRED);
                }
                if (choice == null || choice < 0 || choice >= poll.options().size()) {
                    problems.add(INVALID_CHOICE);
                }
                if (voter == poll.accountId()) {
                    problems.add(SELF_VOTE);
                }
                if (poll.multiple() ? mine.contains(choice) : !mine.isEmpty()) {
                    problems.add(ALREADY_VOTED);
                }
                if (!problems.isEmpty()) {
                    throw ApiException.unprocessable("Validation failed: " + String.join(", ", problems));
                }
                store.vote(h, poll.id(), voter, choice);
                events.voted(h, voter, poll.statusId(), choice);
                mine.add(choice);
            }
            if (!votedBefore) {
                store.countVoter(h, poll.id());
            }
            if (!poll.hideTotals()) {
                events.counted(h, poll.accountId(), poll.statusId(), false);
            }
            return store.find(h, pollId, voter).orElseThrow();
        });
    }

    /**
     * A remote account's vote in a poll of a local status it may see, as Mastodon takes one: a Note naming
     * one option, in reply to the poll's status. False when the status has no such poll or option (the
     * Note is then no vote). A vote in an ended poll, by its author, for a choice already made, or for a
     * second choice of a single-choice poll counts nothing, so a delivery repeated counts once.
     */
    public boolean voteRemote(long statusId, long voter, String option) {
        return jdbi.inTransaction(h -> {
            Optional<Poll> found = store.ofVisibleLocalStatusForUpdate(h, statusId, voter);
            if (found.isEmpty() || !found.get().options().contains(option)) {
                return false;
            }
            Poll poll = found.get();
            int choice = poll.options().indexOf(option);
            List<Integer> mine = poll.ownVotes();
            if (poll.expired() || voter == poll.accountId() || mine.contains(choice) || (!poll.multiple() && !mine.isEmpty())) {
                return true;
            }
            store.vote(h, poll.id(), voter, choice);
            if (mine.isEmpty()) {
                store.countVoter(h, poll.id());
            }
            if (!poll.hideTotals()) {
                events.counted(h, poll.accountId(), poll.statusId(), false);
            }
            return true;
        });
    }

    /** The inboxes (shared where known) of the remote accounts that voted in the poll of {@code statusId}, one per server. */
    public List<String> remoteVoterInboxes(long statusId) {
        return jdbi.withHandle(h -> store.remoteVoterInboxes(h, statusId));
    }

    /** Withdraws every vote of an account whose content is purged: its polls count it no more. */
    public int withdrawVotes(long accountId) {
        return jdbi.inTransaction(h -> store.withdrawVotes(h, accountId));
    }

    /**
     * The end job: once the poll's expiry has passed, sends the {@code poll} notification to its
     * author and to every local voter. The poll's row records which expiry was announced, in the
     * same transaction, so a job run twice (or an older job of a poll whose edit moved its expiry)
     * notifies nobody twice.
     */
    public void end(long pollId) {
        jdbi.useTransaction(h -> store.claimEnd(h, pollId).ifPresent(ended -> {
            events.counted(h, ended.accountId(), ended.statusId(), true);
            notifications.notify(h, ended.accountId(), ended.accountId(), NotificationService.POLL, ended.statusId());
            for (long voter : store.localVoters(h, pollId)) {
                if (voter != ended.accountId()) {
                    notifications.notify(h, voter, ended.accountId(), NotificationService.POLL, ended.statusId());
                }
            }
        }));
    }

    private void scheduleEnd(Handle h, long pollId, Instant expiresAt) {
        queue.enqueue(h, Queues.DEFAULT, END_JOB, new End(pollId), expiresAt,
                "poll-end:" + pollId + ":" + expiresAt.toEpochMilli());
    }

    /** As Mastodon prepares options: each stripped, the blank ones dropped. */
    private static List<String> prepared(List<String> options) {
        return options.stream().map(String::strip).filter(o -> !o.isEmpty()).toList();
    }

    /** When a poll asked to last {@code expiresIn} seconds ends; null when none was given. */
    private static Instant expiry(String expiresIn) {
        if (expiresIn == null || expiresIn.isBlank()) {
            return null;
        }
        return Instant.now().plusSeconds(seconds(expiresIn)).truncatedTo(ChronoUnit.MILLIS);
    }

    /** Ruby's to_i, held within a range that cannot overflow an Instant (beyond it is refused anyway). */
    private static long seconds(String expiresIn) {
        Matcher m = LEADING_INTEGER.matcher(expiresIn);
        if (!m.find()) {
            return 0;
        }
        BigInteger value = new BigInteger(m.group(1).replace("_", ""));
        BigInteger bound = BigInteger.valueOf(10L * MAX_EXPIRATION);
        return value.max(bound.negate()).min(bound).longValueExact();
    }

    /**
     * Mastodon's poll validations in their order, with the names its error messages give the
     * attributes ("Choices", "Deadline"); all that fail are listed in one 422.
     */
    private static void check(List<String> options, String expiresIn, boolean checkExpiry) {
        List<String> problems = new ArrayList<>();
        boolean noExpiry = expiresIn == null || expiresIn.isBlank();
        if (options.isEmpty()) {
            problems.add("Choices can't be blank");
        }
        if (noExpiry) {
            problems.add("Deadline can't be blank");
        }
        if (options.size() < 2) {
            problems.add("Choices must have more than one item");
        }
        if (options.size() > MAX_OPTIONS) {
            problems.add("Choices can't contain more than " + MAX_OPTIONS + " items");
        }
        if (options.stream().anyMatch(o -> graphemes(o) > MAX_CHARACTERS_PER_OPTION)) {
            problems.add("Choices cannot be longer than " + MAX_CHARACTERS_PER_OPTION + " characters each");
        }
        if (Set.copyOf(options).size() != options.size()) {
            problems.add("Choices contain duplicate items");
        }
        if (checkExpiry) {
            long seconds = noExpiry ? 0 : seconds(expiresIn);
            if (noExpiry || seconds > MAX_EXPIRATION) {
                problems.add("Deadline is too far into the future");
            }
            if (!noExpiry && seconds < MIN_EXPIRATION) {
                problems.add("Deadline is too soon");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: " + String.join(", ", problems));
        }
    }

    /** User-perceived characters, as Mastodon counts an option's length. */
    private static int graphemes(String text) {
        BreakIterator it = BreakIterator.getCharacterInstance();
        it.setText(text);
        int count = 0;
        while (it.next() != BreakIterator.DONE) {
            count++;
        }
        return count;
    }

    /** A choice as Ruby's Integer() reads it; null when it is no whole number. */
    private static Integer choice(String raw) {
        try {
            return Integer.valueOf(raw.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A poll of another server as it counts it: options with their votes, the voters, the end. */
    public record Remote(List<String> options, List<Integer> tallies, boolean multiple, Integer votersCount,
                         Instant expiresAt) {}

    /**
     * Attaches, refreshes or (with {@code poll} null) removes a remote status's poll, in the status's
     * transaction: its server counts the votes, so its counts replace ours. Returns the options now.
     */
    public List<String> putRemote(Handle h, long statusId, long authorId, Remote poll) {
        Optional<Poll> current = store.ofStatusForUpdate(h, statusId);
        if (poll == null) {
            current.ifPresent(p -> store.delete(h, p.id()));
            return null;
        }
        long id = store.upsertRemote(h, statusId, authorId, poll.options(), poll.tallies(), poll.multiple(),
                poll.votersCount(), poll.expiresAt());
        if (current.isEmpty() || !current.get().expiresAt().equals(poll.expiresAt())) {
            scheduleEnd(h, id, poll.expiresAt());
        }
        return poll.options();
    }
}
