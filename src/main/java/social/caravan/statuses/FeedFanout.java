package social.caravan.statuses;

import org.jdbi.v3.core.Handle;

/**
 * Puts a stored remote status into its readers' feeds inside the transaction that stores it: remote
 * posts come at the inbox's rate, and a fan-out job of their own would double the transactions and
 * queue traffic per post. An interface here keeps the dependency one-way (timelines -> statuses);
 * {@code App} passes the timelines room in.
 */
public interface FeedFanout {
    void fanout(Handle h, long statusId);
}
