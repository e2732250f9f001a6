package social.caravan.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.core.net.AddressGuard;
import social.caravan.core.net.FederationClient;
import social.caravan.core.net.HttpSender;
import social.caravan.support.TestDatabase;

/**
 * Per-destination delivery lanes against real HTTP servers on 127.0.0.1 (one server per port, so
 * one destination host "127.0.0.1:PORT" each) and a real PostgreSQL: a dead destination holds one
 * lane and nothing else, outcomes by status, backoff, unavailability after failures on seven
 * distinct days, the retry horizon, and one claim per destination at a time across workers.
 * Each test has a database of its own.
 */
class DeliveryLanesTest {
    /** Threads for every fake inbox: one per request, so concurrent requests are really concurrent. */
    static final ExecutorService SERVER_THREADS = Executors.newVirtualThreadPerTaskExecutor();

    Database db;
    DeliveryLanes lanes;
    SimpleMeterRegistry meters;
    final List<AutoCloseable> servers = new ArrayList<>();
    final List<LaneWorker> workers = new ArrayList<>();

    @BeforeEach
    void openDatabase() {
        db = Database.connect(Config.from(Map.of("DATABASE_URL", TestDatabase.freshDatabaseUrl())).database().get(), 10);
        lanes = new DeliveryLanes(db.jdbi());
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void closeEverything() throws Exception {
        // Servers first: a request hanging on a dead destination then fails at once, so the
        // workers stop quickly instead of waiting for its timeout.
        for (AutoCloseable server : servers) {
            server.close();
        }
        for (LaneWorker worker : workers) {
            worker.close();
        }
        db.close();
    }

    @AfterAll
    static void stopServerThreads() {
        SERVER_THREADS.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------
    // 1. A dead destination occupies one lane and never delays the healthy ones.

    @Test
    void deadDestinationHoldsOneLaneWhileFiftyHealthyDestinationsGetEverythingInOrder() throws Exception {
        DeadInbox dead = track(new DeadInbox());
        List<Inbox> healthy = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            healthy.add(track(new Inbox()));
        }
        int perDestination = 5;
        for (int j = 0; j < perDestination; j++) {
            assertThat(lanes.enqueue(dead.target(), "dead-" + j)).isTrue();
        }

        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(30)), 4);

        // The dead destination has its first request, and keeps it unanswered.
        await(Duration.ofSeconds(10), () -> dead.accepted.size() == 1 && dead.accepted.get(0).received().contains("dead-0"),
                "the dead destination receives its first delivery");

        long start = System.nanoTime();
        for (int j = 0; j < perDestination; j++) { // interleaved, so every lane's ids mix with the others'
            for (int i = 0; i < healthy.size(); i++) {
                assertThat(lanes.enqueue(healthy.get(i).target(), "h" + i + "-" + j)).isTrue();
            }
        }
        long enqueued = System.nanoTime();
        await(Duration.ofSeconds(30), () -> healthy.stream().allMatch(inbox -> inbox.bodies.size() >= perDestination),
                "every healthy destination receives all its deliveries");
        long done = System.nanoTime();
        System.out.printf("DeliveryLanesTest: %d deliveries to %d healthy destinations took %d ms"
                        + " (%d ms enqueueing) while one destination hung; 4 lanes%n",
                healthy.size() * perDestination, healthy.size(), (done - start) / 1_000_000, (enqueued - start) / 1_000_000);

        for (int i = 0; i < healthy.size(); i++) {
            int n = i;
            assertThat(healthy.get(i).bodies).as("bodies at healthy destination %d", i)
                    .containsExactlyElementsOf(IntStream.range(0, perDestination).mapToObj(j -> "h" + n + "-" + j).toList());
        }
        // Seen from the dead server: still exactly one accepted connection, its request received,
        // never answered (this server writes nothing) and not given up by the client either.
        assertThat(dead.accepted).hasSize(1);
        Accepted hanging = dead.accepted.get(0);
        assertThat(hanging.received()).startsWith("POST /inbox ").contains("dead-0").doesNotContain("dead-1");
        assertThat(hanging.peerClosed).as("the client still waits for an answer").isFalse();
        assertThat(hanging.socket.isClosed()).isFalse();
        // ...and from the database: no failure recorded for it yet, all its deliveries queued,
        // every healthy lane empty and healthy.
        assertThat(destination(dead.host()).failures()).isZero();
        assertThat(queued(dead.host())).containsExactly("dead-0", "dead-1", "dead-2", "dead-3", "dead-4");
        assertThat(count("SELECT count(*) FROM deliveries WHERE host <> '" + dead.host() + "'")).isZero();
        assertThat(count("SELECT count(*) FROM delivery_destinations WHERE failures > 0")).isZero();
        assertThat(meters.counter("caravan_deliveries_delivered").count()).isEqualTo(healthy.size() * perDestination);
    }

    // ---------------------------------------------------------------------------------------------
    // 2. Outcomes by status.

    @Test
    void statusesReadLikeMastodon() {
        for (int status : new int[] {200, 201, 202, 204, 299}) {
            assertThat(Sender.Outcome.ofStatus(status)).as("status %d", status).isEqualTo(Sender.Outcome.DELIVERED);
        }
        for (int status : new int[] {400, 403, 404, 405, 410, 413, 422, 499}) {
            assertThat(Sender.Outcome.ofStatus(status)).as("status %d", status).isEqualTo(Sender.Outcome.REJECTED);
        }
        for (int status : new int[] {401, 408, 429, 500, 502, 503, 504, 599, 301, 302}) {
            assertThat(Sender.Outcome.ofStatus(status)).as("status %d", status).isEqualTo(Sender.Outcome.RETRY);
        }
    }

    @Test
    void httpSenderRetriesWhenNobodyListensAndRejectsUnusableTargets() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        HttpSender sender = loopbackSender(Duration.ofSeconds(2), Duration.ofSeconds(5));
        assertThat(sender.send(delivery("http://127.0.0.1:" + closedPort + "/inbox"))).isEqualTo(Sender.Outcome.RETRY);
        assertThat(sender.send(delivery("ftp://127.0.0.1/inbox"))).isEqualTo(Sender.Outcome.REJECTED);
    }

    @Test
    void serverErrorBacksOffItsLaneOnlyAndALaterSuccessClearsTheFailure() throws Exception {
        Inbox failing = track(new Inbox());
        Inbox healthy = track(new Inbox());
        failing.status = 500;
        lanes.enqueue(failing.target(), "f-0");
        lanes.enqueue(failing.target(), "f-1");
        lanes.enqueue(healthy.target(), "ok-0");

        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);

        await(Duration.ofSeconds(10), () -> destination(failing.host()).failures() == 1, "the 500 is recorded");
        await(Duration.ofSeconds(10), () -> healthy.bodies.size() == 1, "the other destination is delivered");
        Destination d = destination(failing.host());
        assertThat(d.failures()).isEqualTo(1);
        assertThat(d.failingSince()).isNotNull().isBetween(Instant.now().minusSeconds(30), Instant.now().plusSeconds(5));
        assertThat(d.failureDays()).isEqualTo(1);
        assertThat(d.unavailable()).isFalse();
        // backoff(1) is 15 s plus up to 10 s of jitter
        assertThat(d.secondsUntilNextAttempt()).isBetween(10.0, 26.0);
        assertThat(queued(failing.host())).containsExactly("f-0", "f-1");
        assertThat(failing.bodies).containsExactly("f-0");

        // The worker keeps claiming during the backoff (it delivers something new elsewhere, and a
        // new delivery for the failing host wakes it too), but the failing lane gets no request.
        lanes.enqueue(failing.target(), "f-2");
        lanes.enqueue(healthy.target(), "ok-1");
        await(Duration.ofSeconds(10), () -> healthy.bodies.size() == 2, "a delivery made during the backoff");
        Thread.sleep(1500); // longer than the worker's idle poll
        assertThat(failing.bodies).containsExactly("f-0");
        assertThat(destination(failing.host()).failures()).isEqualTo(1);
        assertThat(queued(failing.host())).containsExactly("f-0", "f-1", "f-2");

        // The host recovers; end the backoff instead of waiting for it.
        failing.status = 202;
        endBackoff(failing.host());
        await(Duration.ofSeconds(10), () -> queued(failing.host()).isEmpty(), "the lane drains after the backoff");
        assertThat(failing.bodies).containsExactly("f-0", "f-0", "f-1", "f-2");
        d = destination(failing.host());
        assertThat(d.failures()).isZero();
        assertThat(d.failingSince()).isNull();
        assertThat(d.failureDays()).isZero();
        assertThat(d.unavailable()).isFalse();
        assertThat(healthy.bodies).containsExactly("ok-0", "ok-1");
        assertThat(meters.counter("caravan_deliveries_failed_attempts").count()).isEqualTo(1);
    }

    @Test
    void permanentClientErrorDropsTheDeliveryWithoutRetryAndCountsTheHostAsHealthy() throws Exception {
        Inbox gone = track(new Inbox());
        Inbox recovering = track(new Inbox());
        gone.status = 404;
        recovering.status = 503;
        lanes.enqueue(gone.target(), "g-0");
        lanes.enqueue(gone.target(), "g-1");
        lanes.enqueue(recovering.target(), "r-0");
        lanes.enqueue(recovering.target(), "r-1");

        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);

        // 404: both deliveries are tried once, in order (a rejection does not stop the lane), and dropped.
        await(Duration.ofSeconds(10), () -> queued(gone.host()).isEmpty(), "the rejected deliveries are dropped");
        await(Duration.ofSeconds(10), () -> destination(recovering.host()).failures() == 1, "the 503 is recorded");
        Thread.sleep(1500); // longer than the worker's idle poll: nothing is tried again
        assertThat(gone.bodies).containsExactly("g-0", "g-1");
        Destination g = destination(gone.host());
        assertThat(g.failures()).isZero();
        assertThat(g.failingSince()).isNull();
        assertThat(g.secondsUntilNextAttempt()).isLessThanOrEqualTo(0.0);
        assertThat(meters.counter("caravan_deliveries_rejected").count()).isEqualTo(2);

        // A host that was failing and now answers 404 is up: its failure record is cleared.
        recovering.status = 404;
        endBackoff(recovering.host());
        await(Duration.ofSeconds(10), () -> queued(recovering.host()).isEmpty(), "the rejected deliveries are dropped");
        assertThat(recovering.bodies).containsExactly("r-0", "r-0", "r-1");
        Destination r = destination(recovering.host());
        assertThat(r.failures()).isZero();
        assertThat(r.failingSince()).isNull();
        assertThat(r.failureDays()).isZero();
    }

    @Test
    void unauthorizedTimeoutAndTooManyRequestsAreRetriedLikeServerErrors() throws Exception {
        List<Inbox> inboxes = new ArrayList<>();
        for (int status : new int[] {401, 408, 429}) {
            Inbox inbox = track(new Inbox());
            inbox.status = status;
            inboxes.add(inbox);
            lanes.enqueue(inbox.target(), status + "-0");
            lanes.enqueue(inbox.target(), status + "-1");
        }

        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);

        await(Duration.ofSeconds(10), () -> inboxes.stream().allMatch(i -> destination(i.host()).failures() == 1),
                "every lane records one failure");
        Thread.sleep(1500); // longer than the worker's idle poll: nothing is tried during the backoff
        for (Inbox inbox : inboxes) {
            int status = inbox.status;
            assertThat(inbox.bodies).as("requests to the %d destination", status).containsExactly(status + "-0");
            assertThat(queued(inbox.host())).as("queue of the %d destination", status)
                    .containsExactly(status + "-0", status + "-1");
            Destination d = destination(inbox.host());
            assertThat(d.failures()).isEqualTo(1);
            assertThat(d.failingSince()).isNotNull();
            assertThat(d.secondsUntilNextAttempt()).isGreaterThan(10.0);
        }
        assertThat(meters.counter("caravan_deliveries_rejected").count()).isZero();
    }

    // ---------------------------------------------------------------------------------------------
    // 3. Unavailable after failures on seven distinct days.

    @Test
    void failuresOnSevenDistinctDaysMakeAHostUnavailableUntilMarkedAvailableOrASuccess() throws Exception {
        Inbox marked = track(new Inbox());      // cleared by markAvailable
        Inbox recovers = track(new Inbox());    // cleared by a success
        Inbox sixDays = track(new Inbox());     // six distinct days only: stays available
        for (Inbox inbox : List.of(marked, recovers, sixDays)) {
            inbox.status = 500;
        }
        lanes.enqueue(marked.target(), "m-0");
        lanes.enqueue(recovers.target(), "r-0");
        lanes.enqueue(recovers.target(), "r-1");
        lanes.enqueue(sixDays.target(), "s-0");
        setPastFailureDays(marked.host(), 6);
        setPastFailureDays(recovers.host(), 6);
        // five past days and today already: failing again today adds no new day
        setPastFailureDays(sixDays.host(), 5);
        db.jdbi().useHandle(h -> h.createUpdate("""
                        UPDATE delivery_destinations SET failure_days = failure_days || (now() AT TIME ZONE 'UTC')::date
                         WHERE host = :host""").bind("host", sixDays.host()).execute());

        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);
        await(Duration.ofSeconds(10), () -> List.of(marked, recovers, sixDays).stream()
                .allMatch(i -> destination(i.host()).failures() == 1), "one real failure today for each");

        for (Inbox inbox : List.of(marked, recovers)) {
            Destination d = destination(inbox.host());
            assertThat(d.failureDays()).isEqualTo(7);
            assertThat(d.unavailable()).isTrue();
        }
        assertThat(destination(sixDays.host()).failureDays()).isEqualTo(6);
        assertThat(destination(sixDays.host()).unavailable()).isFalse();
        assertThat(lanes.enqueue(sixDays.target(), "s-1")).isTrue();

        // New deliveries to an unavailable host are refused and add nothing.
        assertThat(lanes.enqueue(marked.target(), "m-1")).isFalse();
        assertThat(lanes.enqueue(recovers.target(), "r-2")).isFalse();
        assertThat(queued(marked.host())).containsExactly("m-0");
        assertThat(queued(recovers.host())).containsExactly("r-0", "r-1");
        assertThat(lanes.stats()).filteredOn(s -> s.host().equals(marked.host()))
                .singleElement().satisfies(s -> assertThat(s.unavailable()).isTrue());

        // markAvailable clears it (federation calls it when the host talks to us).
        marked.status = 202;
        lanes.markAvailable(marked.host());
        Destination m = destination(marked.host());
        assertThat(m.unavailable()).isFalse();
        assertThat(m.failures()).isZero();
        assertThat(m.failureDays()).isZero();
        assertThat(m.failingSince()).isNull();
        assertThat(lanes.enqueue(marked.target(), "m-2")).isTrue();
        await(Duration.ofSeconds(10), () -> queued(marked.host()).isEmpty(), "the marked host's lane drains");
        assertThat(marked.bodies).containsExactly("m-0", "m-0", "m-2");

        // Deliveries queued before the host became unavailable are still tried; one success clears it.
        recovers.status = 202;
        endBackoff(recovers.host());
        await(Duration.ofSeconds(10), () -> queued(recovers.host()).isEmpty(), "the recovering host's lane drains");
        assertThat(recovers.bodies).containsExactly("r-0", "r-0", "r-1");
        Destination r = destination(recovers.host());
        assertThat(r.unavailable()).isFalse();
        assertThat(r.failures()).isZero();
        assertThat(r.failureDays()).isZero();
        assertThat(r.failingSince()).isNull();
        assertThat(lanes.enqueue(recovers.target(), "r-3")).isTrue();
        await(Duration.ofSeconds(10), () -> recovers.bodies.size() == 4, "a new delivery after recovery");
        assertThat(recovers.bodies).containsExactly("r-0", "r-0", "r-1", "r-3");
    }

    // ---------------------------------------------------------------------------------------------
    // 4. The retry horizon.

    @Test
    void deliveriesOlderThanTheHorizonAreDroppedWhenTheirHostFailsAgain() throws Exception {
        Inbox failing = track(new Inbox());
        failing.status = 502;
        for (int j = 0; j < 4; j++) {
            lanes.enqueue(failing.target(), "o-" + j);
        }
        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);
        await(Duration.ofSeconds(10), () -> destination(failing.host()).failures() == 1, "the first failure");
        assertThat(queued(failing.host())).as("nothing is old yet").containsExactly("o-0", "o-1", "o-2", "o-3");

        long horizon = DeliveryLanes.HORIZON.toSeconds();
        age(failing.host(), "o-0", horizon + 60);          // just past the horizon
        age(failing.host(), "o-1", horizon + 24 * 3600);   // long past it
        age(failing.host(), "o-2", horizon - 600);         // ten minutes short of it
        endBackoff(failing.host());
        await(Duration.ofSeconds(10), () -> destination(failing.host()).failures() == 2, "the second failure");

        assertThat(queued(failing.host())).containsExactly("o-2", "o-3");
        assertThat(failing.bodies).containsExactly("o-0", "o-0");
        assertThat(meters.counter("caravan_deliveries_expired").count()).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------
    // 5. One claim per destination at a time.

    @Test
    void twoWorkersNeverSendToOneDestinationAtOnceAndKeepItsOrderAcrossAHandOver() throws Exception {
        Inbox slow = track(new Inbox());
        slow.delayMillis = 300;
        AtomicInteger sentByA = new AtomicInteger();
        AtomicInteger sentByB = new AtomicInteger();
        LaneWorker a = startWorker(counting(sentByA), 4);
        LaneWorker b = startWorker(counting(sentByB), 4);
        List<String> expected = IntStream.range(0, 10).mapToObj(j -> "s-" + j).toList();
        for (String body : expected) {
            lanes.enqueue(slow.target(), body); // each one notifies both workers
        }

        await(Duration.ofSeconds(10), () -> slow.bodies.size() >= 3, "the first deliveries");
        assertThat(sentByA.get() == 0 || sentByB.get() == 0).as("one worker holds the lane").isTrue();
        // Stop whichever worker holds the lane, mid-lane: it finishes its request and gives the
        // lane back; the other worker takes it over from where it stopped.
        LaneWorker holder = sentByA.get() > 0 ? a : b;
        Thread stopping = Thread.ofVirtual().start(holder::close);

        await(Duration.ofSeconds(20), () -> queued(slow.host()).isEmpty(), "every delivery sent");
        stopping.join(25_000);
        assertThat(slow.bodies).containsExactlyElementsOf(expected);
        assertThat(slow.maxInFlight.get()).as("requests in flight at once").isEqualTo(1);
        assertThat(sentByA.get()).isPositive();
        assertThat(sentByB.get()).isPositive();
        assertThat(sentByA.get() + sentByB.get()).isEqualTo(expected.size());
    }

    @Test
    void aLaneHeldLongerThanItsLeaseIsStillClaimedOnce() throws Exception {
        Inbox slow = track(new Inbox());
        slow.delayMillis = 300;
        int leaseSeconds = 2;
        startWorker(new LaneWorker(db.jdbi(), db::dedicatedConnection,
                loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4, meters, leaseSeconds));
        startWorker(new LaneWorker(db.jdbi(), db::dedicatedConnection,
                loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4, meters, leaseSeconds));
        // 14 × 300 ms: the lane is worked for about twice as long as its lease.
        List<String> expected = IntStream.range(0, 14).mapToObj(j -> "l-" + j).toList();
        for (String body : expected) {
            lanes.enqueue(slow.target(), body);
        }
        await(Duration.ofSeconds(20), () -> queued(slow.host()).isEmpty(), "every delivery sent");
        assertThat(slow.bodies).containsExactlyElementsOf(expected);
        assertThat(slow.maxInFlight.get()).as("requests in flight at once").isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------
    // 6. Stats and lane names.

    @Test
    void statsReportBacklogAndFailingSinceOfAFailingHost() throws Exception {
        Inbox failing = track(new Inbox());
        Inbox fine = track(new Inbox());
        failing.status = 500;
        for (int j = 0; j < 3; j++) {
            lanes.enqueue(failing.target(), "x-" + j);
        }
        lanes.enqueue(fine.target(), "y-0");
        assertThat(lanes.stats()).extracting(DeliveryLanes.DestinationStats::host, DeliveryLanes.DestinationStats::backlog)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(failing.host(), 3L),
                        org.assertj.core.groups.Tuple.tuple(fine.host(), 1L));

        Instant before = Instant.now().minusSeconds(5);
        startWorker(loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10)), 4);
        await(Duration.ofSeconds(10), () -> destination(failing.host()).failures() == 1 && fine.bodies.size() == 1,
                "one failure and one delivery");
        await(Duration.ofSeconds(5), () -> queued(fine.host()).isEmpty(), "the healthy lane drains");

        List<DeliveryLanes.DestinationStats> stats = lanes.stats();
        assertThat(stats).extracting(DeliveryLanes.DestinationStats::host).containsExactly(failing.host());
        DeliveryLanes.DestinationStats s = stats.get(0);
        assertThat(s.backlog()).isEqualTo(3);
        assertThat(s.failures()).isEqualTo(1);
        assertThat(s.failingSince()).isNotNull().isAfter(before).isBefore(Instant.now().plusSeconds(5));
        assertThat(s.unavailable()).isFalse();
        assertThat(s.nextAttemptAt()).isAfter(Instant.now());
    }

    @Test
    void laneNamesKeepThePortAndLowerCaseTheHost() {
        assertThat(DeliveryLanes.host("http://127.0.0.1:8080/inbox")).isEqualTo("127.0.0.1:8080");
        assertThat(DeliveryLanes.host("https://Mastodon.Example/users/Alice/inbox")).isEqualTo("mastodon.example");
        assertThat(DeliveryLanes.host("HTTPS://SOCIAL.Example.ORG:8443/inbox")).isEqualTo("social.example.org:8443");
        assertThat(DeliveryLanes.host("https://example.org:443/inbox")).isEqualTo("example.org:443");
        assertThat(DeliveryLanes.host("https://example.org/inbox")).isNotEqualTo(DeliveryLanes.host("https://example.org:8443/inbox"));
        assertThatThrownBy(() -> DeliveryLanes.host("/inbox")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void enqueueUsesTheLaneNameAndKeepsTheTargetAsGiven() {
        assertThat(lanes.enqueue("https://Remote.Example:8443/Users/Bob/inbox", "p")).isTrue();
        assertThat(text("SELECT host || ' ' || target FROM deliveries")).isEqualTo("remote.example:8443 https://Remote.Example:8443/Users/Bob/inbox");
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers.

    record Destination(int failures, Instant failingSince, int failureDays, boolean unavailable,
                       double secondsUntilNextAttempt) {}

    Destination destination(String host) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT failures, failing_since, cardinality(failure_days) AS days, unavailable,
                               extract(epoch FROM next_attempt_at - now())::float8 AS wait
                          FROM delivery_destinations WHERE host = :host""")
                .bind("host", host)
                .map((rs, ctx) -> new Destination(rs.getInt("failures"),
                        rs.getTimestamp("failing_since") == null ? null : rs.getTimestamp("failing_since").toInstant(),
                        rs.getInt("days"), rs.getBoolean("unavailable"), rs.getDouble("wait")))
                .one());
    }

    long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    String text(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    List<String> queued(String host) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT payload FROM deliveries WHERE host = :host ORDER BY id")
                .bind("host", host).mapTo(String.class).list());
    }

    /** Ends a lane's backoff now, as if its wait had passed. */
    void endBackoff(String host) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE delivery_destinations SET next_attempt_at = now() WHERE host = :host")
                .bind("host", host).execute());
    }

    /** Failures recorded on the given number of distinct days before today (UTC). */
    void setPastFailureDays(String host, int days) {
        db.jdbi().useHandle(h -> h.createUpdate("""
                        UPDATE delivery_destinations
                           SET failure_days = ARRAY(SELECT (now() AT TIME ZONE 'UTC')::date - g FROM generate_series(1, :days) g)
                         WHERE host = :host""")
                .bind("host", host).bind("days", days).execute());
    }

    void age(String host, String payload, long seconds) {
        db.jdbi().useHandle(h -> h.createUpdate("""
                        UPDATE deliveries SET created_at = now() - make_interval(secs => :seconds)
                         WHERE host = :host AND payload = :payload""")
                .bind("host", host).bind("payload", payload).bind("seconds", (double) seconds).execute());
    }

    LaneWorker startWorker(Sender sender, int concurrency) {
        return startWorker(new LaneWorker(db.jdbi(), db::dedicatedConnection, sender, concurrency, meters));
    }

    LaneWorker startWorker(LaneWorker worker) {
        workers.add(worker);
        return worker.start();
    }

    static Sender counting(AtomicInteger count) {
        HttpSender http = loopbackSender(Duration.ofSeconds(5), Duration.ofSeconds(10));
        return delivery -> {
            count.incrementAndGet();
            return http.send(delivery);
        };
    }

    /** The real sender, allowed to reach the loopback inboxes these tests start. */
    static HttpSender loopbackSender(Duration connectTimeout, Duration requestTimeout) {
        return new HttpSender(new FederationClient(new AddressGuard(true), "Caravan-test", connectTimeout, requestTimeout));
    }

    static Delivery delivery(String target) {
        return new Delivery(1, DeliveryLanes.host(target), target, "{}", Instant.now());
    }

    <T extends AutoCloseable> T track(T server) {
        servers.add(server);
        return server;
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** An inbox on its own port: records request bodies in arrival order and answers {@link #status}. */
    static final class Inbox implements AutoCloseable {
        final HttpServer server;
        final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile int status = 202;
        volatile long delayMillis;

        Inbox() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", this::handle);
            server.setExecutor(SERVER_THREADS);
            server.start();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                int answer;
                try {
                    String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
                    if (delayMillis > 0) {
                        Thread.sleep(delayMillis);
                    }
                    bodies.add(body);
                    answer = status;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    answer = 503;
                } finally {
                    // before answering: the client may send its next request as soon as it has the answer
                    inFlight.decrementAndGet();
                }
                exchange.sendResponseHeaders(answer, -1);
            }
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        String target() {
            return "http://" + host() + "/inbox";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A destination that accepts connections, reads what is sent, and never writes a byte. */
    static final class DeadInbox implements AutoCloseable {
        final ServerSocket socket;
        final List<Accepted> accepted = new CopyOnWriteArrayList<>();

        DeadInbox() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("dead-inbox").start(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(new Accepted(socket.accept()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String host() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        String target() {
            return "http://" + host() + "/inbox";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Accepted a : accepted) {
                a.socket.close();
            }
        }
    }

    /** One connection the dead destination accepted: what it received, and whether the client hung up. */
    static final class Accepted {
        final Socket socket;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile boolean peerClosed;

        Accepted(Socket socket) {
            this.socket = socket;
            Thread.ofPlatform().daemon().name("dead-inbox-read").start(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        synchronized (received) {
                            received.write(buffer, 0, n);
                        }
                    }
                    peerClosed = true;
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        peerClosed = true; // reset by the client
                    }
                }
            });
        }

        String received() {
            synchronized (received) {
                return received.toString(UTF_8);
            }
        }
    }
}
