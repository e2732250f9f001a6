package social.caravan.core.bus;

import java.sql.Connection;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.HeldBack;

/**
 * Events from whichever process causes them to the streaming nodes that have listeners for them.
 *
 * <p>Publishers call {@link #publish} inside their transaction. Streaming nodes register the
 * channels they listen to in PostgreSQL (migration V011) and refresh their registration every few
 * seconds; a publisher looks the channels up in the same transaction and sends nothing for a
 * channel no live node listens to. When only this process listens, the message goes straight to
 * it after commit (in-process); otherwise it travels on the transport: PostgreSQL NOTIFY, or Redis
 * pub/sub when {@code REDIS_URL} is set. Every node receives every travelling message and keeps
 * those of its own channels.
 */
public final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private static final long HEARTBEAT_SECONDS = 5;

    private final Jdbi jdbi;
    private final Transport transport;
    private final BusStore store = new BusStore();
    private final String node = UUID.randomUUID().toString();
    /** How many local listeners each channel has; a channel is registered while it has one. */
    private final Map<String, Integer> listened = new ConcurrentHashMap<>();
    private volatile Consumer<BusMessage> receiver;
    private ScheduledExecutorService heartbeat;
    /** Messages published inside a {@link #publishLast}, by transaction. */
    private final HeldBack<List<BusMessage>> heldBack = new HeldBack<>();
    /** Once the node leaves, its registration is gone at once and connections closing after that write nothing. */
    private volatile boolean left;

    private EventBus(Jdbi jdbi, Transport transport) {
        this.jdbi = jdbi;
        this.transport = transport;
    }

    /** Redis pub/sub when {@code redisUrl} is given, PostgreSQL NOTIFY otherwise. */
    public static EventBus create(Jdbi jdbi, Supplier<Connection> listenConnections, Optional<String> redisUrl) {
        return new EventBus(jdbi, redisUrl.<Transport>map(RedisTransport::new)
                .orElseGet(() -> new PostgresTransport(listenConnections)));
    }

    /** Which transport carries messages between processes, for logs and metrics. */
    public String transportName() {
        return transport instanceof RedisTransport ? "redis" : "postgresql";
    }

    /** Publishes one event on one channel, in the caller's transaction. */
    public void publish(Handle h, String channel, String event, String payload) {
        publish(h, List.of(channel), event, payload);
    }

    /**
     * Publishes one event on each of {@code channels} that a live node listens to; inside
     * {@link #publishLast}, at its end.
     */
    public void publish(Handle h, Collection<String> channels, String event, String payload) {
        List<BusMessage> messages = channels.stream().distinct().map(c -> new BusMessage(c, event, payload)).toList();
        if (!messages.isEmpty() && !heldBack.hold(h, messages)) {
            send(h, messages);
        }
    }

    /**
     * Runs {@code work} in the caller's transaction, then publishes what it published, looking up
     * who listens once for all of it: a batch of inbound posts publishes on many channels.
     */
    public void publishLast(Handle h, Runnable work) {
        List<BusMessage> messages = heldBack.collect(h, work).stream().flatMap(List::stream).toList();
        if (!messages.isEmpty()) {
            send(h, messages);
        }
    }

    private void send(Handle h, List<BusMessage> messages) {
        Set<String> channels = new HashSet<>();
        messages.forEach(m -> channels.add(m.channel()));
        Map<String, Boolean> listening = store.listeners(h, channels, node);
        for (BusMessage message : messages) {
            Boolean remote = listening.get(message.channel());
            if (remote == null) {
                continue;
            }
            if (remote) {
                transport.send(h, message);
            } else if (h.isInTransaction()) {
                h.afterCommit(() -> deliver(message));
            } else {
                deliver(message);
            }
        }
    }

    /** Makes this process a listening node: messages of its channels go to {@code receiver}. */
    public void start(Consumer<BusMessage> receiver) {
        this.receiver = receiver;
        jdbi.useHandle(h -> store.register(h, node, List.of()));
        transport.receive(this::deliver);
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("bus-heartbeat").factory());
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /** One more local listener of {@code channel}; the first registers it before this returns. */
    public void listen(String channel) {
        listened.compute(channel, (c, count) -> {
            if (count == null) {
                if (!left) {
                    jdbi.useHandle(h -> store.add(h, node, c));
                }
                return 1;
            }
            return count + 1;
        });
    }

    /** One local listener fewer; the last unregisters the channel. */
    public void unlisten(String channel) {
        listened.computeIfPresent(channel, (c, count) -> {
            if (count > 1) {
                return count - 1;
            }
            if (left) {
                return null;
            }
            try {
                jdbi.useHandle(h -> store.remove(h, node, c));
            } catch (RuntimeException e) {
                // Harmless: publishers send a little more until the node's rows go with it.
                log.warn("unregistering {} failed: {}", c, e.getMessage());
            }
            return null;
        });
    }

    /** How many channels this node listens to. */
    public int channelCount() {
        return listened.size();
    }

    private void deliver(BusMessage message) {
        Consumer<BusMessage> r = receiver;
        if (r != null && listened.containsKey(message.channel())) {
            r.accept(message);
        }
    }

    private void beat() {
        try {
            jdbi.useTransaction(h -> {
                if (!store.touch(h, node)) {
                    store.register(h, node, List.copyOf(listened.keySet()));
                }
                store.forgetDead(h);
            });
        } catch (RuntimeException e) {
            log.warn("bus heartbeat failed: {}", e.getMessage());
        }
    }

    /**
     * Unregisters this node and all its channels in one statement, before its connections close
     * (one by one they would each write); publishers stop sending to it at once.
     */
    public void leave() {
        if (heartbeat == null || left) {
            return;
        }
        left = true;
        heartbeat.shutdownNow();
        try {
            jdbi.useHandle(h -> store.removeNode(h, node));
        } catch (RuntimeException e) {
            log.debug("unregistering the node failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        leave();
        transport.close();
    }
}
