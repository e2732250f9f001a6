package social.caravan.core.bus;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH on one Redis channel after the publisher's transaction commits. Lettuce reconnects by
 * itself and re-subscribes; what is published while a subscriber is away is lost, as on Mastodon.
 */
final class RedisTransport implements Transport {
    static final String CHANNEL = "caravan:bus";
    private static final Logger log = LoggerFactory.getLogger(RedisTransport.class);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> publisher;
    private StatefulRedisPubSubConnection<String, String> subscriber;

    RedisTransport(String url) {
        this.client = RedisClient.create(url);
        this.publisher = client.connect();
    }

    @Override
    public void send(Handle h, BusMessage message) {
        String text = message.encode();
        Runnable publish = () -> publisher.async().publish(CHANNEL, text).exceptionally(e -> {
            log.warn("publishing on Redis failed: {}", e.getMessage());
            return 0L;
        });
        if (h.isInTransaction()) {
            h.afterCommit(publish::run);
        } else {
            publish.run();
        }
    }

    @Override
    public void receive(Consumer<BusMessage> receiver) {
        subscriber = client.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                try {
                    receiver.accept(BusMessage.decode(message));
                } catch (RuntimeException e) {
                    log.warn("ignoring a {} message: {}", CHANNEL, e.getMessage());
                }
            }
        });
        subscriber.sync().subscribe(CHANNEL);
    }

    @Override
    public void close() {
        if (subscriber != null) {
            subscriber.close();
        }
        publisher.close();
        client.shutdown();
    }
}
