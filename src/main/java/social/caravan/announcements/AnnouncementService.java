package social.caravan.announcements;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.core.json.Json;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.statuses.TextFormatter;

/**
 * Announcements operators make from the command line and every user reads, dismisses and reacts to
 * with emoji (at most eight different ones each, as on Mastodon).
 */
public final class AnnouncementService {
    /** The streaming payload of a reaction change, as Mastodon's {@code announcement.reaction} event. */
    record ReactionEvent(String name, int count, String announcementId) {}

    private final EventBus bus;
    static final int MAX_REACTION_NAMES = 8;

    private final Jdbi jdbi;
    private final AnnouncementStore store = new AnnouncementStore();
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final TextFormatter formatter;

    public AnnouncementService(Jdbi jdbi, AccountService accounts, AccountJson accountJson, EventBus bus, String baseUrl) {
        this.bus = bus;
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.formatter = new TextFormatter(baseUrl);
    }

    /** Publishes an announcement now; a time range needs both ends, and all-day needs a range. */
    public long add(String text, Instant startsAt, Instant endsAt, boolean allDay) {
        if (text == null || text.isBlank()) {
            throw ApiException.unprocessable("Validation failed: Text can't be blank");
        }
        if ((startsAt == null) != (endsAt == null)) {
            throw ApiException.unprocessable(startsAt == null ? "Validation failed: Starts at can't be blank"
                    : "Validation failed: Ends at can't be blank");
        }
        if (startsAt != null && !endsAt.isAfter(startsAt)) {
            throw ApiException.unprocessable("An announcement must end after it starts");
        }
        if (allDay && startsAt == null) {
            throw ApiException.unprocessable("An all-day announcement needs a start and an end");
        }
        TextFormatter.Rendered rendered = formatter.render(text.strip(), this::resolveMention);
        return jdbi.inTransaction(h -> {
            long id = store.insert(h, text.strip(), rendered.html(), rendered.mentionedAccountIds(),
                    List.copyOf(rendered.tags()), startsAt, endsAt, allDay);
            bus.publish(h, Channels.ANNOUNCEMENTS, "announcement", Long.toString(id));
            return id;
        });
    }

    /** Local handles only, as statuses resolve them until federation. */
    private TextFormatter.ResolvedMention resolveMention(String[] handle) {
        if (handle[1] != null && !handle[1].equalsIgnoreCase(accountJson.localDomain())) {
            return null;
        }
        return accounts.findLocal(handle[0])
                .map(a -> new TextFormatter.ResolvedMention(a.id(), a.username(), accountJson.profileUrl(a)))
                .orElse(null);
    }

    /** Every announcement, ended ones too, for operators. */
    public List<Announcement> all() {
        return jdbi.withHandle(store::all);
    }

    public void remove(long id) {
        jdbi.useTransaction(h -> {
            if (!store.delete(h, id)) {
                throw ApiException.notFound();
            }
            bus.publish(h, Channels.ANNOUNCEMENTS, "announcement.delete", Long.toString(id));
        });
    }

    /** A reaction as shown: the emoji, how many chose it, and whether the reader did. */
    public record Reaction(long announcementId, String name, int count, boolean me) {}

    /** An announcement as one reader sees it. */
    public record Shown(Announcement announcement, boolean read, List<Account> mentions, List<Reaction> reactions) {}

    /** The announcements showing now, oldest first, with the reader's read flags and reactions. */
    public List<Shown> shown(long viewer) {
        return jdbi.withHandle(h -> {
            List<Announcement> active = store.active(h);
            Set<Long> dismissed = store.dismissed(h, viewer);
            Map<Long, List<Reaction>> reactions = new HashMap<>();
            for (Reaction r : store.reactions(h, active.stream().map(Announcement::id).toList(), viewer)) {
                reactions.computeIfAbsent(r.announcementId(), k -> new ArrayList<>()).add(r);
            }
            Map<Long, Account> mentioned = new HashMap<>();
            accounts.findAll(active.stream().flatMap(a -> a.mentionAccountIds().stream()).distinct().toList())
                    .forEach(a -> mentioned.put(a.id(), a));
            return active.stream().map(a -> new Shown(a, dismissed.contains(a.id()),
                    a.mentionAccountIds().stream().map(mentioned::get).filter(Objects::nonNull).toList(),
                    reactions.getOrDefault(a.id(), List.of()))).toList();
        });
    }

    /** Marks it read for the account; 404 for one not showing. */
    public void dismiss(long accountId, long id) {
        jdbi.useTransaction(h -> {
            store.findActive(h, id).orElseThrow(ApiException::notFound);
            store.dismiss(h, accountId, id);
        });
    }

    /** Mastodon's answers: an unknown emoji, a ninth distinct one, or the same reaction twice are 422. */
    public void react(long accountId, long id, String name) {
        jdbi.useTransaction(h -> {
            store.findActive(h, id).orElseThrow(ApiException::notFound);
            if (name.isBlank()) {
                throw ApiException.unprocessable("Validation failed: Name can't be blank");
            }
            if (!Emojis.isEmoji(name)) {
                throw ApiException.unprocessable("Validation failed: Name is not a recognized emoji");
            }
            store.lock(h, id);
            if (!store.hasName(h, id, name) && store.otherNames(h, id, name) >= MAX_REACTION_NAMES) {
                throw ApiException.unprocessable("Validation failed: Limit of different reactions reached");
            }
            if (!store.react(h, accountId, id, name)) {
                throw ApiException.unprocessable("Duplicate record");
            }
            reacted(h, id, name);
        });
    }

    /** 404 when the account has no such reaction there. */
    public void unreact(long accountId, long id, String name) {
        jdbi.useTransaction(h -> {
            store.findActive(h, id).orElseThrow(ApiException::notFound);
            if (!store.unreact(h, accountId, id, name)) {
                throw ApiException.notFound();
            }
            reacted(h, id, name);
        });
    }

    /** Tells user streams how many now chose this reaction. */
    private void reacted(Handle h, long id, String name) {
        bus.publish(h, Channels.ANNOUNCEMENTS, "announcement.reaction",
                Json.write(new ReactionEvent(name, store.reactionCount(h, id, name), Long.toString(id))));
    }

    /** One announcement showing now, as {@code viewer} sees it. */
    public java.util.Optional<Shown> shownOne(long viewer, long id) {
        return shown(viewer).stream().filter(s -> s.announcement().id() == id).findFirst();
    }
}
