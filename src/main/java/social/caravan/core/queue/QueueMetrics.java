package social.caravan.core.queue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue and lane gauges for Prometheus. The numbers come from one query every few seconds, not
 * one per scrape, so scraping never loads the database.
 */
public final class QueueMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueMetrics.class);
    private static final long REFRESH_MILLIS = 5000;

    private final JobQueue queue;
    private final DeliveryLanes lanes;
    private final MeterRegistry meters;
    private final Map<String, JobQueue.QueueStats> queues = new ConcurrentHashMap<>();
    private final Map<String, DeliveryLanes.DestinationStats> destinations = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> destinationMeters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    public QueueMetrics(JobQueue queue, DeliveryLanes lanes, MeterRegistry meters) {
        this.queue = queue;
        this.lanes = lanes;
        this.meters = meters;
    }

    public QueueMetrics start() {
        for (String name : Queues.all()) {
            queues.put(name, new JobQueue.QueueStats(name, 0, 0, 0, 0, 0));
            gauge("caravan_queue_ready", name, s -> s.ready());
            gauge("caravan_queue_scheduled", name, s -> s.scheduled());
            gauge("caravan_queue_running", name, s -> s.running());
            gauge("caravan_queue_dead", name, s -> s.dead());
            gauge("caravan_queue_oldest_ready_seconds", name, JobQueue.QueueStats::oldestReadySeconds);
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("queue-metrics").start(this::loop);
        return this;
    }

    private void gauge(String metric, String name, java.util.function.ToDoubleFunction<JobQueue.QueueStats> value) {
        Gauge.builder(metric, queues, map -> value.applyAsDouble(map.get(name))).tag("queue", name).register(meters);
    }

    private void loop() {
        while (running) {
            try {
                refresh();
            } catch (RuntimeException e) {
                log.debug("refreshing queue metrics failed: {}", e.getMessage());
            }
            try {
                Thread.sleep(REFRESH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void refresh() {
        for (JobQueue.QueueStats stats : queue.stats()) {
            queues.put(stats.queue(), stats);
        }
        // Only destinations with a backlog or failures have gauges, so their number stays bounded.
        List<DeliveryLanes.DestinationStats> current = lanes.stats();
        List<String> hosts = current.stream().map(DeliveryLanes.DestinationStats::host).toList();
        for (String gone : List.copyOf(destinationMeters.keySet())) {
            if (!hosts.contains(gone)) {
                destinationMeters.remove(gone).forEach(meters::remove);
                destinations.remove(gone);
            }
        }
        for (DeliveryLanes.DestinationStats stats : current) {
            String host = stats.host();
            destinations.put(host, stats);
            destinationMeters.computeIfAbsent(host, h -> List.of(
                    Gauge.builder("caravan_delivery_backlog", destinations,
                            m -> m.containsKey(h) ? m.get(h).backlog() : 0).tag("destination", h).register(meters),
                    Gauge.builder("caravan_delivery_failing_since_seconds", destinations, m -> {
                        DeliveryLanes.DestinationStats s = m.get(h);
                        return s == null || s.failingSince() == null ? 0 : s.failingSince().getEpochSecond();
                    }).tag("destination", h).register(meters)));
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
