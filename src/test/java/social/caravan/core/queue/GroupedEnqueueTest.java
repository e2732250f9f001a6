package social.caravan.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import social.caravan.core.config.Config;
import social.caravan.core.db.Database;
import social.caravan.support.TestDatabase;

/** Group commits of jobs: each caller returns once its own job is committed, whatever group it went in. */
class GroupedEnqueueTest {
    private Database database;
    private Jdbi jdbi;
    private GroupedEnqueue grouped;

    @BeforeEach
    void freshDatabase() {
        Config.DatabaseTarget target = Config.from(Map.of("DATABASE_URL", TestDatabase.freshDatabaseUrl()))
                .database().orElseThrow();
        database = Database.connect(target, 10);
        jdbi = database.jdbi();
        grouped = new GroupedEnqueue(jdbi);
    }

    @AfterEach
    void close() {
        grouped.close();
        database.close();
    }

    @Test
    void manyCallersAtOnceEachReturnWithTheirJobCommittedAndInFewerTransactions() throws Exception {
        List<Future<Boolean>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String payload = "{\"n\": " + i + "}";
                calls.add(callers.submit(() -> {
                    grouped.enqueue(Queues.INGRESS, "test.grouped", payload);
                    // Committed: another connection sees it as soon as the call returns.
                    return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE payload = :p")
                            .bind("p", payload).mapTo(Integer.class).one()) == 1;
                }));
            }
        }
        for (Future<Boolean> call : calls) {
            assertThat(call.get()).isTrue();
        }
        int stored = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM jobs WHERE queue = 'ingress' AND type = 'test.grouped'")
                .mapTo(Integer.class).one());
        assertThat(stored).isEqualTo(200);
        // Rows a transaction inserted carry its id (xmin): callers that came together shared a commit.
        int transactions = jdbi.withHandle(h -> h.createQuery(
                "SELECT count(DISTINCT xmin::text) FROM jobs WHERE type = 'test.grouped'").mapTo(Integer.class).one());
        assertThat(transactions).isLessThan(200);
    }

    @Test
    void anUnknownQueueIsRefusedAndAClosedQueueTakesNothing() {
        assertThatThrownBy(() -> grouped.enqueue("nowhere", "test.grouped", "{}")).isInstanceOf(IllegalArgumentException.class);
        grouped.close();
        assertThatThrownBy(() -> grouped.enqueue(Queues.INGRESS, "test.grouped", "{}")).isInstanceOf(IllegalStateException.class);
    }
}
