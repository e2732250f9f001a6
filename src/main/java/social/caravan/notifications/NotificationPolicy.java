package social.caravan.notifications;

import java.util.List;

/**
 * What a person does with notifications from some senders (Mastodon's NotificationPolicy): each
 * field is {@code accept}, {@code filter} (into a request) or {@code drop}.
 */
record NotificationPolicy(String forNotFollowing, String forNotFollowers, String forNewAccounts,
                          String forPrivateMentions, String forLimitedAccounts) {
    static final String ACCEPT = "accept";
    static final String FILTER = "filter";
    static final String DROP = "drop";
    static final List<String> VALUES = List.of(ACCEPT, FILTER, DROP);

    /** Mastodon's defaults: private mentions and limited accounts filtered, everything else accepted. */
    static final NotificationPolicy DEFAULT = new NotificationPolicy(ACCEPT, ACCEPT, ACCEPT, FILTER, FILTER);

    /** The strictest of the verdicts that apply: drop over filter over accept. */
    static String strictest(List<String> verdicts) {
        if (verdicts.contains(DROP)) {
            return DROP;
        }
        return verdicts.contains(FILTER) ? FILTER : ACCEPT;
    }
}
