package social.caravan.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import social.caravan.App;

/**
 * What a run needs on top of the generated data: every feed active again (a data directory reused
 * days later would otherwise answer 206 and rebuild), nothing left over from an earlier run (the
 * fan-out account's posts, jobs), and tokens for a random sample of readers.
 */
record Fixture(long starId, String starToken, List<Reader> readers) {

    record Reader(long accountId, String token) {}

    List<String> tokens() {
        return readers.stream().map(Reader::token).toList();
    }

    static Fixture prepare(App app, Jdbi jdbi, TimelineData.Summary data, int sample) {
        long start = System.nanoTime();
        List<Long> accounts = jdbi.withHandle(h -> {
            cleanUp(h, data.starId());
            // Read within the last 5 days, as the generator left them: the first read of the day records activity (one UPDATE).
            h.execute("UPDATE home_feeds SET active_at = now() - random() * interval '5 days', rebuilding = false");
            h.execute("DELETE FROM oauth_access_tokens");
            h.execute("SELECT setseed(0.17)");
            return h.createQuery("""
                            SELECT a.id FROM accounts a JOIN home_feeds hf ON hf.account_id = a.id
                             WHERE a.username <> 'star' ORDER BY random() LIMIT :n""")
                    .bind("n", sample).mapTo(Long.class).list();
        });
        List<Reader> readers = new ArrayList<>();
        for (long id : accounts) {
            readers.add(new Reader(id, app.auth().issueOperatorToken(id, TimelineBench.READ).accessToken()));
        }
        String starToken = app.auth().issueOperatorToken(data.starId(), Set.of("read", "write")).accessToken();
        System.out.printf(Locale.ROOT, "Prepared: feeds marked active, %d reader tokens issued (operator tokens, scope read) in %.1f s%n",
                readers.size(), (System.nanoTime() - start) / 1e9);
        return new Fixture(data.starId(), starToken, readers);
    }

    /** Removes the fan-out account's posts (and their feed entries, keeping the feeds' counts exact) and leftover jobs. */
    static void cleanUp(org.jdbi.v3.core.Handle h, long starId) {
        h.createUpdate("""
                        UPDATE home_feeds hf SET entries = greatest(hf.entries - c.n, 0)
                          FROM (SELECT e.account_id, count(*) AS n FROM home_feed_entries e JOIN statuses s ON s.id = e.entry_id
                                 WHERE s.account_id = :star GROUP BY e.account_id) c
                         WHERE hf.account_id = c.account_id""")
                .bind("star", starId).execute();
        h.createUpdate("DELETE FROM statuses WHERE account_id = :star").bind("star", starId).execute();
        h.execute("DELETE FROM jobs");
    }

    void cleanUp(Jdbi jdbi) {
        jdbi.useHandle(h -> cleanUp(h, starId));
    }
}
