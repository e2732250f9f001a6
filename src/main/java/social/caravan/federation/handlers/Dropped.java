package social.caravan.federation.handlers;

/** An activity that cannot be applied and never will be: logged with its reason, never retried. */
public final class Dropped extends RuntimeException {
    public Dropped(String reason) {
        super(reason, null, false, false);
    }
}
