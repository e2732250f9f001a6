package social.caravan.core.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a worker can do: a handler and a retry policy per job type, and the recurring jobs. */
public final class JobTypes {
    record Registration(JobHandler handler, RetryPolicy retry) {}

    /** A job enqueued once every {@code every}, by exactly one process in the cluster. */
    public record Recurring(String name, String queue, String type, Duration every) {}

    private final Map<String, Registration> handlers = new HashMap<>();
    private final List<Recurring> recurring = new ArrayList<>();

    public JobTypes register(String type, JobHandler handler, RetryPolicy retry) {
        if (handlers.putIfAbsent(type, new Registration(handler, retry)) != null) {
            throw new IllegalStateException("job type " + type + " is registered twice");
        }
        return this;
    }

    public JobTypes register(String type, JobHandler handler) {
        return register(type, handler, RetryPolicy.DEFAULT);
    }

    /** Runs job {@code type} on {@code queue} every {@code every}; the type needs a handler too. */
    public JobTypes every(Duration every, String name, String queue, String type) {
        if (every.toSeconds() < 1) {
            throw new IllegalArgumentException("recurring jobs run at most once a second");
        }
        recurring.add(new Recurring(name, queue, type, every));
        return this;
    }

    Optional<Registration> find(String type) {
        return Optional.ofNullable(handlers.get(type));
    }

    List<Recurring> recurring() {
        return List.copyOf(recurring);
    }
}
