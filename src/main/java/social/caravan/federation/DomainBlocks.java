package social.caravan.federation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.IDN;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.cache.RowCache;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;

/**
 * The operator's blocks of other servers ({@code caravan domains block|unblock|list}) and the checks
 * federation makes before it stores or fetches anything. A block on {@code example.com} covers
 * {@code a.example.com}; the most specific block wins, as on Mastodon. Domains are compared without
 * their port and in ASCII (punycode) form. A block made or raised to a suspension also queues the purge
 * of what the domain's accounts stored ({@link DomainPurge}).
 */
public final class DomainBlocks {
    /** Cache kind of the list of blocks, as migration V015's trigger names it (one entry, id 0). */
    static final char KIND = 'd';
    /** Hosts as normalized, asked for on every inbound activity: IDN and the checks cost more than the look-up. */
    private static final Cache<String, String> NORMALIZED = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Jdbi jdbi;
    private final DomainBlockStore store = new DomainBlockStore();
    private final PurgeStore purges = new PurgeStore();
    private final Invalidations invalidations;
    private final JobQueue queue;
    /**
     * Every block, read once and kept while nothing changes: each inbound activity and each delivery
     * asks, so a query each time would cost more than the check is worth.
     */
    private final RowCache<Map<String, DomainBlock>> all;

    public DomainBlocks(Jdbi jdbi, Invalidations invalidations, JobQueue queue) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.queue = queue;
        this.all = new RowCache<>(invalidations, KIND, 1, Duration.ofMinutes(5));
    }

    /** A block as made: the normalized domain, and whether the purge of its accounts' content was queued. */
    public record Blocked(String domain, boolean purgeQueued) {}

    /**
     * Adds or changes the block of {@code domain}. A block that suspends where it did not before records a
     * severance event (Mastodon's {@code domain_block} event) and queues the purge of the domain's
     * accounts under it, in the same transaction.
     */
    public Blocked block(String domain, DomainBlock.Severity severity, boolean rejectMedia) {
        String normalized = normalize(domain);
        boolean queued = jdbi.inTransaction(h -> {
            boolean suspendedBefore = store.severityForUpdate(h, normalized).orElse(null) == DomainBlock.Severity.SUSPEND;
            store.upsert(h, normalized, severity, rejectMedia);
            invalidations.changedOnCommit(h, KIND, 0);
            if (severity != DomainBlock.Severity.SUSPEND || suspendedBefore) {
                return false;
            }
            long event = purges.insertDomainEvent(h, normalized);
            return queue.enqueue(h, Queues.DEFAULT, DomainPurge.JOB, new DomainPurge.Job(normalized, event), null,
                    "purge-domain:" + event);
        });
        return new Blocked(normalized, queued);
    }

    /** Whether there was a block to lift. */
    public boolean unblock(String domain) {
        String normalized = normalize(domain);
        return jdbi.inTransaction(h -> {
            invalidations.changedOnCommit(h, KIND, 0);
            return store.delete(h, normalized);
        });
    }

    public List<DomainBlock> list() {
        return jdbi.withHandle(store::list);
    }

    /** The block that applies to a host (or a {@code host:port} account domain), if any. */
    public Optional<DomainBlock> blockFor(String domain) {
        if (domain == null || domain.isBlank()) {
            return Optional.empty();
        }
        Map<String, DomainBlock> blocks = blocks();
        for (String d = normalize(domain); d != null; d = parent(d)) {
            DomainBlock block = blocks.get(d);
            if (block != null) {
                return Optional.of(block);
            }
        }
        return Optional.empty();
    }

    private Map<String, DomainBlock> blocks() {
        Map<String, DomainBlock> cached = all.get(0);
        if (cached != null) {
            return cached;
        }
        long seen = invalidations.epoch();
        Map<String, DomainBlock> read = new HashMap<>();
        list().forEach(b -> read.put(b.domain(), b));
        all.put(0, read, seen);
        return read;
    }

    /** Suspended: nothing is fetched from it, stored from it or delivered to it. */
    public boolean isSuspended(String domain) {
        return blockFor(domain).map(b -> b.severity() == DomainBlock.Severity.SUSPEND).orElse(false);
    }

    /** Silenced: its accounts are kept out of public timelines and reach only their followers. */
    public boolean isSilenced(String domain) {
        return blockFor(domain).map(b -> b.severity() == DomainBlock.Severity.SILENCE).orElse(false);
    }

    /** Its media is not cached or shown (a suspension implies it). */
    public boolean rejectsMedia(String domain) {
        return blockFor(domain).map(b -> b.rejectMedia() || b.severity() == DomainBlock.Severity.SUSPEND).orElse(false);
    }

    /**
     * Lower case, ASCII, no port, no trailing dot.
     *
     * @throws IllegalArgumentException when it is not a domain name
     */
    public static String normalize(String domain) {
        String known = NORMALIZED.getIfPresent(domain);
        if (known != null) {
            return known;
        }
        String normalized = normalizeNow(domain);
        NORMALIZED.put(domain, normalized);
        return normalized;
    }

    private static String normalizeNow(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (d.startsWith("[")) {
            throw new IllegalArgumentException("not a domain: " + domain);
        }
        d = d.replaceFirst(":\\d+$", "").replaceFirst("\\.$", "");
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a domain: " + domain);
        }
        if (d.isEmpty() || !d.matches("[a-z0-9.\\-]+")) {
            throw new IllegalArgumentException("not a domain: " + domain);
        }
        return d;
    }

    private static String parent(String domain) {
        int dot = domain.indexOf('.');
        return dot < 0 || dot == domain.length() - 1 ? null : domain.substring(dot + 1);
    }
}
