package social.caravan.streaming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.embedded.RedisServer;
import social.caravan.support.TestServer;

/** The cluster with Redis pub/sub between processes: a real Redis server on loopback, REDIS_URL on every node. */
class StreamingRedisBusTest extends StreamingClusterTest {
    private RedisServer redis;
    private int port;

    @BeforeAll
    @Override
    void start() {
        port = TestServer.freePort();
        try {
            redis = RedisServer.newRedisServer().port(port).setting("bind 127.0.0.1").build();
            redis.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        super.start();
    }

    @AfterAll
    @Override
    void stop() {
        super.stop();
        try {
            redis.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    Map<String, String> busEnv() {
        return Map.of("REDIS_URL", "redis://127.0.0.1:" + port);
    }
}
