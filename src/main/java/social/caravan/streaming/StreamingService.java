package social.caravan.streaming;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.announcements.AnnouncementsApi;
import social.caravan.conversations.ConversationsApi;
import social.caravan.core.bus.BusMessage;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.json.Json;
import social.caravan.filters.FilterService;
import social.caravan.lists.ListService;
import social.caravan.notifications.NotificationsApi;
import social.caravan.relationships.RelationshipService;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;
import social.caravan.timelines.FeedService;

/**
 * The streaming node: which connection listens to which bus channel, and what each one receives.
 * Messages from the bus are handled one at a time, in order, on one thread: a status on a public
 * or hashtag stream is rendered once and checked per viewer (blocks, mutes, domain blocks and
 * filters, each one statement for all the node's viewers); everything else is rendered for its
 * one viewer. Sending only queues, so the thread never waits for a client.
 */
public final class StreamingService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamingService.class);

    /** How the streaming node reaches the rooms whose entities it renders. */
    public record Renderers(StatusService statuses, FilterService filters, RelationshipService relationships,
                            NotificationsApi notifications, ConversationsApi conversations,
                            AnnouncementsApi announcements, ListService lists, FeedService feeds) {}

    private final EventBus bus;
    private final Renderers rooms;
    private final Map<String, Set<Subscription>> byChannel = new ConcurrentHashMap<>();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<BusMessage> inbox = new LinkedBlockingQueue<>();
    private final Thread dispatcher;
    private volatile boolean running = true;
    private final MeterRegistry meters;
    private final Map<String, AtomicInteger> connected = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> subscribed = new ConcurrentHashMap<>();
    private final Counter received;
    private final Timer dispatched;
    /** Sends of one event to many connections are shared among these threads, one per core. */
    private final ExecutorService senders;

    /** A connection's interest in one channel, through one of its streams. */
    private record Subscription(Client client, Stream stream) {}

    public StreamingService(EventBus bus, Renderers rooms, MeterRegistry meters) {
        this.bus = bus;
        this.rooms = rooms;
        this.meters = meters;
        this.received = Counter.builder("caravan_streaming_bus_messages_received")
                .description("Bus messages this streaming node received for its channels").register(meters);
        Gauge.builder("caravan_streaming_bus_channels", bus, EventBus::channelCount)
                .description("Bus channels this streaming node listens to").register(meters);
        this.dispatched = Timer.builder("caravan_streaming_dispatch")
                .description("Handling one bus message: checks, rendering and queueing it for every connection").register(meters);
        this.senders = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
                Thread.ofPlatform().name("streaming-send-", 0).daemon().factory());
        this.dispatcher = Thread.ofPlatform().name("streaming-dispatch").daemon().start(this::dispatchLoop);
    }

    /** Starts receiving from the bus. */
    public StreamingService start() {
        bus.start(message -> {
            received.increment();
            inbox.add(message);
        });
        return this;
    }

    // Connections and subscriptions

    void opened(Client client) {
        clients.add(client);
        gauge(connected, "caravan_streaming_connected_clients", "Open stream connections", client.type(), null)
                .incrementAndGet();
        // A revoked token's connections hear "kill" here.
        bus.listen(Channels.accessToken(client.principal.tokenId()));
    }

    void closed(Client client) {
        if (!clients.remove(client)) {
            return;
        }
        for (Stream stream : List.copyOf(client.streams.values())) {
            unsubscribe(client, stream);
        }
        bus.unlisten(Channels.accessToken(client.principal.tokenId()));
        gauge(connected, "caravan_streaming_connected_clients", "Open stream connections", client.type(), null)
                .decrementAndGet();
    }

    void subscribe(Client client, Stream stream) {
        if (client.streams.putIfAbsent(stream.key(), stream) != null) {
            return;
        }
        if (stream.name().equals("user")) {
            // An open user stream keeps the home feed filled, as reading home does; before the channels
            // are registered, so a post that finds the channel also finds the feed active.
            rooms.feeds().activate(client.accountId);
        }
        Subscription subscription = new Subscription(client, stream);
        for (String channel : stream.channels()) {
            byChannel.compute(channel, (c, subs) -> {
                Set<Subscription> kept = subs == null ? ConcurrentHashMap.newKeySet() : subs;
                kept.add(subscription);
                return kept;
            });
            bus.listen(channel);
        }
        gauge(subscribed, "caravan_streaming_connected_channels", "Streams subscribed to, by stream", client.type(),
                stream.name()).incrementAndGet();
    }

    void unsubscribe(Client client, Stream stream) {
        if (client.streams.remove(stream.key()) == null) {
            return;
        }
        Subscription subscription = new Subscription(client, stream);
        for (String channel : stream.channels()) {
            // A channel's set goes with its last subscription, so per-account channels do not pile up.
            byChannel.computeIfPresent(channel, (c, subs) -> {
                subs.remove(subscription);
                return subs.isEmpty() ? null : subs;
            });
            bus.unlisten(channel);
        }
        gauge(subscribed, "caravan_streaming_connected_channels", "Streams subscribed to, by stream", client.type(),
                stream.name()).decrementAndGet();
    }

    boolean ownsList(long accountId, long listId) {
        try {
            rooms.lists().get(accountId, listId);
            return true;
        } catch (social.caravan.core.http.ApiException e) {
            return false;
        }
    }

    Counter sentCounter(String type) {
        return Counter.builder("caravan_streaming_messages_sent").tag("type", type)
                .description("Messages sent to stream connections").register(meters);
    }

    private AtomicInteger gauge(Map<String, AtomicInteger> gauges, String name, String description, String type,
                                String stream) {
        String key = type + "|" + stream;
        return gauges.computeIfAbsent(key, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.Builder<AtomicInteger> builder = Gauge.builder(name, value, AtomicInteger::get).description(description)
                    .tag("type", type);
            if (stream != null) {
                builder.tag("channel", stream);
            }
            builder.register(meters);
            return value;
        });
    }

    // Dispatch

    private void dispatchLoop() {
        while (running) {
            BusMessage message;
            try {
                message = inbox.take();
            } catch (InterruptedException e) {
                return;
            }
            long started = System.nanoTime();
            try {
                dispatch(message);
                dispatched.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                log.warn("streaming {} on {} failed: {}", message.event(), message.channel(), e.toString());
            }
        }
    }

    private void dispatch(BusMessage message) {
        Set<Subscription> subs = byChannel.getOrDefault(message.channel(), Set.of());
        if (message.event().equals("kill")) {
            clients.stream().filter(c -> message.channel().equals(Channels.accessToken(c.principal.tokenId())))
                    .forEach(Client::close);
            return;
        }
        if (subs.isEmpty()) {
            return;
        }
        switch (message.event()) {
            case "update", "status.update" -> statusEvent(message, List.copyOf(subs));
            case "notification" -> perViewer(message, subs, viewer -> json(rooms.notifications()
                    .renderOne(viewer, Long.parseLong(message.payload()))));
            case "conversation" -> perViewer(message, subs, viewer -> json(rooms.conversations()
                    .renderOne(viewer, Long.parseLong(message.payload()))));
            case "announcement" -> perViewer(message, subs, viewer -> json(rooms.announcements()
                    .renderOne(viewer, Long.parseLong(message.payload()))));
            default -> {
                Messages out = new Messages(message.event());
                List<Delivery> deliveries = subs.stream()
                        .map(s -> new Delivery(s.client(), out.of(s.stream().label(), message.payload()))).toList();
                inParallel(deliveries, d -> d.client().send(d.message()));
            }
        }
    }

    /** The outgoing messages of one event, one per stream label and payload, shared by the connections that get them. */
    private static final class Messages {
        private final String event;
        private final Map<List<String>, Map<String, Outgoing>> made = new HashMap<>();

        Messages(String event) {
            this.event = event;
        }

        Outgoing of(List<String> label, String payload) {
            return made.computeIfAbsent(label, l -> new HashMap<>())
                    .computeIfAbsent(payload == null ? "" : payload, p -> new Outgoing(label, event, payload));
        }
    }

    private static String json(Optional<?> view) {
        return view.map(Json::write).orElse(null);
    }

    /** Renders once per viewer; nothing goes to a viewer who may not see it. */
    private void perViewer(BusMessage message, Set<Subscription> subs, LongFunction<String> render) {
        Map<Long, String> rendered = new HashMap<>();
        Messages out = new Messages(message.event());
        for (Subscription s : subs) {
            String payload = rendered.computeIfAbsent(s.client().accountId, render::apply);
            if (payload != null) {
                s.client().send(out.of(s.stream().label(), payload));
            }
        }
    }

    private void statusEvent(BusMessage message, List<Subscription> subs) {
        long statusId = Long.parseLong(message.payload());
        List<Subscription> shared = subs.stream().filter(s -> s.stream().shared()).toList();
        if (!shared.isEmpty()) {
            sharedStatus(message, statusId, shared);
        }
        List<Subscription> own = subs.stream().filter(s -> !s.stream().shared()).toList();
        Map<Long, String> rendered = new HashMap<>();
        Messages out = new Messages(message.event());
        for (Subscription s : own) {
            String payload = rendered.computeIfAbsent(s.client().accountId, viewer -> {
                List<StatusJson.StatusView> views = rooms.filters().apply(viewer, s.stream().context(),
                        rooms.statuses().viewsOf(List.of(statusId), viewer));
                return views.isEmpty() ? null : Json.write(views.getFirst());
            });
            if (payload != null) {
                s.client().send(out.of(s.stream().label(), payload));
            }
        }
    }

    /**
     * A status on public and hashtag streams, as Mastodon sends it: rendered for nobody in
     * particular, then left out for viewers who block or mute its author or someone it mentions
     * (or block the author's domain, or are blocked by the author), and marked with each viewer's
     * filters.
     */
    private void sharedStatus(BusMessage message, long statusId, List<Subscription> subs) {
        List<StatusJson.StatusView> views = rooms.statuses().viewsOf(List.of(statusId), 0);
        if (views.isEmpty()) {
            return;
        }
        StatusJson.StatusView view = views.getFirst();
        Set<Long> viewers = new HashSet<>();
        subs.forEach(s -> viewers.add(s.client().accountId));
        String acct = view.account().acct();
        String domain = acct.contains("@") ? acct.substring(acct.indexOf('@') + 1) : null;
        List<Long> mentioned = new ArrayList<>();
        view.mentions().forEach(m -> mentioned.add(Long.parseLong(m.id())));
        Set<Long> hidden = rooms.relationships().hiding(viewers, Long.parseLong(view.account().id()), mentioned, domain);
        Set<Long> filtering = rooms.filters().filtering(viewers);
        String plain = Json.write(view);
        Messages out = new Messages(message.event());
        List<Delivery> deliveries = new ArrayList<>(subs.size());
        Map<Long, String> filtered = new HashMap<>();
        for (Subscription s : subs) {
            long viewer = s.client().accountId;
            if (hidden.contains(viewer)) {
                continue;
            }
            String payload = plain;
            if (filtering.contains(viewer)) {
                payload = filtered.computeIfAbsent(viewer, v -> {
                    List<StatusJson.StatusView> kept = rooms.filters().apply(v, StatusFilters.Context.PUBLIC, List.of(view));
                    return kept.isEmpty() ? null : Json.write(kept.getFirst());
                });
            }
            if (payload != null) {
                deliveries.add(new Delivery(s.client(), out.of(s.stream().label(), payload)));
            }
        }
        // Encoded once here, so the senders only send.
        deliveries.forEach(d -> d.message().socketBytes());
        inParallel(deliveries, d -> d.client().send(d.message()));
    }

    private record Delivery(Client client, Outgoing message) {}

    /** Below this many connections one thread sends; above, the senders share the list. */
    private static final int PARALLEL_FROM = 500;

    /**
     * Runs {@code send} for every subscription, on the sender threads when there are many, and
     * returns when all are queued, so the next message never overtakes this one on a connection.
     */
    private <T> void inParallel(List<T> items, java.util.function.Consumer<T> send) {
        if (items.size() < PARALLEL_FROM) {
            items.forEach(send);
            return;
        }
        int threads = Runtime.getRuntime().availableProcessors();
        int chunk = (items.size() + threads - 1) / threads;
        List<Future<?>> running = new ArrayList<>();
        for (int from = 0; from < items.size(); from += chunk) {
            List<T> part = items.subList(from, Math.min(items.size(), from + chunk));
            running.add(senders.submit(() -> part.forEach(send)));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                log.warn("sending failed: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How many connections are open on this node. */
    public int connections() {
        return clients.size();
    }

    @Override
    public void close() {
        running = false;
        dispatcher.interrupt();
        senders.shutdownNow();
        List.copyOf(clients).forEach(Client::close);
    }
}
