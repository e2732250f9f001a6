package social.caravan;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.AccountsApi;
import social.caravan.announcements.AnnouncementService;
import social.caravan.announcements.AnnouncementsApi;
import social.caravan.auth.AppsApi;
import social.caravan.auth.AuthService;
import social.caravan.auth.Cookies;
import social.caravan.auth.Csrf;
import social.caravan.auth.OAuthApi;
import social.caravan.conversations.ConversationService;
import social.caravan.conversations.ConversationsApi;
import social.caravan.core.bus.EventBus;
import social.caravan.core.cache.Invalidations;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.core.http.Authn;
import social.caravan.core.http.ClientAddresses;
import social.caravan.core.http.HealthApi;
import social.caravan.core.http.HttpServer;
import social.caravan.core.http.RateLimiter;
import social.caravan.core.http.RateLimits;
import social.caravan.core.http.Routes;
import social.caravan.core.metrics.Metrics;
import social.caravan.core.net.AddressGuard;
import social.caravan.core.net.FederationClient;
import social.caravan.core.net.HttpSender;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.core.queue.GroupedEnqueue;
import social.caravan.core.queue.Job;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.JobTypes;
import social.caravan.core.queue.LaneWorker;
import social.caravan.core.queue.QueueMetrics;
import social.caravan.core.queue.Queues;
import social.caravan.core.queue.RecurringScheduler;
import social.caravan.core.queue.RetryPolicy;
import social.caravan.core.queue.Sender;
import social.caravan.core.queue.Worker;
import social.caravan.core.signatures.SignatureVerifier;
import social.caravan.discovery.DiscoveryApi;
import social.caravan.discovery.DiscoveryService;
import social.caravan.federation.AccountPurge;
import social.caravan.federation.ActivityPubApi;
import social.caravan.federation.ActorDeletion;
import social.caravan.federation.DeliverySigners;
import social.caravan.federation.DomainBlocks;
import social.caravan.federation.DomainPurge;
import social.caravan.federation.Fetcher;
import social.caravan.federation.Forwarded;
import social.caravan.federation.Inbound;
import social.caravan.federation.InboxApi;
import social.caravan.federation.InstanceActor;
import social.caravan.federation.NodeInfoApi;
import social.caravan.federation.NoteContexts;
import social.caravan.federation.Outbox;
import social.caravan.federation.Publisher;
import social.caravan.federation.RemoteAccounts;
import social.caravan.federation.RemoteStatuses;
import social.caravan.federation.SignedRequests;
import social.caravan.federation.WebFingerApi;
import social.caravan.federation.handlers.ActivityHandler;
import social.caravan.federation.handlers.Handlers;
import social.caravan.federation.vocab.ActivityStreams;
import social.caravan.filters.FilterService;
import social.caravan.filters.FiltersApi;
import social.caravan.instance.InstanceApi;
import social.caravan.instance.InstanceService;
import social.caravan.lists.ListService;
import social.caravan.lists.ListsApi;
import social.caravan.notifications.NotificationRequestsApi;
import social.caravan.notifications.NotificationService;
import social.caravan.notifications.NotificationsApi;
import social.caravan.polls.PollService;
import social.caravan.polls.PollsApi;
import social.caravan.relationships.RelationshipService;
import social.caravan.relationships.RelationshipsApi;
import social.caravan.reports.ReportService;
import social.caravan.reports.ReportsApi;
import social.caravan.scheduled.ScheduledStatusService;
import social.caravan.scheduled.ScheduledStatusesApi;
import social.caravan.search.SearchApi;
import social.caravan.search.SearchService;
import social.caravan.statuses.StatusService;
import social.caravan.statuses.StatusesApi;
import social.caravan.streaming.StreamingApi;
import social.caravan.streaming.StreamingService;
import social.caravan.tags.TagService;
import social.caravan.tags.TagsApi;
import social.caravan.timelines.FeedService;
import social.caravan.timelines.MarkerService;
import social.caravan.timelines.MarkersApi;
import social.caravan.timelines.TimelineService;
import social.caravan.timelines.TimelinesApi;
import social.caravan.web.PublicPages;
import social.caravan.web.WebPages;

/** Explicit wiring: the database, every service, and the HTTP routes of the roles this process runs. */
public final class App implements AutoCloseable {
    public enum ProcessRole { WEB, STREAMING, WORKER }

    private static final Logger log = LoggerFactory.getLogger(App.class);
    /** An inbound activity failing for other reasons than its content (a database hiccup) is tried for about a day. */
    private static final RetryPolicy INBOUND_RETRIES = new RetryPolicy(10);
    /** Inbound activities claimed together are applied in one transaction, this many at most. */
    private static final int INBOUND_BATCH = 20;
    /** Dead jobs are kept this long for inspection, as Sidekiq keeps its dead set. */
    private static final Duration DEAD_JOBS_KEPT = Duration.ofDays(180);

    private final Config config;
    private final Database database;
    private final Clock clock = Clock.systemUTC();
    /** Keeps the caches of statuses and accounts true; they hold nothing until {@link #serve} starts it. */
    private final Invalidations invalidations = new Invalidations();
    private final AccountService accounts;
    private final AuthService auth;
    private final InstanceService instance;
    private final MarkerService markers;
    private final NotificationService notifications;
    private final Metrics metrics;
    private final Authn authn;
    private final ClientAddresses addresses;
    private final JobQueue queue;
    private final DeliveryLanes lanes;
    private final FeedService feeds;
    private final PollService polls;
    private final AccountJson accountJson;
    private final ConversationService conversations;
    private final StatusService statuses;
    private final ScheduledStatusService scheduled;
    private final ReportService reports;
    private final AnnouncementService announcements;
    private final FederationClient federationHttp;
    private final DomainBlocks domainBlocks;
    private final InstanceActor instanceActor;
    private final Fetcher fetcher;
    private final RemoteAccounts remoteAccounts;
    private final RemoteStatuses remoteStatuses;
    private final SignedRequests signedRequests;
    private final EventBus bus;
    private final FilterService filters;
    private final Outbox outbox;
    private final RelationshipService relationships;
    private final TagService tags;
    private final ActivityStreams vocab;
    private final NoteContexts noteContexts;
    private final Map<String, ActivityHandler> activityHandlers;
    private final Inbound inbound;
    private final Forwarded forwarded;
    private final Publisher publisher;
    private final DeliverySigners deliverySigners;
    private final ActorDeletion actorDeletion;
    private final AccountPurge accountPurge;
    private final DomainPurge domainPurge;
    private final List<Javalin> servers = new ArrayList<>();
    private boolean closed;
    private final List<AutoCloseable> background = new ArrayList<>();
    /** The inboxes' way onto the ingress queue: many activities per commit. */
    private final GroupedEnqueue inboxQueue;

    private App(Config config, Database database) {
        this.config = config;
        this.database = database;
        this.bus = EventBus.create(database.jdbi(), database::dedicatedConnection, config.redisUrl());
        this.queue = new JobQueue(database.jdbi());
        this.inboxQueue = new GroupedEnqueue(database.jdbi());
        this.outbox = new Outbox(queue);
        this.accounts = new AccountService(database.jdbi(), invalidations, config, outbox);
        this.auth = new AuthService(database.jdbi(), accounts, clock, bus);
        this.instance = new InstanceService(database.jdbi(), clock);
        this.markers = new MarkerService(database.jdbi());
        this.notifications = new NotificationService(database.jdbi(), bus);
        this.lanes = new DeliveryLanes(database.jdbi());
        this.federationHttp = new FederationClient(new AddressGuard(config.allowPrivateAddresses()),
                FederationClient.userAgent(Version.CARAVAN, config.baseUrl()), Duration.ofSeconds(5), Duration.ofSeconds(15));
        this.domainBlocks = new DomainBlocks(database.jdbi(), invalidations, queue);
        this.instanceActor = new InstanceActor(database.jdbi(), config.baseUrl(), clock);
        this.fetcher = new Fetcher(federationHttp, instanceActor, domainBlocks);
        this.remoteAccounts = new RemoteAccounts(accounts, fetcher, queue, domainBlocks, config.localDomain(), config.webDomain(),
                config.allowPrivateAddresses(), clock);
        this.signedRequests = new SignedRequests(new SignatureVerifier(clock), remoteAccounts, domainBlocks, config.https());
        this.feeds = new FeedService(database.jdbi(), notifications, queue, config.activeDays(), bus);
        this.polls = new PollService(database.jdbi(), notifications, queue, outbox);
        this.accountJson = new AccountJson(config.baseUrl(), config.localDomain(), accounts::findCached);
        this.conversations = new ConversationService(database.jdbi(), bus);
        this.statuses = new StatusService(database.jdbi(), invalidations, accounts, accountJson, auth, notifications,
                queue, polls, conversations, bus, outbox, remoteAccounts, feeds::fanoutInTransaction, config.baseUrl());
        this.relationships = new RelationshipService(database.jdbi(), accounts, notifications, queue, outbox, config.baseUrl());
        this.tags = new TagService(database.jdbi(), accounts, outbox, config.baseUrl(), clock);
        this.scheduled = new ScheduledStatusService(database.jdbi(), statuses, polls, queue, clock);
        this.reports = new ReportService(database.jdbi(), accounts, statuses, instance, outbox);
        this.announcements = new AnnouncementService(database.jdbi(), accounts, accountJson, bus, config.baseUrl());
        this.filters = new FilterService(database.jdbi(), invalidations, statuses, bus);
        this.metrics = new Metrics(config.metricsToken());
        this.authn = new Authn(auth);
        this.addresses = new ClientAddresses(config.trustedProxies());
        this.vocab = new ActivityStreams(config.baseUrl(), config.localDomain(), accountJson);
        this.noteContexts = new NoteContexts(accounts, accountJson, statuses);
        this.remoteStatuses = new RemoteStatuses(statuses, accounts, remoteAccounts, fetcher, domainBlocks, polls,
                config.baseUrl());
        this.accountPurge = new AccountPurge(database.jdbi(), accounts, statuses, polls, relationships, notifications);
        this.domainPurge = new DomainPurge(database.jdbi(), accountPurge, notifications);
        this.activityHandlers = Handlers.table(accounts, relationships, statuses, reports, remoteStatuses, remoteAccounts,
                fetcher, accountPurge);
        // Counts first, then fan-outs (which lock busy readers' feeds to the commit), then one look-up of stream listeners.
        this.inbound = new Inbound(database.jdbi(),
                (h, work) -> bus.publishLast(h, () -> feeds.fanoutLast(h, () -> accounts.countsLast(h, work))),
                accounts, domainBlocks, activityHandlers);
        this.forwarded = new Forwarded(queue, fetcher, remoteAccounts, domainBlocks, activityHandlers);
        this.publisher = new Publisher(accounts, accountJson, statuses, relationships, tags, vocab, noteContexts, lanes,
                domainBlocks, reports, polls, instanceActor, config.baseUrl());
        this.actorDeletion = new ActorDeletion(database.jdbi(), accounts, accountJson, accountPurge, lanes, domainBlocks);
        this.deliverySigners = new DeliverySigners(accounts, instanceActor, actorDeletion, config.baseUrl(), clock);
    }

    /** Connects to (or starts) the database and brings its schema up to date. */
    public static App open(Config config) {
        Database database = Database.open(config);
        try {
            int applied = database.migrate();
            if (applied > 0) {
                log.info("applied {} database migration(s)", applied);
            }
            return new App(config, database);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Starts the chosen roles, the worker on every queue; returns once they run. */
    public App serve(Set<ProcessRole> roles) {
        return serve(roles, new Worker.Settings(Queues.all(), config.workerConcurrency(), config.queueLeaseSeconds()));
    }

    /** Starts the chosen roles; returns once they run. */
    public App serve(Set<ProcessRole> roles, Worker.Settings workerSettings) {
        invalidations.start(database::dedicatedConnection);
        background.add(invalidations);
        RateLimits rateLimits = new RateLimits(config.rateLimits(), addresses, authn, new RateLimiter(clock));
        List<Routes> routes = new ArrayList<>();
        if (roles.contains(ProcessRole.WEB)) {
            routes.addAll(webRoutes(rateLimits));
        }
        if (roles.contains(ProcessRole.STREAMING)) {
            StreamingService streaming = new StreamingService(bus, new StreamingService.Renderers(statuses, filters,
                    relationships, notificationsApi(), conversationsApi(), announcementsApi(),
                    listService(), feeds), metrics.registry()).start();
            background.add(streaming);
            if (!roles.contains(ProcessRole.WEB)) {
                routes.add(new HealthApi(database.jdbi()));
                routes.add(r -> r.get("/metrics", metrics::guardedScrape));
            }
            routes.add(new StreamingApi(streaming, auth));
        }
        if (!routes.isEmpty()) {
            // One HTTP server per process: the streaming routes join the web ones when both roles run.
            Javalin http = HttpServer.create(routes, rateLimits, metrics.registry());
            http.start(config.bind(), config.port());
            servers.add(http);
            log.info("{} listening on http://{}:{} as {} (bus: {})", roles.contains(ProcessRole.WEB) ? "web role"
                    : "streaming role", config.bind(), http.port(), config.baseUrl(), bus.transportName());
        }
        if (roles.contains(ProcessRole.WORKER)) {
            startWorker(workerSettings);
        }
        background.add(new QueueMetrics(queue, lanes, metrics.registry()).start());
        config.metricsPort().ifPresent(port -> {
            Javalin metricsServer = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.routes.get("/metrics", metrics::scrape);
            }).start(config.bind(), port);
            servers.add(metricsServer);
            log.info("metrics on http://{}:{}/metrics", config.bind(), metricsServer.port());
        });
        return this;
    }

    private void startWorker(Worker.Settings settings) {
        JobTypes types = jobTypes();
        Supplier<Connection> listen = database::dedicatedConnection;
        background.add(new Worker(database.jdbi(), listen, types, settings, metrics.registry()).start());
        background.add(new RecurringScheduler(database.jdbi(), queue, types).start());
        if (settings.queues().contains(Queues.PUSH)) {
            Sender sender = new HttpSender(federationHttp, deliverySigners::signerFor);
            background.add(new LaneWorker(database.jdbi(), listen, sender, settings.concurrency(), metrics.registry()).start());
        }
    }

    /** Every job type this version knows, and the recurring ones. */
    private JobTypes jobTypes() {
        return new JobTypes()
                .register("queue.prune_dead", job -> queue.pruneDead(Instant.now().minus(DEAD_JOBS_KEPT)))
                .every(Duration.ofDays(1), "prune-dead-jobs", Queues.SCHEDULER, "queue.prune_dead")
                .register(ActorDeletion.PRUNE_JOB, job -> actorDeletion.prune())
                .every(Duration.ofHours(1), "prune-deleted-actors", Queues.SCHEDULER, ActorDeletion.PRUNE_JOB)
                .register("auth.prune_codes", job -> auth.pruneExpiredCodes())
                .every(Duration.ofHours(1), "prune-authorization-codes", Queues.SCHEDULER, "auth.prune_codes")
                .register(StatusService.FANOUT_JOB, job -> feeds.fanout(job.payload(StatusService.Fanout.class).statusId()))
                .register(ScheduledStatusService.PUBLISH_JOB,
                        job -> scheduled.publish(job.payload(ScheduledStatusService.Publish.class)))
                .register(FeedService.REBUILD_JOB, job -> feeds.rebuild(job.payload(FeedService.Rebuild.class).accountId()))
                .register(FeedService.MERGE_JOB, job -> {
                    FeedService.Merge merge = job.payload(FeedService.Merge.class);
                    feeds.merge(merge.accountId(), merge.targetAccountId());
                })
                .register(PollService.END_JOB, job -> polls.end(job.payload(PollService.End.class).pollId()))
                .registerBatched(InboxApi.INBOUND_JOB, job -> inbound.process(job.payload(InboxApi.Received.class)),
                        jobs -> inbound.processAll(payloads(jobs, InboxApi.Received.class)), INBOUND_BATCH, INBOUND_RETRIES)
                .register(Forwarded.JOB, job -> forwarded.process(job.payload(Forwarded.Job.class)), INBOUND_RETRIES)
                .register(RelationshipService.CARRY_OVER_JOB, job -> {
                    RelationshipService.CarryOver move = job.payload(RelationshipService.CarryOver.class);
                    relationships.carryOver(move.originId(), move.targetId());
                })
                .register(RemoteAccounts.COUNTS_JOB, job -> remoteAccounts.refreshCounts(
                        job.payload(RemoteAccounts.CountsJob.class).accountId()), RetryPolicy.NEVER)
                .register(DomainPurge.JOB, job -> domainPurge.run(job.payload(DomainPurge.Job.class)))
                .register(Outbox.PUBLISH_JOB, job -> publisher.publish(job.payload(Outbox.Publish.class)))
                .register(FeedService.MERGE_LIST_JOB, job -> {
                    FeedService.MergeList merge = job.payload(FeedService.MergeList.class);
                    feeds.mergeList(merge.listId(), merge.accountId());
                });
    }

    private static <T> List<T> payloads(List<Job> jobs, Class<T> type) {
        List<T> payloads = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            payloads.add(job.payload(type));
        }
        return payloads;
    }

    private NotificationsApi notificationsApi() {
        return new NotificationsApi(notifications, accounts, accountJson, statuses, filters, markers, authn, config.baseUrl());
    }

    private ConversationsApi conversationsApi() {
        return new ConversationsApi(conversations, statuses, accounts, accountJson, authn, config.baseUrl());
    }

    private AnnouncementsApi announcementsApi() {
        return new AnnouncementsApi(announcements, accountJson, authn, config.baseUrl());
    }

    private ListService listService() {
        return new ListService(database.jdbi(), accounts, feeds, queue);
    }

    private List<Routes> webRoutes(RateLimits rateLimits) {
        Cookies cookies = new Cookies(config.https());
        Csrf csrf = new Csrf(cookies);
        ScheduledStatusesApi scheduledApi = new ScheduledStatusesApi(scheduled, authn, config.baseUrl());
        OAuthApi oauth = new OAuthApi(auth, accounts, accountJson, authn, csrf, cookies, addresses, config.baseUrl());
        TimelineService timelines = new TimelineService(database.jdbi(), feeds, accounts);
        AccountsApi.SignUpTokens signUpTokens = (appId, accountId, scopes) ->
                OAuthApi.TokenView.of(auth.issueToken(appId, OptionalLong.of(accountId), scopes));
        return List.of(
                new HealthApi(database.jdbi()),
                routes -> routes.get("/metrics", metrics::guardedScrape),
                new AppsApi(auth, authn),
                oauth,
                // Before the accounts routes, so /api/v1/accounts/familiar_followers and /search are not taken for an account id.
                new RelationshipsApi(relationships, accountJson, authn, config.baseUrl()),
                new SearchApi(new SearchService(database.jdbi(), accounts, statuses, remoteAccounts, remoteStatuses,
                        config.localDomain()),
                        statuses, filters,
                        accountJson, authn, config.baseUrl()),
                new AccountsApi(accounts, accountJson, authn, rateLimits, addresses, signUpTokens, relationships),
                new InstanceApi(config, instance, accounts),
                new MarkersApi(markers, authn),
                new TimelinesApi(timelines, statuses, filters, authn,
                        config.baseUrl()),
                new ListsApi(listService(), statuses, filters, accountJson, authn, config.baseUrl()),
                // Before the notifications routes, so /api/v1/notifications/policy and /requests are not taken for an id.
                new NotificationRequestsApi(notifications, accounts, accountJson, statuses, filters, authn, config.baseUrl()),
                notificationsApi(),
                new StatusesApi(statuses, filters, accountJson, authn, scheduledApi, config.baseUrl()),
                scheduledApi,
                new PollsApi(polls, statuses, relationships, authn),
                new FiltersApi(filters, authn),
                new ReportsApi(reports, accounts, accountJson, authn),
                announcementsApi(),
                conversationsApi(),
                new TagsApi(tags, authn, config.baseUrl()),
                new DiscoveryApi(new DiscoveryService(database.jdbi(), accounts, clock), tags, statuses, accountJson, authn,
                        config.baseUrl()),
                new WebFingerApi(accounts, actorDeletion, config),
                new InboxApi(accounts, signedRequests, inboxQueue, activityHandlers.keySet(), forwarded, lanes),
                new ActivityPubApi(accounts, accountJson, statuses, timelines, relationships, tags, instanceActor,
                        signedRequests, vocab, new PublicPages(config.localDomain()), noteContexts, actorDeletion,
                        config.authorizedFetch()),
                new NodeInfoApi(accounts, config),
                new WebPages(config, accounts, oauth, instance, csrf, rateLimits, addresses));
    }

    /** The port the web role listens on (useful when PORT was 0). */
    public int webPort() {
        return servers.isEmpty() ? -1 : servers.get(0).port();
    }

    /**
     * The path template of the web route Javalin would pick for {@code method path} (e.g.
     * {@code /api/v1/statuses/{id}} for {@code GET /api/v1/statuses/1}); empty when none would or
     * the web role is not running. ApiCoverageTest compares these with Mastodon's API.
     */
    public Optional<String> routeFor(String method, String path) {
        if (servers.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(servers.get(0).unsafe.internalRouter
                .findFirstHttpHandlerEntry(HandlerType.findOrCreate(method.toUpperCase(Locale.ROOT)), path))
                .map(entry -> entry.endpoint.path);
    }

    public Config config() {
        return config;
    }

    public Invalidations invalidations() {
        return invalidations;
    }

    public StatusService statuses() {
        return statuses;
    }

    public PollService polls() {
        return polls;
    }

    public RelationshipService relationships() {
        return relationships;
    }

    public AccountService accounts() {
        return accounts;
    }

    public AuthService auth() {
        return auth;
    }

    public InstanceService instance() {
        return instance;
    }

    public AnnouncementService announcements() {
        return announcements;
    }

    public ReportService reports() {
        return reports;
    }

    public NotificationService notifications() {
        return notifications;
    }

    public Database database() {
        return database;
    }

    public JobQueue queue() {
        return queue;
    }

    /** Deletes local accounts ({@code caravan accounts delete}), telling their followers' servers. */
    public ActorDeletion actorDeletion() {
        return actorDeletion;
    }

    public DeliveryLanes lanes() {
        return lanes;
    }

    public DomainBlocks domainBlocks() {
        return domainBlocks;
    }

    public DomainPurge domainPurge() {
        return domainPurge;
    }

    public RemoteAccounts remoteAccounts() {
        return remoteAccounts;
    }

    public SignedRequests signedRequests() {
        return signedRequests;
    }

    public InstanceActor instanceActor() {
        return instanceActor;
    }

    public Fetcher fetcher() {
        return fetcher;
    }

    public FederationClient federationHttp() {
        return federationHttp;
    }

    public EventBus bus() {
        return bus;
    }

    /**
     * Leaves the bus, stops HTTP, then background work (a worker finishes or gives back its jobs), then the
     * database. Once only: a chore's own close and the shutdown hook may both call it, and the later waits.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A streaming node leaves the bus first: closing its connections then writes nothing.
        bus.leave();
        for (Javalin server : servers) {
            server.stop();
        }
        servers.clear();
        inboxQueue.close();
        for (AutoCloseable task : background.reversed()) {
            try {
                task.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", task.getClass().getSimpleName(), e.getMessage());
            }
        }
        background.clear();
        bus.close();
        federationHttp.close();
        database.close();
    }
}
