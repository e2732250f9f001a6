package social.caravan.reports;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import social.caravan.core.cli.Session;

/** {@code caravan reports}: the reports users filed, for the operator who moderates. */
@Command(name = "reports", description = "Look at the reports users have filed.")
public final class ReportsCommand {
    private final Session<ReportService> session;

    @Spec
    CommandSpec spec;

    public ReportsCommand(Session<ReportService> session) {
        this.session = session;
    }

    @Command(name = "list", description = "List reports, newest first.")
    int list(@Option(names = "--limit", defaultValue = "50", description = "How many (default 50).") int limit) {
        return session.run(reports -> {
            PrintWriter out = spec.commandLine().getOut();
            List<ReportService.Listed> newest = reports.newest(Math.max(1, limit));
            if (newest.isEmpty()) {
                out.println("No reports.");
            }
            for (ReportService.Listed listed : newest) {
                Report r = listed.report();
                out.printf("#%d  %s  @%s reported @%s  %s%s%n", r.id(), r.createdAt(), listed.reporter(), listed.target(),
                        r.category(), r.forwarded() ? "  forwarded" : "");
                if (!r.statusIds().isEmpty()) {
                    out.println("    statuses: " + r.statusIds().stream().map(String::valueOf).collect(Collectors.joining(", ")));
                }
                if (r.ruleIds() != null) {
                    out.println("    rules: " + r.ruleIds().stream().map(String::valueOf).collect(Collectors.joining(", ")));
                }
                if (!r.comment().isBlank()) {
                    out.println("    comment: " + r.comment().replaceAll("\\s+", " ").strip());
                }
            }
            out.flush();
            return 0;
        });
    }
}
