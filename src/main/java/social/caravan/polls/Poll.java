package social.caravan.polls;

import java.time.Instant;
import java.util.List;

/**
 * A status's poll as one viewer sees it: the options with their tallies, whether it has ended (by
 * the database's clock, the one the closing job runs by), and the viewer's own choices.
 */
record Poll(
        long id,
        long statusId,
        long accountId,
        List<String> options,
        List<Integer> tallies,
        int votesCount,
        int votersCount,
        boolean multiple,
        boolean hideTotals,
        Instant expiresAt,
        boolean expired,
        List<Integer> ownVotes) {}
