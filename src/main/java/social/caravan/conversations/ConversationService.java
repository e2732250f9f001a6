package social.caravan.conversations;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.statuses.DirectStatuses;
import social.caravan.statuses.Status;

/**
 * Direct messages grouped as Mastodon groups them: each participant keeps a row per thread and
 * set of other participants, updated in the transaction that posts or deletes a direct status.
 * The author's row is read; the recipients' rows become unread.
 */
public final class ConversationService implements DirectStatuses {
    private final Jdbi jdbi;
    private final ConversationStore store = new ConversationStore();

    private final EventBus bus;

    public ConversationService(Jdbi jdbi, EventBus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
    }

    @Override
    public void posted(Handle h, Status status, List<Long> mentionedAccountIds) {
        TreeSet<Long> everyone = new TreeSet<>(mentionedAccountIds);
        everyone.add(status.accountId());
        List<Long> others = mentionedAccountIds.stream().filter(id -> id != status.accountId()).distinct().toList();
        for (long recipient : store.recipients(h, others, status.accountId(), status.conversationId())) {
            store.add(h, recipient, status.conversationId(), without(everyone, recipient), status.id(), true)
                    .ifPresent(id -> announce(h, recipient, id));
        }
        store.add(h, status.accountId(), status.conversationId(), without(everyone, status.accountId()), status.id(), false)
                .ifPresent(id -> announce(h, status.accountId(), id));
    }

    /** The account's direct stream hears of the conversation, as Mastodon's {@code conversation} event. */
    private void announce(Handle h, long accountId, long conversationId) {
        bus.publish(h, Channels.direct(accountId), "conversation", Long.toString(conversationId));
    }

    /** One of the account's conversations, as the direct stream renders it. */
    public Optional<Conversation> find(long accountId, long id) {
        return jdbi.withHandle(h -> store.find(h, accountId, id));
    }

    @Override
    public void deleted(Handle h, Status status) {
        store.remove(h, status.conversationId(), status.id());
    }

    /** The participants as {@code accountId} sees them: everyone else, in id order. */
    private static List<Long> without(TreeSet<Long> everyone, long accountId) {
        List<Long> others = new ArrayList<>(everyone);
        others.remove(Long.valueOf(accountId));
        return others;
    }

    public List<Conversation> page(long accountId, Window window) {
        return jdbi.withHandle(h -> store.page(h, accountId, window));
    }

    /** 404 for a conversation that is not the account's own. */
    public Conversation markRead(long accountId, long id) {
        return jdbi.inTransaction(h -> {
            Conversation found = store.find(h, accountId, id).orElseThrow(ApiException::notFound);
            store.markRead(h, id);
            return new Conversation(found.id(), found.accountId(), found.participantIds(), found.lastStatusId(), false);
        });
    }

    /** Removes the conversation from the account's list; new direct statuses in it bring it back. */
    public void remove(long accountId, long id) {
        if (!jdbi.withHandle(h -> store.delete(h, accountId, id))) {
            throw ApiException.notFound();
        }
    }
}
