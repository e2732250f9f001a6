package social.caravan.federation;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import social.caravan.core.cli.Session;

/** {@code caravan domains}: the operator's blocks of other servers. */
@Command(name = "domains", description = "Block, unblock and list other servers.")
public final class DomainsCommand {
    private final Session<DomainBlocks> session;

    @Spec
    CommandSpec spec;

    public DomainsCommand(Session<DomainBlocks> session) {
        this.session = session;
    }

    @Command(name = "block", description = "Block a domain and its subdomains (or change its block).")
    int block(@Parameters(paramLabel = "DOMAIN") String domain,
              @Option(names = "--severity", defaultValue = "suspend",
                      description = "suspend (default), silence or noop.") String severity,
              @Option(names = "--reject-media", description = "Also refuse its media.") boolean rejectMedia) {
        DomainBlock.Severity parsed;
        String normalized;
        try {
            parsed = DomainBlock.Severity.parse(severity);
            normalized = DomainBlocks.normalize(domain);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("caravan: " + e.getMessage());
            return 2;
        }
        return session.run(blocks -> {
            DomainBlocks.Blocked blocked = blocks.block(normalized, parsed, rejectMedia);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Blocked %s (%s%s)%n", normalized, parsed.key(), rejectMedia ? ", reject media" : "");
            if (blocked.purgeQueued()) {
                out.printf("Queued the purge of what accounts of %s and its subdomains stored (job %s)%n", normalized,
                        DomainPurge.JOB);
            }
            out.flush();
            return 0;
        });
    }

    @Command(name = "unblock", description = "Lift a domain's block.")
    int unblock(@Parameters(paramLabel = "DOMAIN") String domain) {
        String normalized;
        try {
            normalized = DomainBlocks.normalize(domain);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("caravan: " + e.getMessage());
            return 2;
        }
        return session.run(blocks -> {
            if (!blocks.unblock(normalized)) {
                spec.commandLine().getErr().println("caravan: " + normalized + " is not blocked");
                return 1;
            }
            spec.commandLine().getOut().println("Unblocked " + normalized);
            spec.commandLine().getOut().flush();
            return 0;
        });
    }

    @Command(name = "list", description = "List blocked domains.")
    int list() {
        return session.run(blocks -> {
            PrintWriter out = spec.commandLine().getOut();
            List<DomainBlock> all = blocks.list();
            if (all.isEmpty()) {
                out.println("No blocked domains.");
            }
            for (DomainBlock b : all) {
                out.printf("%s  %s%s  since %s%n", b.domain(), b.severity().key(), b.rejectMedia() ? "  reject-media" : "",
                        b.createdAt());
            }
            out.flush();
            return 0;
        });
    }
}
