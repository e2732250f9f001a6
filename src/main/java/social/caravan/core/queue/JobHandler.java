package social.caravan.core.queue;

/**
 * Does one job. Delivery is at least once: a job may run again after its worker died, so a
 * handler must be idempotent. Throwing retries the job (by its type's policy); throwing
 * {@link Job.BadPayloadException} sends it to the dead set at once.
 */
@FunctionalInterface
public interface JobHandler {
    void handle(Job job) throws Exception;
}
