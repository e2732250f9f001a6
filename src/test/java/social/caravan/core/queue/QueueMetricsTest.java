package social.caravan.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.support.Http;
import social.caravan.support.TestDatabase;
import social.caravan.support.TestServer;

/** The queue and lane gauges: what they report, and that /metrics carries them. */
class QueueMetricsTest {
    static Database db;

    @BeforeAll
    static void open() {
        db = Database.connect(Config.from(Map.of("DATABASE_URL", TestDatabase.freshDatabaseUrl())).database().get(), 2);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void gaugesFollowTheQueuesAndTheLanes() {
        JobQueue queue = new JobQueue(db.jdbi());
        DeliveryLanes lanes = new DeliveryLanes(db.jdbi());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        QueueMetrics metrics = new QueueMetrics(queue, lanes, meters);
        metrics.start();
        try {
            queue.enqueue(Queues.PUSH, "anything", "{}", null, null);
            queue.enqueue(Queues.PUSH, "anything", "{}", null, null);
            queue.enqueue(Queues.PULL, "anything", "{}", java.time.Instant.now().plusSeconds(3600), null);
            lanes.enqueue("https://remote.example/inbox", "{}");
            metrics.refresh();

            assertThat(meters.get("caravan_queue_ready").tag("queue", "push").gauge().value()).isEqualTo(2);
            assertThat(meters.get("caravan_queue_scheduled").tag("queue", "pull").gauge().value()).isEqualTo(1);
            assertThat(meters.get("caravan_queue_ready").tag("queue", "default").gauge().value()).isZero();
            assertThat(meters.get("caravan_queue_oldest_ready_seconds").tag("queue", "push").gauge().value())
                    .isGreaterThanOrEqualTo(0);
            assertThat(meters.get("caravan_delivery_backlog").tag("destination", "remote.example").gauge().value())
                    .isEqualTo(1);

            db.jdbi().useHandle(h -> h.execute("DELETE FROM deliveries"));
            metrics.refresh();
            assertThat(meters.find("caravan_delivery_backlog").tag("destination", "remote.example").gauge())
                    .as("a destination without backlog or failures has no gauge").isNull();
        } finally {
            metrics.close();
        }
    }

    @Test
    void metricsEndpointCarriesTheQueueGauges() {
        try (TestServer server = TestServer.start(Map.of("CARAVAN_METRICS_TOKEN", "scrape-me"))) {
            Http.Response r = server.http.send(server.http.request("/metrics")
                    .header("Authorization", "Bearer scrape-me").GET().build());
            assertThat(r.status()).isEqualTo(200);
            for (String queue : Queues.all()) {
                assertThat(r.body()).contains("caravan_queue_ready{queue=\"" + queue + "\"}");
            }
            assertThat(r.body()).contains("caravan_queue_oldest_ready_seconds").contains("caravan_queue_dead");
        }
    }
}
