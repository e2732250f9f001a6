package social.caravan.core.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The named queues, with Mastodon's meanings and weights: a worker looks at heavier queues more
 * often, and still at every queue it serves, so none starves.
 */
public final class Queues {
    public static final String DEFAULT = "default";
    public static final String PUSH = "push";
    public static final String INGRESS = "ingress";
    public static final String MAILERS = "mailers";
    public static final String PULL = "pull";
    public static final String SCHEDULER = "scheduler";

    /** Queue name to weight, in priority order. */
    public static final Map<String, Integer> WEIGHTS;

    static {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(DEFAULT, 8);
        weights.put(PUSH, 6);
        weights.put(INGRESS, 4);
        weights.put(MAILERS, 2);
        weights.put(PULL, 1);
        weights.put(SCHEDULER, 1);
        WEIGHTS = java.util.Collections.unmodifiableMap(weights);
    }

    private Queues() {}

    public static List<String> all() {
        return List.copyOf(WEIGHTS.keySet());
    }

    /** Checks queue names an operator typed; throws naming the unknown one. */
    public static List<String> parse(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            String trimmed = name.trim();
            if (!WEIGHTS.containsKey(trimmed)) {
                throw new IllegalArgumentException("Unknown queue '" + trimmed + "': choose from " + String.join(", ", all()));
            }
            if (!out.contains(trimmed)) {
                out.add(trimmed);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No queue given: choose from " + String.join(", ", all()));
        }
        return out;
    }

    /** The served queues in a weighted random order, for one claim. */
    static List<String> weightedOrder(List<String> served) {
        List<String> pool = new ArrayList<>(served);
        List<String> order = new ArrayList<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!pool.isEmpty()) {
            int total = pool.stream().mapToInt(q -> WEIGHTS.getOrDefault(q, 1)).sum();
            int pick = random.nextInt(total);
            for (int i = 0; i < pool.size(); i++) {
                pick -= WEIGHTS.getOrDefault(pool.get(i), 1);
                if (pick < 0) {
                    order.add(pool.remove(i));
                    break;
                }
            }
        }
        return order;
    }
}
