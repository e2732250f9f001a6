package social.caravan.core.queue;

/** Sends one delivery. It never throws: every failure is an {@link Outcome}. */
@FunctionalInterface
public interface Sender {
    Outcome send(Delivery delivery);

    enum Outcome {
        /** Taken (2xx). */
        DELIVERED,
        /** Refused for good (a 4xx other than 401, 408 and 429): the destination is up, the delivery is dropped. */
        REJECTED,
        /** The destination failed (5xx, 401, 408, 429, no answer): the whole lane waits and tries again. */
        RETRY;

        /** Mastodon's reading of a response status. */
        public static Outcome ofStatus(int status) {
            if (status >= 200 && status < 300) {
                return DELIVERED;
            }
            if (status >= 400 && status < 500 && status != 401 && status != 408 && status != 429) {
                return REJECTED;
            }
            return RETRY;
        }
    }
}
