package social.caravan;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.Role;
import social.caravan.announcements.AnnouncementsCommand;
import social.caravan.core.config.Config;
import social.caravan.core.config.ConfigException;
import social.caravan.core.config.EnvFile;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Scopes;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.core.queue.Worker;
import social.caravan.instance.InstanceCommand;
import social.caravan.instance.Rule;
import social.caravan.federation.DomainsCommand;
import social.caravan.reports.ReportsCommand;

/** The command line: one jar, every role and every operator chore. */
@Command(name = "caravan", mixinStandardHelpOptions = true, version = Version.CARAVAN,
        description = "A federated social server that speaks the Mastodon API and ActivityPub.",
        subcommands = {Caravan.Serve.class, Caravan.WorkerCommand.class, Caravan.Migrate.class, Caravan.Accounts.class,
                Caravan.Tokens.class, Caravan.Rules.class, Caravan.QueuesCommand.class})
public final class Caravan {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Caravan());
        cli.addSubcommand(new ReportsCommand(chore -> withApp(app -> chore.applyAsInt(app.reports()))));
        cli.addSubcommand(new AnnouncementsCommand(chore -> withApp(app -> chore.applyAsInt(app.announcements()))));
        cli.addSubcommand(new InstanceCommand(chore -> withApp(app -> chore.applyAsInt(app.instance()))));
        cli.addSubcommand(new DomainsCommand(chore -> withApp(app -> chore.applyAsInt(app.domainBlocks()))));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                System.err.println("caravan: configuration error: " + e.getMessage());
                return 2;
            }
            if (e instanceof ApiException api) {
                System.err.println("caravan: " + api.getMessage() + (api.description() == null ? "" : ": " + api.description()));
                return 1;
            }
            System.err.println("caravan: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    /** Opens the App for one operator chore and closes it after. */
    static int withApp(java.util.function.ToIntFunction<App> chore) {
        try (App app = open(config())) {
            return chore.applyAsInt(app);
        }
    }

    static Config config() {
        return Config.from(EnvFile.environment(Path.of(".env")));
    }

    @Command(name = "serve", description = "Run the server: all roles in one process unless --roles says otherwise.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--roles", split = ",", description = "Roles to run: web, streaming, worker (default: all).")
        List<String> roles = List.of("web", "streaming", "worker");

        @Override
        public Integer call() throws Exception {
            Set<App.ProcessRole> chosen = EnumSet.noneOf(App.ProcessRole.class);
            for (String role : roles) {
                try {
                    chosen.add(App.ProcessRole.valueOf(role.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "Unknown role '" + role + "': choose from web, streaming, worker");
                }
            }
            Config config = config();
            open(config).serve(chosen);
            runUntilStopped();
            return 0;
        }
    }

    /**
     * Opens the App and closes it on SIGTERM or SIGINT too, in its own order: workers finish or give
     * back their jobs before the embedded PostgreSQL stops.
     */
    static App open(Config config) {
        App app = App.open(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "caravan-shutdown"));
        return app;
    }

    /** Blocks until SIGTERM or SIGINT; the hook {@link #open} registered stops the App. */
    static void runUntilStopped() throws InterruptedException {
        new CountDownLatch(1).await();
    }

    @Command(name = "worker", description = "Run a queue worker: it needs only DATABASE_URL to join the cluster.")
    static final class WorkerCommand implements Callable<Integer> {
        @Option(names = "--queues", split = ",", description = "Queues to serve (default: all): "
                + "default, push, ingress, mailers, pull, scheduler.")
        List<String> queues = Queues.all();

        @Option(names = "--concurrency", description = "Jobs run at once (default: CARAVAN_WORKER_CONCURRENCY, 16).")
        Integer concurrency;

        @Override
        public Integer call() throws Exception {
            Config config = config();
            Worker.Settings settings;
            try {
                settings = new Worker.Settings(queues,
                        concurrency == null ? config.workerConcurrency() : concurrency, config.queueLeaseSeconds());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            open(config).serve(EnumSet.of(App.ProcessRole.WORKER), settings);
            runUntilStopped();
            return 0;
        }
    }

    @Command(name = "queues", description = "Look at the job queues and the dead set.",
            subcommands = {QueuesStats.class, QueuesDead.class, QueuesRetry.class, QueuesDiscard.class})
    static final class QueuesCommand {}

    @Command(name = "stats", description = "Jobs per queue, and delivery lanes with a backlog or failures.")
    static final class QueuesStats implements Callable<Integer> {
        @Override
        public Integer call() {
            try (App app = open(config())) {
                System.out.printf("%-10s %8s %10s %8s %6s %14s%n", "QUEUE", "READY", "SCHEDULED", "RUNNING", "DEAD",
                        "OLDEST READY");
                for (JobQueue.QueueStats q : app.queue().stats()) {
                    System.out.printf("%-10s %8d %10d %8d %6d %13.1fs%n", q.queue(), q.ready(), q.scheduled(),
                            q.running(), q.dead(), q.oldestReadySeconds());
                }
                List<DeliveryLanes.DestinationStats> lanes = app.lanes().stats();
                System.out.println();
                if (lanes.isEmpty()) {
                    System.out.println("No delivery lane has a backlog or failures.");
                }
                for (DeliveryLanes.DestinationStats d : lanes) {
                    System.out.printf("%-40s backlog %6d  failures %3d  %s%s%n", d.host(), d.backlog(), d.failures(),
                            d.failingSince() == null ? "healthy" : "failing since " + d.failingSince(),
                            d.unavailable() ? "  UNAVAILABLE" : "");
                }
            }
            return 0;
        }
    }

    @Command(name = "dead", description = "List dead jobs, newest first, with the reason each died.")
    static final class QueuesDead implements Callable<Integer> {
        @Option(names = "--limit", description = "How many (default 50).")
        int limit = 50;

        @Override
        public Integer call() {
            try (App app = open(config())) {
                for (JobQueue.DeadJob job : app.queue().dead(limit)) {
                    System.out.printf("%d\t%s\t%s\t%d attempts\t%s\t%s%n", job.id(), job.queue(), job.type(),
                            job.attempts(), job.deadAt(), job.reason());
                }
            }
            return 0;
        }
    }

    @Command(name = "retry", description = "Put dead jobs back in their queues, with fresh attempts.")
    static final class QueuesRetry implements Callable<Integer> {
        @Parameters(description = "Ids of dead jobs.")
        List<Long> ids = List.of();

        @Option(names = "--all", description = "Every dead job.")
        boolean all;

        @Override
        public Integer call() {
            long[] chosen = deadJobIds(this, ids, all);
            try (App app = open(config())) {
                int count = all ? app.queue().retryAllDead() : app.queue().retryDead(chosen);
                System.out.println("Retrying " + count + " job(s)");
            }
            return 0;
        }
    }

    @Command(name = "discard", description = "Delete dead jobs.")
    static final class QueuesDiscard implements Callable<Integer> {
        @Parameters(description = "Ids of dead jobs.")
        List<Long> ids = List.of();

        @Option(names = "--all", description = "Every dead job.")
        boolean all;

        @Override
        public Integer call() {
            long[] chosen = deadJobIds(this, ids, all);
            try (App app = open(config())) {
                int count = all ? app.queue().discardAllDead() : app.queue().discardDead(chosen);
                System.out.println("Discarded " + count + " job(s)");
            }
            return 0;
        }
    }

    /** Ids given, or none with --all; one or the other, so a bare command never touches every job. */
    static long[] deadJobIds(Object command, List<Long> ids, boolean all) {
        if (all == !ids.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(command), "Give dead job ids, or --all");
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    @Command(name = "migrate", description = "Bring the database schema up to date.")
    static final class Migrate implements Callable<Integer> {
        @Override
        public Integer call() {
            try (App ignored = open(config())) {
                System.out.println("The database schema is up to date.");
            }
            return 0;
        }
    }

    @Command(name = "accounts", description = "Manage local accounts.",
            subcommands = {AccountsCreate.class, AccountsModify.class, AccountsDelete.class, AccountsList.class})
    static final class Accounts {}

    @Command(name = "create", description = "Create a local account (usable at once: no approval needed).")
    static final class AccountsCreate implements Callable<Integer> {
        @Parameters(index = "0", description = "Username")
        String username;

        @Option(names = "--email", required = true)
        String email;

        @Option(names = "--password", description = "Password; a random one is made and printed when omitted.")
        String password;

        @Option(names = "--role", description = "user, moderator, admin or owner (default: user)")
        String role = "user";

        @Override
        public Integer call() {
            Role parsed = parseRole(role);
            String chosen = password == null ? randomPassword() : password;
            try (App app = open(config())) {
                long id = app.accounts().register(new AccountService.Registration(
                        username, email, chosen, parsed, "en", null, null, true));
                System.out.println("Created @" + username + " (id " + id + ", role " + parsed.key() + ")");
                if (password == null) {
                    System.out.println("Password: " + chosen);
                }
            }
            return 0;
        }
    }

    @Command(name = "modify", description = "Change a local account's e-mail, password, role or state.")
    static final class AccountsModify implements Callable<Integer> {
        @Parameters(index = "0", description = "Username")
        String username;

        @Option(names = "--email")
        String email;

        @Option(names = "--password")
        String password;

        @Option(names = "--role", description = "user, moderator, admin or owner")
        String role;

        @Option(names = "--approve", description = "Approve a pending sign-up.")
        boolean approve;

        @Option(names = "--disable", description = "Stop the account from signing in.")
        boolean disable;

        @Option(names = "--enable", description = "Let a disabled account sign in again.")
        boolean enable;

        @Override
        public Integer call() {
            if (disable && enable) {
                throw new CommandLine.ParameterException(new CommandLine(this), "Choose --disable or --enable, not both");
            }
            try (App app = open(config())) {
                app.accounts().modifyUser(username, new AccountService.UserChanges(email, password,
                        role == null ? null : parseRole(role), approve ? Boolean.TRUE : null,
                        disable ? Boolean.TRUE : enable ? Boolean.FALSE : null));
                System.out.println("Modified @" + username);
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a local account and everything it owns; its remote followers' servers are sent a Delete.")
    static final class AccountsDelete implements Callable<Integer> {
        @Parameters(index = "0", description = "Username")
        String username;

        @Override
        public Integer call() {
            try (App app = open(config())) {
                app.actorDeletion().delete(username);
                System.out.println("Deleted @" + username);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List local accounts.")
    static final class AccountsList implements Callable<Integer> {
        @Override
        public Integer call() {
            try (App app = open(config())) {
                System.out.printf("%-20s %-19s %-32s %-9s %s%n", "USERNAME", "ID", "EMAIL", "ROLE", "STATE");
                for (AccountService.LocalAccount row : app.accounts().listLocal()) {
                    Account a = row.account();
                    String state = row.user().disabled() ? "disabled" : row.user().approved() ? "active" : "pending";
                    System.out.printf("%-20s %-19d %-32s %-9s %s%n", a.username(), a.id(), row.user().email(),
                            row.user().role().key(), state);
                }
            }
            return 0;
        }
    }

    @Command(name = "tokens", description = "Issue API tokens.", subcommands = TokensCreate.class)
    static final class Tokens {}

    @Command(name = "create", description = "Create a bearer token for a local account and print it alone.")
    static final class TokensCreate implements Callable<Integer> {
        @Parameters(index = "0", description = "Username")
        String username;

        @Option(names = "--scopes", description = "Space-separated OAuth scopes (default: \"read\").")
        String scopes = "read";

        @Override
        public Integer call() {
            try (App app = open(config())) {
                Account account = app.accounts().findLocal(username)
                        .orElseThrow(() -> new ApiException(404, "No local account named " + username));
                System.out.println(app.auth().issueOperatorToken(account.id(), Scopes.parse(scopes)).accessToken());
            }
            return 0;
        }
    }

    @Command(name = "rules", description = "Manage the server rules shown at sign-up.",
            subcommands = {RulesAdd.class, RulesList.class, RulesRemove.class})
    static final class Rules {}

    @Command(name = "add", description = "Add a rule.")
    static final class RulesAdd implements Callable<Integer> {
        @Parameters(index = "0", description = "The rule")
        String text;

        @Option(names = "--hint", description = "A longer explanation.")
        String hint = "";

        @Override
        public Integer call() {
            try (App app = open(config())) {
                System.out.println("Added rule " + app.instance().addRule(text, hint));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the rules.")
    static final class RulesList implements Callable<Integer> {
        @Override
        public Integer call() {
            try (App app = open(config())) {
                for (Rule rule : app.instance().rules()) {
                    System.out.println(rule.id() + "\t" + rule.text());
                }
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a rule by id.")
    static final class RulesRemove implements Callable<Integer> {
        @Parameters(index = "0", description = "Rule id")
        long id;

        @Override
        public Integer call() {
            try (App app = open(config())) {
                app.instance().removeRule(id);
                System.out.println("Removed rule " + id);
            }
            return 0;
        }
    }

    static Role parseRole(String text) {
        try {
            return Role.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(422, "Unknown role '" + text + "': choose user, moderator, admin or owner");
        }
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
