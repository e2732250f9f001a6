package social.caravan.core.bus;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** The registry of listening nodes and their channels (migration V011). */
final class BusStore {
    /** A node not seen for this long is ignored by publishers. */
    static final int ALIVE_SECONDS = 30;
    /** A node not seen for this long is deleted, with its channels. */
    static final int FORGOTTEN_SECONDS = 600;

    /** Which of {@code channels} live nodes listen to: true when a node other than {@code self} does. */
    Map<String, Boolean> listeners(Handle h, Collection<String> channels, String self) {
        Map<String, Boolean> found = new HashMap<>();
        h.createQuery("""
                        SELECT c.channel, bool_or(c.node_id <> :self) AS remote
                          FROM streaming_channels c
                          JOIN streaming_nodes n ON n.id = c.node_id
                         WHERE c.channel = ANY(:channels)
                           AND n.seen_at > now() - make_interval(secs => :alive)
                         GROUP BY c.channel""")
                .bind("channels", channels.toArray(String[]::new))
                .bind("self", self)
                .bind("alive", ALIVE_SECONDS)
                .map((rs, ctx) -> found.put(rs.getString("channel"), rs.getBoolean("remote")))
                .list();
        return found;
    }

    /** Marks the node alive; false when it was forgotten (its channels must be registered again). */
    boolean touch(Handle h, String node) {
        return h.createUpdate("UPDATE streaming_nodes SET seen_at = now() WHERE id = :node")
                .bind("node", node).execute() == 1;
    }

    void register(Handle h, String node, Collection<String> channels) {
        h.createUpdate("INSERT INTO streaming_nodes (id) VALUES (:node) ON CONFLICT (id) DO UPDATE SET seen_at = now()")
                .bind("node", node).execute();
        if (!channels.isEmpty()) {
            h.createUpdate("""
                            INSERT INTO streaming_channels (channel, node_id)
                            SELECT unnest(:channels), :node
                            ON CONFLICT DO NOTHING""")
                    .bind("channels", channels.toArray(String[]::new))
                    .bind("node", node).execute();
        }
    }

    void add(Handle h, String node, String channel) {
        h.createUpdate("INSERT INTO streaming_channels (channel, node_id) VALUES (:channel, :node) ON CONFLICT DO NOTHING")
                .bind("channel", channel).bind("node", node).execute();
    }

    void remove(Handle h, String node, String channel) {
        h.createUpdate("DELETE FROM streaming_channels WHERE channel = :channel AND node_id = :node")
                .bind("channel", channel).bind("node", node).execute();
    }

    void removeNode(Handle h, String node) {
        h.createUpdate("DELETE FROM streaming_nodes WHERE id = :node").bind("node", node).execute();
    }

    void forgetDead(Handle h) {
        h.createUpdate("DELETE FROM streaming_nodes WHERE seen_at < now() - make_interval(secs => :forgotten)")
                .bind("forgotten", FORGOTTEN_SECONDS).execute();
    }
}
