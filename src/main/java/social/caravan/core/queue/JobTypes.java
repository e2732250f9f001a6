package social.caravan.core.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a worker can do: a handler and a retry policy per job type, and the recurring jobs. */
public final class JobTypes {
    /** {@code batch} null: the type's jobs run one at a time; else up to {@code maxBatch} claimed together run at once. */
    record Registration(JobHandler handler, RetryPolicy retry, BatchHandler batch, int maxBatch) {}

    /** A job enqueued once every {@code every}, by exactly one process in the cluster. */
    public record Recurring(String name, String queue, String type, Duration every) {}

    private final Map<String, Registration> handlers = new HashMap<>();
    private final List<Recurring> recurring = new ArrayList<>();

    public JobTypes register(String type, JobHandler handler, RetryPolicy retry) {
        return add(type, new Registration(handler, retry, null, 1));
    }

    /**
     * A type whose jobs, when a worker claims several at once, run up to {@code maxBatch} together
     * through {@code batch}; {@code handler} runs them alone (a single claim, or a batch that failed).
     */
    public JobTypes registerBatched(String type, JobHandler handler, BatchHandler batch, int maxBatch, RetryPolicy retry) {
        if (maxBatch < 2) {
            throw new IllegalArgumentException("a batch holds at least two jobs");
        }
        return add(type, new Registration(handler, retry, batch, maxBatch));
    }

    private JobTypes add(String type, Registration registration) {
        if (handlers.putIfAbsent(type, registration) != null) {
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
