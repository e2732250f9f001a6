package social.caravan.polls;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How polls render in the Mastodon client API. */
public final class PollJson {
    private PollJson() {}

    /**
     * Mastodon's Poll entity. {@code voted} and {@code own_votes} only for a signed-in viewer; an
     * option's {@code votes_count} is null while the author hides the totals and the poll runs.
     */
    public record PollView(String id, Instant expiresAt, boolean expired, boolean multiple, int votesCount,
                           int votersCount, List<OptionView> options, List<Object> emojis,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Boolean voted,
                           @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> ownVotes) {}

    public record OptionView(String title, Integer votesCount) {}

    /** Renders for {@code viewer} (0 when signed out); the author counts as having voted, as in Mastodon. */
    static PollView render(Poll poll, long viewer) {
        boolean showTotals = poll.expired() || !poll.hideTotals();
        List<OptionView> options = new ArrayList<>();
        for (int i = 0; i < poll.options().size(); i++) {
            options.add(new OptionView(poll.options().get(i), showTotals ? poll.tallies().get(i) : null));
        }
        boolean signedIn = viewer != 0;
        return new PollView(Long.toString(poll.id()), poll.expiresAt(), poll.expired(), poll.multiple(),
                poll.votesCount(), poll.votersCount(), options, List.of(),
                signedIn ? poll.accountId() == viewer || !poll.ownVotes().isEmpty() : null,
                signedIn ? poll.ownVotes() : null);
    }
}
