package social.caravan.announcements;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import social.caravan.core.cli.Session;

/** {@code caravan announcements}: what every user sees at the top of their app. */
@Command(name = "announcements", description = "Manage the announcements every user sees.")
public final class AnnouncementsCommand {
    private final Session<AnnouncementService> session;

    @Spec
    CommandSpec spec;

    public AnnouncementsCommand(Session<AnnouncementService> session) {
        this.session = session;
    }

    @Command(name = "add", description = "Publish an announcement now (links, @mentions and #hashtags become links).")
    int add(@Parameters(paramLabel = "TEXT", description = "The announcement") String text,
            @Option(names = "--starts-at", description = "When the event starts: 2026-05-01T18:00:00Z, or a date.") String startsAt,
            @Option(names = "--ends-at", description = "When it ends (needed with --starts-at).") String endsAt,
            @Option(names = "--all-day", description = "The event takes whole days: apps show dates only.") boolean allDay) {
        Instant starts = time(startsAt, "--starts-at");
        Instant ends = time(endsAt, "--ends-at");
        return session.run(announcements -> {
            long id = announcements.add(text, starts, ends, allDay);
            out().println("Published announcement " + id);
            out().flush();
            return 0;
        });
    }

    @Command(name = "list", description = "List announcements, ended ones too.")
    int list() {
        return session.run(announcements -> {
            PrintWriter out = out();
            List<Announcement> all = announcements.all();
            if (all.isEmpty()) {
                out.println("No announcements.");
            }
            Instant now = Instant.now();
            for (Announcement a : all) {
                String when = a.startsAt() == null ? "" : "  " + a.startsAt() + " to " + a.endsAt() + (a.allDay() ? " (all day)" : "");
                String ended = a.endsAt() != null && !a.endsAt().isAfter(now) ? "  ended" : "";
                out.println(a.id() + "\t" + a.publishedAt() + when + ended + "\t" + a.text().replaceAll("\\s+", " "));
            }
            out.flush();
            return 0;
        });
    }

    @Command(name = "remove", description = "Remove an announcement by id.")
    int remove(@Parameters(paramLabel = "ID", description = "Announcement id") long id) {
        return session.run(announcements -> {
            announcements.remove(id);
            out().println("Removed announcement " + id);
            out().flush();
            return 0;
        });
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** An ISO 8601 time, or a date (its start, UTC); a usage error otherwise. */
    private Instant time(String text, String option) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notATime) {
            try {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        option + " must be a time such as 2026-05-01T18:00:00Z, or a date such as 2026-05-01");
            }
        }
    }
}
