package social.caravan.bench;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The timeline benchmarks' data set, made with set-based SQL (generate_series, INSERT ... SELECT),
 * never row by row through the API: local accounts with users and stats, a heavy-tailed follow
 * graph, statuses over the last 30 days (originals, replies, boosts; mentions and tags on a
 * fraction), their stats, favourites, bookmarks, a few blocks and mutes, and the home feeds that
 * fan-out would have left (the newest 400 entries of every active account).
 *
 * <p>Plus one account, {@code star}, followed by every other account, for the fan-out run. It posts
 * nothing in the generated data; the benchmark posts for it.
 *
 * <p>Idempotent: a marker row in {@code bench.generated} names the shape generated; when it is
 * there with the same shape, nothing is done. Without it (first run, or a run that died midway) the
 * tables are emptied and everything is made again. Helper tables live in the schema {@code bench},
 * next to Caravan's own tables and never read by Caravan.
 */
final class TimelineData {
    /** Bump when the generated shape changes, so an old data directory is regenerated. */
    private static final int VERSION = 1;

    record Shape(int accounts, int statuses, int favourites, int feedSize) {
        String key() {
            return "v" + VERSION + ":accounts=" + accounts + ":statuses=" + statuses + ":favourites=" + favourites
                    + ":feed=" + feedSize;
        }
    }

    /** What the run needs to know about the data: the fan-out account and the numbers it holds. */
    record Summary(long starId, Map<String, Long> counts) {}

    private final Jdbi jdbi;
    private final Shape shape;

    TimelineData(Jdbi jdbi, Shape shape) {
        this.jdbi = jdbi;
        this.shape = shape;
    }

    /** Generates unless already there; returns the summary either way. */
    Summary ensure() {
        boolean present = jdbi.withHandle(h -> {
            h.execute("CREATE SCHEMA IF NOT EXISTS bench");
            h.execute("""
                    CREATE TABLE IF NOT EXISTS bench.generated (
                      key text PRIMARY KEY, generated_at timestamptz NOT NULL DEFAULT now(), seconds numeric NOT NULL)""");
            return h.createQuery("SELECT count(*) FROM bench.generated WHERE key = :k").bind("k", shape.key())
                    .mapTo(Integer.class).one() > 0;
        });
        if (present) {
            double seconds = jdbi.withHandle(h -> h.createQuery("SELECT seconds FROM bench.generated WHERE key = :k")
                    .bind("k", shape.key()).mapTo(Double.class).one());
            System.out.printf(Locale.ROOT, "Data: already generated (%s, took %.0f s then); reusing it.%n", shape.key(), seconds);
        } else {
            generate();
        }
        return summary();
    }

    private Summary summary() {
        return jdbi.withHandle(h -> {
            long star = h.createQuery("SELECT id FROM accounts WHERE username = 'star' AND domain IS NULL")
                    .mapTo(Long.class).one();
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (String table : new String[] {"accounts", "follows", "statuses", "mentions", "statuses_tags", "favourites",
                    "bookmarks", "blocks", "mutes", "home_feeds", "home_feed_entries"}) {
                // Estimates from the last ANALYZE: exact counts of the big tables take seconds.
                counts.put(table, h.createQuery("SELECT reltuples::bigint FROM pg_class WHERE oid = CAST(:t AS regclass)")
                        .bind("t", "public." + table).mapTo(Long.class).one());
            }
            return new Summary(star, counts);
        });
    }

    private void generate() {
        // The generator empties Caravan's tables first. In the bench's own PostgreSQL that is its own
        // data; in a database named by DATABASE_URL that already holds accounts not made here, refuse.
        boolean foreign = jdbi.withHandle(h -> h.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM accounts) AND to_regclass('bench.accounts') IS NULL""")
                .mapTo(Boolean.class).one());
        if (foreign && System.getenv("DATABASE_URL") != null && !"yes".equals(TimelineBench.text("wipe", null))) {
            throw new IllegalStateException("DATABASE_URL names a database with accounts the benchmark did not make;"
                    + " generating would delete them. Use an empty database, or set BENCH_WIPE=yes.");
        }
        long start = System.nanoTime();
        System.out.println("Data: generating " + shape.key() + " ...");
        Keys keys = Keys.make();
        jdbi.useHandle(h -> {
            h.execute("SET work_mem = '256MB'");
            h.execute("SET maintenance_work_mem = '512MB'");
            h.execute("SET synchronous_commit = off");
            // Foreign keys are right by construction; skipping their triggers halves the load time.
            // Needs a superuser (the embedded PostgreSQL's postgres is one); without, the checks just run.
            try {
                h.execute("SET session_replication_role = replica");
            } catch (RuntimeException e) {
                System.out.println("  (not a superuser: foreign-key triggers stay on during the load)");
            }
            h.execute("SELECT setseed(0.4242)");
            step(h, "empty the tables", this::empty);
            step(h, "accounts, users, account ids", x -> accounts(x, keys));
            step(h, "follow graph", this::follows);
            step(h, "statuses (staging)", this::stageStatuses);
            step(h, "statuses", this::statuses);
            step(h, "mentions and tags", this::mentionsAndTags);
            step(h, "favourites, bookmarks, blocks, mutes", this::favourites);
            step(h, "status_stats and account_stats", this::stats);
            step(h, "home feeds", this::feeds);
            h.execute("RESET session_replication_role");
        });
        // VACUUM cannot run in a transaction block; JDBI's handle runs in autocommit here.
        jdbi.useHandle(h -> step(h, "VACUUM ANALYZE, CHECKPOINT", x -> {
            x.execute("VACUUM (ANALYZE) accounts, users, account_stats, follows, statuses, status_stats, mentions, tags,"
                    + " statuses_tags, favourites, bookmarks, blocks, mutes, home_feed_entries, home_feeds");
            x.execute("CHECKPOINT");
        }));
        double seconds = (System.nanoTime() - start) / 1e9;
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO bench.generated (key, seconds) VALUES (:k, :s)")
                .bind("k", shape.key()).bind("s", seconds).execute());
        System.out.printf(Locale.ROOT, "Data: generated in %.1f s%n", seconds);
    }

    private static void step(Handle h, String name, Consumer<Handle> body) {
        long start = System.nanoTime();
        body.accept(h);
        System.out.printf(Locale.ROOT, "  %-40s %7.1f s%n", name, (System.nanoTime() - start) / 1e9);
    }

    private void empty(Handle h) {
        h.execute("DROP TABLE IF EXISTS bench.accounts, bench.st, bench.st0, bench.st1, bench.draws");
        // accounts cascades to everything that names an account (statuses, follows, feeds, tokens ...).
        h.execute("TRUNCATE accounts, tags, jobs CASCADE");
    }

    /**
     * n = 1..accounts are the regular accounts, n = 0 the fan-out account. Ids are Caravan's
     * time-ordered ids ((epoch ms << 16) | sequence), made from each account's creation time.
     * Each regular account gets a popularity rank (a random permutation), a number of follows
     * (log-normal, median 80, mean about 120) and a posting weight (log-normal, heavy-tailed).
     */
    private void accounts(Handle h, Keys keys) {
        h.createUpdate("""
                        CREATE TABLE bench.accounts AS
                        SELECT n, created,
                               ((extract(epoch FROM created) * 1000)::bigint << 16) | n AS id,
                               CASE WHEN n = 0 THEN 0 ELSE row_number() OVER (ORDER BY CASE WHEN n = 0 THEN -1 ELSE random() END) - 1 END::int AS rank,
                               CASE WHEN n = 0 THEN 0
                                    ELSE least(3000, greatest(3, round(80 * exp(0.9 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))))
                               END::int AS out_degree,
                               CASE WHEN n = 0 THEN 0 ELSE exp(1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) END AS post_weight,
                               0 AS posts
                          FROM (SELECT n, now() - interval '400 days' + n * interval '25 minutes' AS created
                                  FROM generate_series(0, :accounts) n) g""")
                .bind("accounts", shape.accounts()).execute();
        h.execute("ALTER TABLE bench.accounts ADD PRIMARY KEY (n)");
        h.execute("CREATE UNIQUE INDEX ON bench.accounts (id)");
        h.execute("CREATE INDEX ON bench.accounts (rank)");
        // Exactly shape.statuses posts in all: the floor of each share, plus one for the largest remainders.
        h.createUpdate("""
                        WITH total AS (SELECT sum(post_weight) AS w FROM bench.accounts),
                             share AS (SELECT n, :statuses * post_weight / total.w AS exact FROM bench.accounts, total WHERE n > 0),
                             ranked AS (SELECT n, floor(exact)::int AS base,
                                               row_number() OVER (ORDER BY exact - floor(exact) DESC) AS r FROM share),
                             missing AS (SELECT :statuses - sum(base) AS m FROM ranked)
                        UPDATE bench.accounts a SET posts = ranked.base + CASE WHEN ranked.r <= missing.m THEN 1 ELSE 0 END
                          FROM ranked, missing WHERE a.n = ranked.n""")
                .bind("statuses", shape.statuses()).execute();
        h.createUpdate("""
                        INSERT INTO accounts (id, username, display_name, note, public_key, private_key, created_at, updated_at)
                        SELECT id, CASE WHEN n = 0 THEN 'star' ELSE 'user' || n END,
                               CASE WHEN n = 0 THEN 'The Star' ELSE initcap(substr(md5(n::text), 1, 6)) || ' ' || initcap(substr(md5((n + 7)::text), 1, 8)) END,
                               'Benchmark account number ' || n || '. Writes about ' || (ARRAY['cats', 'trains', 'Java', 'PostgreSQL', 'gardening', 'music'])[1 + n % 6] || '.',
                               :pub, :priv, created, created
                          FROM bench.accounts""")
                .bind("pub", keys.publicPem()).bind("priv", keys.privatePem()).execute();
        h.createUpdate("""
                        INSERT INTO users (account_id, email, password_hash, created_at, last_sign_in_at)
                        SELECT id, CASE WHEN n = 0 THEN 'star' ELSE 'user' || n END || '@bench.invalid', :hash, created, now() - interval '1 day'
                          FROM bench.accounts""")
                .bind("hash", keys.passwordHash()).execute();
    }

    /**
     * Each regular account draws out_degree targets by popularity rank r = 1 + floor(N * u^2) (u
     * uniform): rank 1 ends up with about 70% of accounts as followers, rank 10 about 18%, rank 100
     * about 6%, the median rank about 1%, so a few accounts have thousands of followers and most
     * tens to a couple of hundred. Repeated draws and self-follows are dropped. Everyone also
     * follows the fan-out account.
     */
    private void follows(Handle h) {
        h.createUpdate("""
                        CREATE UNLOGGED TABLE bench.draws AS
                        SELECT a.id AS follower, 1 + floor(:n * power(random(), 2))::int AS rank
                          FROM bench.accounts a, generate_series(1, a.out_degree) g
                         WHERE a.n > 0""")
                .bind("n", shape.accounts()).execute();
        h.execute("""
                INSERT INTO follows (account_id, target_account_id, show_reblogs, notify, created_at)
                SELECT d.follower, t.id, random() > 0.05, false, now() - random() * interval '300 days'
                  FROM (SELECT DISTINCT follower, rank FROM bench.draws) d
                  JOIN bench.accounts t ON t.rank = d.rank AND t.n > 0
                 WHERE t.id <> d.follower""");
        h.execute("""
                INSERT INTO follows (account_id, target_account_id, created_at)
                SELECT a.id, s.id, now() - interval '100 days'
                  FROM bench.accounts a, bench.accounts s WHERE a.n > 0 AND s.n = 0""");
        h.execute("DROP TABLE bench.draws");
    }

    /**
     * One staging row per status, numbered in time order (seq), with its id made from its time:
     * (ms << 16) | (seq & 65535) is unique because consecutive seqs differ in the low bits. Kinds:
     * 18% drawn as boosts, 22% as replies, the rest originals; a boost or reply picks a parent among
     * the previous 30,000 statuses (about the last 22 hours) and falls back to an original when
     * that parent cannot be boosted (not public, a boost, one's own) or answered (a boost, private
     * or direct). Visibility of originals and replies: 75% public, 12% unlisted, 10% private, 3% direct.
     */
    private void stageStatuses(Handle h) {
        h.execute("""
                CREATE UNLOGGED TABLE bench.st0 AS
                SELECT row_number() OVER (ORDER BY created_at) AS seq, x.*
                  FROM (SELECT a.id AS account_id, now() - interval '30 days' + random() * interval '30 days' AS created_at,
                               random() AS u_kind, random() AS u_vis, random() AS u_parent, random() AS u_lang,
                               random() AS u_text, random() AS u_len, random() AS u_tag, random() AS u_mention
                          FROM bench.accounts a, generate_series(1, a.posts) g WHERE a.n > 0) x""");
        h.execute("""
                CREATE UNLOGGED TABLE bench.st1 AS
                SELECT s.*,
                       ((extract(epoch FROM created_at) * 1000)::bigint << 16) | (seq & 65535) AS id,
                       CASE WHEN seq > 1 AND u_kind < 0.18 THEN 'boost' WHEN seq > 1 AND u_kind < 0.40 THEN 'reply' ELSE 'original' END AS kind0,
                       CASE WHEN u_vis < 0.75 THEN 'public' WHEN u_vis < 0.87 THEN 'unlisted' WHEN u_vis < 0.97 THEN 'private' ELSE 'direct' END AS vis0,
                       CASE WHEN seq > 1 THEN seq - 1 - floor(u_parent * least(seq - 1, 30000))::bigint END AS parent_seq
                  FROM bench.st0 s""");
        h.execute("DROP TABLE bench.st0");
        h.execute("ALTER TABLE bench.st1 ADD PRIMARY KEY (seq)");
        h.execute("ANALYZE bench.st1");
        h.createUpdate("""
                        CREATE UNLOGGED TABLE bench.st AS
                        SELECT y.*,
                               CASE WHEN kind = 'boost' THEN NULL
                                    WHEN kind = 'reply' AND parent_account_id <> account_id THEN parent_account_id
                                    WHEN visibility = 'direct' OR u_mention < 0.05 THEN random_account END AS mention_id,
                               CASE WHEN kind <> 'boost' AND u_tag < 0.12 THEN floor(200 * power(u_tag / 0.12, 3))::int END AS tag
                          FROM (SELECT x.*,
                                       CASE WHEN kind = 'boost' THEN 'public' ELSE vis0 END AS visibility,
                                       CASE WHEN kind <> 'original' THEN parent_id0 END AS parent_id,
                                       CASE WHEN kind <> 'original' THEN parent_account_id0 END AS parent_account_id,
                                       CASE WHEN kind = 'reply' THEN parent_id0 ELSE id END AS conversation_id
                                  FROM (SELECT s.seq, s.id, s.account_id, s.created_at, s.vis0, s.u_lang, s.u_text, s.u_len, s.u_tag,
                                               s.u_mention, p.id AS parent_id0, p.account_id AS parent_account_id0, ma.id AS random_account,
                                               CASE
                                                 WHEN s.kind0 = 'boost' AND p.kind0 <> 'boost' AND p.vis0 = 'public' AND p.account_id <> s.account_id THEN 'boost'
                                                 WHEN s.kind0 = 'reply' AND p.kind0 <> 'boost' AND p.vis0 IN ('public', 'unlisted') THEN 'reply'
                                                 ELSE 'original' END AS kind
                                          FROM bench.st1 s
                                          LEFT JOIN bench.st1 p ON p.seq = s.parent_seq
                                          LEFT JOIN bench.accounts ma ON ma.n = 1 + floor(s.u_mention * 1000003)::int % :n) x) y""")
                .bind("n", shape.accounts()).execute();
        h.execute("DROP TABLE bench.st1");
        h.execute("ALTER TABLE bench.st ADD PRIMARY KEY (seq)");
        h.execute("CREATE UNIQUE INDEX ON bench.st (id)");
        h.execute("UPDATE bench.st SET mention_id = NULL WHERE mention_id = account_id");
        // Threads: a reply's conversation is its thread's root, found by pointer jumping (log depth rounds).
        for (int round = 0; round < 30; round++) {
            int changed = h.createUpdate("""
                            UPDATE bench.st s SET conversation_id = p.conversation_id FROM bench.st p
                             WHERE s.kind = 'reply' AND p.id = s.conversation_id AND p.conversation_id <> p.id""").execute();
            if (changed == 0) {
                break;
            }
        }
        h.execute("CREATE INDEX ON bench.st (account_id, id)");
        h.execute("VACUUM ANALYZE bench.st");
    }

    /** Words for status text: plain letters and spaces, so the HTML needs no escaping. */
    private static final String WORDS = String.join(" ", java.util.Collections.nCopies(40,
            "the quick brown fox jumps over the lazy dog while a caravan crosses the desert at dawn and every camel "
                    + "carries spices silk and stories from distant towns where people gather to share news music and bread "
                    + "some days the wind brings sand other days rain falls softly on the tents and children laugh"));

    private void statuses(Handle h) {
        h.createUpdate("""
                        INSERT INTO statuses (id, account_id, text, content, spoiler_text, sensitive, visibility, language,
                                              in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id, created_at)
                        SELECT s.id, s.account_id,
                               CASE WHEN s.kind = 'boost' THEN '' ELSE
                                 coalesce('@' || m.username || ' ', '') || b.body || coalesce(' #tag' || s.tag, '') END,
                               CASE WHEN s.kind = 'boost' THEN '' ELSE
                                 '<p>' || coalesce('<span class="h-card" translate="no"><a href="' || :base || '/@' || m.username
                                   || '" class="u-url mention">@<span>' || m.username || '</span></a></span> ', '')
                                 || b.body
                                 || coalesce(' <a href="' || :base || '/tags/tag' || s.tag || '" class="mention hashtag" rel="tag">#<span>tag'
                                   || s.tag || '</span></a>', '') || '</p>' END,
                               CASE WHEN s.kind <> 'boost' AND s.u_lang < 0.03 THEN 'spoilers ahead' ELSE '' END,
                               s.kind <> 'boost' AND s.u_lang < 0.03,
                               s.visibility,
                               CASE WHEN s.kind = 'boost' THEN NULL WHEN s.u_lang < 0.80 THEN 'en' WHEN s.u_lang < 0.90 THEN 'de'
                                    WHEN s.u_lang < 0.95 THEN 'fr' END,
                               CASE WHEN s.kind = 'reply' THEN s.parent_id END,
                               CASE WHEN s.kind = 'reply' THEN s.parent_account_id END,
                               CASE WHEN s.kind = 'boost' THEN s.parent_id END,
                               CASE WHEN s.kind = 'boost' THEN NULL ELSE s.conversation_id END,
                               s.created_at
                          FROM bench.st s
                          LEFT JOIN accounts m ON m.id = s.mention_id
                          CROSS JOIN LATERAL (SELECT trim(substr(:words, 1 + floor(s.u_text * (length(:words) - 400))::int,
                                                                 30 + floor(s.u_len * s.u_len * 330)::int)) AS body) b
                         ORDER BY s.seq""")
                .bind("base", "https://" + TimelineBench.LOCAL_DOMAIN).bind("words", WORDS).execute();
    }

    private void mentionsAndTags(Handle h) {
        h.execute("INSERT INTO mentions (status_id, account_id) SELECT id, mention_id FROM bench.st WHERE mention_id IS NOT NULL");
        h.execute("INSERT INTO tags (name) SELECT 'tag' || g FROM generate_series(0, 199) g");
        h.execute("""
                INSERT INTO statuses_tags (status_id, tag_id)
                SELECT s.id, t.id FROM bench.st s JOIN tags t ON t.name = 'tag' || s.tag WHERE s.tag IS NOT NULL""");
    }

    /**
     * Favourites on non-boost statuses, skewed to the recent ones (most favourites come in the first
     * day) by random accounts; bookmarks, blocks and mutes in small numbers, as real instances have.
     */
    private void favourites(Handle h) {
        h.createUpdate("""
                        INSERT INTO favourites (account_id, status_id, created_at)
                        SELECT DISTINCT ON (a.id, s.id) a.id, s.id, s.created_at + interval '1 hour'
                          FROM (SELECT 1 + floor(random() * :n)::int AS an,
                                       greatest(1, :total - floor(:total * power(random(), 2))::bigint) AS sseq
                                  FROM generate_series(1, :favs)) d
                          JOIN bench.accounts a ON a.n = d.an
                          JOIN bench.st s ON s.seq = d.sseq AND s.kind <> 'boost' AND s.visibility IN ('public', 'unlisted')
                        ON CONFLICT DO NOTHING""")
                .bind("n", shape.accounts()).bind("total", (long) shape.statuses()).bind("favs", shape.favourites()).execute();
        h.createUpdate("""
                        INSERT INTO bookmarks (account_id, status_id)
                        SELECT a.id, s.id
                          FROM (SELECT 1 + floor(random() * :n)::int AS an, 1 + floor(random() * :total)::bigint AS sseq
                                  FROM generate_series(1, :count)) d
                          JOIN bench.accounts a ON a.n = d.an
                          JOIN bench.st s ON s.seq = d.sseq AND s.kind <> 'boost' AND s.visibility IN ('public', 'unlisted')
                        ON CONFLICT DO NOTHING""")
                .bind("n", shape.accounts()).bind("total", (long) shape.statuses()).bind("count", shape.favourites() / 20).execute();
        for (String table : new String[] {"blocks", "mutes"}) {
            h.createUpdate("INSERT INTO " + table + """
                             (account_id, target_account_id)
                            SELECT a.id, t.id
                              FROM (SELECT 1 + floor(random() * :n)::int AS an, 1 + floor(random() * :n)::int AS tn
                                      FROM generate_series(1, :count)) d
                              JOIN bench.accounts a ON a.n = d.an
                              JOIN bench.accounts t ON t.n = d.tn
                             WHERE a.id <> t.id
                            ON CONFLICT DO NOTHING""")
                    .bind("n", shape.accounts()).bind("count", shape.accounts() / 2).execute();
        }
    }

    private void stats(Handle h) {
        h.execute("""
                INSERT INTO status_stats (status_id, replies_count, reblogs_count, favourites_count)
                SELECT s.id, coalesce(r.n, 0), coalesce(b.n, 0), coalesce(f.n, 0)
                  FROM bench.st s
                  LEFT JOIN (SELECT parent_id, count(*) AS n FROM bench.st WHERE kind = 'reply' GROUP BY parent_id) r ON r.parent_id = s.id
                  LEFT JOIN (SELECT parent_id, count(*) AS n FROM bench.st WHERE kind = 'boost' GROUP BY parent_id) b ON b.parent_id = s.id
                  LEFT JOIN (SELECT status_id, count(*) AS n FROM favourites GROUP BY status_id) f ON f.status_id = s.id""");
        h.execute("""
                INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count, last_status_at)
                SELECT a.id, coalesce(p.n, 0), coalesce(fr.n, 0), coalesce(fg.n, 0), p.last
                  FROM bench.accounts a
                  LEFT JOIN (SELECT account_id, count(*) AS n, max(created_at) AS last FROM bench.st GROUP BY account_id) p ON p.account_id = a.id
                  LEFT JOIN (SELECT target_account_id, count(*) AS n FROM follows GROUP BY target_account_id) fr ON fr.target_account_id = a.id
                  LEFT JOIN (SELECT account_id, count(*) AS n FROM follows GROUP BY account_id) fg ON fg.account_id = a.id""");
    }

    /**
     * The home feeds fan-out would have left: for every account (all are active: every one of them
     * follows the fan-out account, whose followers must all be active), its own statuses and its
     * follows' that pass Mastodon's feed rules (direct only to the mentioned; replies only to the
     * replied-to's followers; boosts not where reblogs are hidden nor of one's own post; nothing by or
     * boosting a blocked or muted account; one entry per status and its boosts, the first), newest
     * {@code feedSize} kept. First over the last two days (about 400 entries for an average reader),
     * then over all 30 days for the readers who follow too few to fill their feed that way.
     */
    private void feeds(Handle h) {
        String select = """
                SELECT viewer, id, reblog_of_id FROM (
                  SELECT c.*, row_number() OVER (PARTITION BY viewer ORDER BY id DESC) AS newest FROM (
                    SELECT c.*, row_number() OVER (PARTITION BY viewer, shown ORDER BY id) AS nth FROM (
                      SELECT src.viewer, s.id, CASE WHEN s.kind = 'boost' THEN s.parent_id END AS reblog_of_id,
                             CASE WHEN s.kind = 'boost' THEN s.parent_id ELSE s.id END AS shown
                        FROM (SELECT id AS viewer, id AS author, true AS show_reblogs FROM bench.accounts WHERE %1$s
                              UNION ALL
                              SELECT f.account_id, f.target_account_id, f.show_reblogs FROM follows f
                               WHERE f.account_id IN (SELECT id FROM bench.accounts WHERE %1$s)) src
                        JOIN bench.st s ON s.account_id = src.author AND s.id > :since
                       WHERE s.account_id = src.viewer OR (
                                 (s.visibility <> 'direct' OR s.mention_id = src.viewer)
                             AND (s.kind <> 'reply' OR s.parent_account_id IN (s.account_id, src.viewer)
                                  OR EXISTS (SELECT 1 FROM follows rf WHERE rf.account_id = src.viewer AND rf.target_account_id = s.parent_account_id))
                             AND (s.kind <> 'boost' OR (src.show_reblogs AND s.parent_account_id <> src.viewer))
                             AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = src.viewer
                                                AND b.target_account_id IN (s.account_id, coalesce(s.parent_account_id, s.account_id)))
                             AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = src.viewer
                                                AND m.target_account_id IN (s.account_id, coalesce(s.parent_account_id, s.account_id))))
                    ) c
                  ) c WHERE nth = 1
                ) c WHERE newest <= :size""";
        long twoDaysAgo = (System.currentTimeMillis() - 2L * 24 * 3600 * 1000) << 16;
        h.createUpdate("INSERT INTO home_feed_entries (account_id, entry_id, reblog_of_id) "
                        + String.format(select, "true"))
                .bind("since", twoDaysAgo).bind("size", shape.feedSize()).execute();
        h.execute("""
                CREATE TEMP TABLE short_feeds AS
                SELECT a.id FROM bench.accounts a LEFT JOIN home_feed_entries e ON e.account_id = a.id
                 GROUP BY a.id HAVING count(e.entry_id) < :size""".replace(":size", Integer.toString(shape.feedSize())));
        h.execute("DELETE FROM home_feed_entries e USING short_feeds s WHERE e.account_id = s.id");
        h.createUpdate("INSERT INTO home_feed_entries (account_id, entry_id, reblog_of_id) "
                        + String.format(select, "id IN (SELECT id FROM short_feeds)"))
                .bind("since", 0L).bind("size", shape.feedSize()).execute();
        h.execute("""
                INSERT INTO home_feeds (account_id, active_at, rebuilding, entries)
                SELECT a.id, now() - random() * interval '5 days', false, (SELECT count(*) FROM home_feed_entries e WHERE e.account_id = a.id)
                  FROM bench.accounts a""");
        h.execute("DROP TABLE short_feeds");
    }

    /** One RSA key pair shared by every generated account (2048-bit keys for 10,000 accounts take minutes), and one password hash. */
    record Keys(String publicPem, String privatePem, String passwordHash) {
        static Keys make() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                byte[] salt = new byte[16];
                new SecureRandom().nextBytes(salt);
                byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(new PBEKeySpec("bench-password".toCharArray(), salt, 210_000, 256)).getEncoded();
                return new Keys(pem("PUBLIC KEY", pair.getPublic().getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
                        "pbkdf2-sha256$210000$" + Base64.getEncoder().encodeToString(salt) + "$"
                                + Base64.getEncoder().encodeToString(hash));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String pem(String type, byte[] der) {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
            return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        }
    }
}
