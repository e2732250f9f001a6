package social.caravan.instance;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.http.ApiException;

/**
 * The server's rules, extended description, privacy policy and terms of service, kept in the
 * database and managed by operators from the command line; and its weekly activity.
 */
public final class InstanceService {
    public static final String EXTENDED_DESCRIPTION = "extended_description";
    public static final String PRIVACY_POLICY = "privacy_policy";
    /** Mastodon's activity covers twelve weeks. */
    static final int ACTIVITY_WEEKS = 12;

    private final Jdbi jdbi;
    private final Clock clock;
    private final InstanceStore store = new InstanceStore();

    public InstanceService(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public List<Rule> rules() {
        return jdbi.withHandle(store::rules);
    }

    public long addRule(String text, String hint) {
        if (text == null || text.isBlank()) {
            throw ApiException.unprocessable("A rule needs a text");
        }
        return jdbi.withHandle(h -> store.addRule(h, text.strip(), hint == null ? "" : hint.strip()));
    }

    public void removeRule(long id) {
        if (!jdbi.withHandle(h -> store.removeRule(h, id))) {
            throw ApiException.notFound();
        }
    }

    /** The extended description or the privacy policy ({@link #EXTENDED_DESCRIPTION}, {@link #PRIVACY_POLICY}). */
    public Optional<InstanceText> text(String name) {
        return jdbi.withHandle(h -> store.text(h, name));
    }

    public void setText(String name, String markdown) {
        if (markdown == null || markdown.isBlank()) {
            throw ApiException.unprocessable("The text is empty");
        }
        jdbi.useHandle(h -> store.setText(h, name, markdown));
    }

    public void removeText(String name) {
        if (!jdbi.withHandle(h -> store.removeText(h, name))) {
            throw ApiException.notFound();
        }
    }

    /** Every version of the terms of service, the latest effective date first. */
    public List<Terms> terms() {
        return jdbi.withHandle(store::terms);
    }

    public void setTerms(LocalDate effective, String markdown) {
        if (markdown == null || markdown.isBlank()) {
            throw ApiException.unprocessable("The text is empty");
        }
        jdbi.useHandle(h -> store.setTerms(h, effective, markdown));
    }

    public void removeTerms(LocalDate effective) {
        if (!jdbi.withHandle(h -> store.removeTerms(h, effective))) {
            throw ApiException.notFound();
        }
    }

    LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    /** One of Mastodon's activity weeks: its start (now, less whole weeks) and what it counts. */
    record Week(Instant start, long statuses, long logins, long registrations) {}

    /**
     * Twelve weeks, newest first, as Mastodon's {@code /api/v1/instance/activity} computes them:
     * week {@code i} starts {@code i} weeks ago and sums the UTC days from then on for seven days,
     * so the newest week holds today alone.
     */
    List<Week> activity() {
        Instant now = clock.instant();
        LocalDate today = today();
        Instant since = today.minusDays(7L * (ACTIVITY_WEEKS - 1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        InstanceStore.WeekCounts counts = jdbi.withHandle(h -> store.activity(h, today, since));
        List<Week> weeks = new ArrayList<>();
        for (int i = 0; i < ACTIVITY_WEEKS; i++) {
            weeks.add(new Week(now.minusSeconds(7L * 24 * 3600 * i), counts.statuses().getOrDefault(i, 0L),
                    counts.logins().getOrDefault(i, 0L), counts.registrations().getOrDefault(i, 0L)));
        }
        return weeks;
    }
}
