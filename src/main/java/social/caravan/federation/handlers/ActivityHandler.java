package social.caravan.federation.handlers;

/**
 * Applies one type of activity through the services the client API uses. Runs as an ingress job:
 * it must be idempotent (a job may run twice); {@link Dropped} ends it with a logged reason, any other
 * exception retries it.
 */
@FunctionalInterface
public interface ActivityHandler {
    void handle(Activity activity);

    /**
     * Whether applying it would fetch something from another server first (an unknown status it
     * replies to or boosts, an account it mentions, an actor to read again). Such an activity is
     * applied on its own, never inside a batch's open transaction, which a slow server would hold.
     */
    default boolean fetches(Activity activity) {
        return false;
    }
}
