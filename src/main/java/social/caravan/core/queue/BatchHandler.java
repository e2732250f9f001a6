package social.caravan.core.queue;

import java.util.List;

/**
 * Does several claimed jobs of one type together (one transaction for all, say). All of them are
 * done when it returns; when it throws, none is, and the worker runs each one alone with the type's
 * {@link JobHandler}, so one bad job costs the others nothing but the lost batch.
 */
@FunctionalInterface
public interface BatchHandler {
    void handle(List<Job> jobs) throws Exception;
}
