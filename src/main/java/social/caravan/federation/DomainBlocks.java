package social.caravan.federation;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The operator's blocks of other servers ({@code caravan domains block|unblock|list}) and the checks
 * federation makes before it stores or fetches anything. A block on {@code example.com} covers
 * {@code a.example.com}; the most specific block wins, as on Mastodon. Domains are compared without
 * their port and in ASCII (punycode) form.
 */
public final class DomainBlocks {
    private final Jdbi jdbi;
    private final DomainBlockStore store = new DomainBlockStore();

    public DomainBlocks(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Adds or changes the block of {@code domain}; answers the normalized domain. */
    public String block(String domain, DomainBlock.Severity severity, boolean rejectMedia) {
        String normalized = normalize(domain);
        jdbi.useHandle(h -> store.upsert(h, normalized, severity, rejectMedia));
        return normalized;
    }

    /** Whether there was a block to lift. */
    public boolean unblock(String domain) {
        String normalized = normalize(domain);
        return jdbi.withHandle(h -> store.delete(h, normalized));
    }

    public List<DomainBlock> list() {
        return jdbi.withHandle(store::list);
    }

    /** The block that applies to a host (or a {@code host:port} account domain), if any. */
    public Optional<DomainBlock> blockFor(String domain) {
        if (domain == null || domain.isBlank()) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>();
        String host = normalize(domain);
        for (String d = host; d != null; d = parent(d)) {
            candidates.add(d);
        }
        return jdbi.withHandle(h -> store.mostSpecific(h, candidates));
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
