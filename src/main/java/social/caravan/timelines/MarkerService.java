package social.caravan.timelines;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Reading positions in the home and notifications timelines. */
public final class MarkerService {
    public static final List<String> TIMELINES = List.of("home", "notifications");
    private final Jdbi jdbi;
    private final MarkerStore store = new MarkerStore();

    public MarkerService(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public List<Marker> find(long accountId, List<String> timelines) {
        return jdbi.withHandle(h -> store.find(h, accountId, timelines));
    }

    /** Saves the given positions (timeline to last read id) in one transaction and returns them. */
    public List<Marker> save(long accountId, Map<String, Long> positions) {
        return jdbi.inTransaction(h -> {
            positions.forEach((timeline, id) -> store.save(h, accountId, timeline, id));
            return store.find(h, accountId, List.copyOf(positions.keySet()));
        });
    }
}
