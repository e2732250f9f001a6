package social.caravan.federation.handlers;

/**
 * Applies one type of activity through the services the client API uses. Runs as an ingress job:
 * it must be idempotent (a job may run twice); {@link Dropped} ends it with a logged reason, any other
 * exception retries it.
 */
@FunctionalInterface
public interface ActivityHandler {
    void handle(Activity activity);
}
