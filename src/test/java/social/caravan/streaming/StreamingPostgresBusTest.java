package social.caravan.streaming;

import java.util.Map;

/** The cluster with PostgreSQL NOTIFY between processes (no REDIS_URL). */
class StreamingPostgresBusTest extends StreamingClusterTest {
    @Override
    Map<String, String> busEnv() {
        return Map.of();
    }
}
