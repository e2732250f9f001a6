package social.caravan.federation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.federation.vocab.ActivityStreams;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;

/**
 * What Notes need beyond the client view, for a page of statuses at once: the actor URIs of the
 * accounts they mention, the URI of the status each replies to (stored for remote statuses,
 * derived from the author for local ones), and their authors' first self-replies.
 */
public final class NoteContexts {
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final StatusService statuses;

    public NoteContexts(AccountService accounts, AccountJson accountJson, StatusService statuses) {
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.statuses = statuses;
    }

    /** By status id (the view's). */
    public Map<String, ActivityStreams.NoteContext> of(List<StatusJson.StatusView> views) {
        List<Long> accountIds = new ArrayList<>();
        List<Long> parents = new ArrayList<>();
        for (StatusJson.StatusView v : views) {
            v.mentions().forEach(m -> accountIds.add(Long.parseLong(m.id())));
            if (v.inReplyToAccountId() != null) {
                accountIds.add(Long.parseLong(v.inReplyToAccountId()));
            }
            if (v.inReplyToId() != null) {
                parents.add(Long.parseLong(v.inReplyToId()));
            }
        }
        Map<Long, Account> byId = new HashMap<>();
        accounts.findAll(accountIds.stream().distinct().toList()).forEach(a -> byId.put(a.id(), a));
        Map<Long, String> parentUris = statuses.storedUris(parents.stream().distinct().toList());
        Map<Long, List<Long>> selfReplies = statuses.selfReplyIds(
                views.stream().map(v -> Long.parseLong(v.id())).toList(), ActivityStreams.NOTE_SELF_REPLIES);
        Map<String, ActivityStreams.NoteContext> out = new HashMap<>();
        for (StatusJson.StatusView v : views) {
            List<String> mentionUris = v.mentions().stream().map(m -> byId.get(Long.parseLong(m.id())))
                    .filter(Objects::nonNull).map(accountJson::actorUri).toList();
            Account parentAuthor = v.inReplyToAccountId() == null ? null : byId.get(Long.parseLong(v.inReplyToAccountId()));
            String inReplyTo = null;
            if (v.inReplyToId() != null) {
                inReplyTo = parentUris.get(Long.parseLong(v.inReplyToId()));
                if (inReplyTo == null && parentAuthor != null) {
                    inReplyTo = accountJson.actorUri(parentAuthor) + "/statuses/" + v.inReplyToId();
                }
            }
            out.put(v.id(), new ActivityStreams.NoteContext(mentionUris, inReplyTo,
                    selfReplies.getOrDefault(Long.parseLong(v.id()), List.of())));
        }
        return out;
    }
}
