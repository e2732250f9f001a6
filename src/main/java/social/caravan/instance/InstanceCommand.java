package social.caravan.instance;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import social.caravan.core.cli.Session;

/**
 * {@code caravan instance}: the server's extended description, privacy policy and terms of
 * service, each a Markdown file an operator writes (Mastodon's admin settings for them).
 */
@Command(name = "instance", description = "Set the server's extended description, privacy policy and terms of service.")
public final class InstanceCommand {
    private final Session<InstanceService> session;

    @Spec
    CommandSpec spec;

    public InstanceCommand(Session<InstanceService> session) {
        this.session = session;
    }

    @Command(name = "set", description = "Set texts from Markdown files; %%{domain} in the policy and terms becomes the server's domain.")
    int set(@Option(names = "--extended-description", paramLabel = "FILE") Path extendedDescription,
            @Option(names = "--privacy-policy", paramLabel = "FILE") Path privacyPolicy,
            @Option(names = "--terms-of-service", paramLabel = "FILE") Path terms,
            @Option(names = "--effective-date", paramLabel = "DATE",
                    description = "When these terms take effect, e.g. 2026-05-01 (default: today).") String effectiveDate) {
        if (extendedDescription == null && privacyPolicy == null && terms == null) {
            throw usage("Give --extended-description, --privacy-policy or --terms-of-service");
        }
        if (effectiveDate != null && terms == null) {
            throw usage("--effective-date goes with --terms-of-service");
        }
        LocalDate effective = effectiveDate == null ? null : date(effectiveDate, "--effective-date");
        String description = read(extendedDescription);
        String policy = read(privacyPolicy);
        String termsText = read(terms);
        return session.run(instance -> {
            PrintWriter out = out();
            if (description != null) {
                instance.setText(InstanceService.EXTENDED_DESCRIPTION, description);
                out.println("Set the extended description");
            }
            if (policy != null) {
                instance.setText(InstanceService.PRIVACY_POLICY, policy);
                out.println("Set the privacy policy");
            }
            if (termsText != null) {
                LocalDate date = effective == null ? instance.today() : effective;
                instance.setTerms(date, termsText);
                out.println("Set the terms of service effective " + date);
            }
            out.flush();
            return 0;
        });
    }

    @Command(name = "remove", description = "Remove a text, or the terms of service that take effect on DATE.")
    int remove(@Option(names = "--extended-description") boolean extendedDescription,
               @Option(names = "--privacy-policy") boolean privacyPolicy,
               @Option(names = "--terms-of-service", paramLabel = "DATE") String terms) {
        if (!extendedDescription && !privacyPolicy && terms == null) {
            throw usage("Give --extended-description, --privacy-policy or --terms-of-service DATE");
        }
        LocalDate date = terms == null ? null : date(terms, "--terms-of-service");
        return session.run(instance -> {
            PrintWriter out = out();
            if (extendedDescription) {
                instance.removeText(InstanceService.EXTENDED_DESCRIPTION);
                out.println("Removed the extended description");
            }
            if (privacyPolicy) {
                instance.removeText(InstanceService.PRIVACY_POLICY);
                out.println("Removed the privacy policy");
            }
            if (date != null) {
                instance.removeTerms(date);
                out.println("Removed the terms of service effective " + date);
            }
            out.flush();
            return 0;
        });
    }

    @Command(name = "show", description = "Say which texts are set, and when.")
    int show() {
        return session.run(instance -> {
            PrintWriter out = out();
            out.println("extended description\t" + instance.text(InstanceService.EXTENDED_DESCRIPTION)
                    .map(t -> "set " + t.updatedAt()).orElse("not set"));
            out.println("privacy policy\t" + instance.text(InstanceService.PRIVACY_POLICY)
                    .map(t -> "set " + t.updatedAt()).orElse("not set"));
            for (Terms t : instance.terms()) {
                out.println("terms of service\teffective " + t.effectiveDate());
            }
            out.flush();
            return 0;
        });
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private String read(Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("Cannot read " + file + ": " + e.getMessage());
        }
    }

    private LocalDate date(String text, String option) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw usage(option + " must be a date such as 2026-05-01");
        }
    }
}
