package social.caravan.federation.vocab;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.core.html.Html;
import social.caravan.polls.PollJson;
import social.caravan.statuses.StatusJson;
import social.caravan.tags.TagJson;

/**
 * ActivityPub documents as Mastodon 4.4 renders them: actors (Person, the instance's Application),
 * Notes with their Create, boosts as Announce, and collections. Documents are ordered maps, so keys keep
 * ActivityStreams' camelCase and Mastodon's order; times are whole seconds in UTC.
 */
public final class ActivityStreams {
    public static final String AS = "https://www.w3.org/ns/activitystreams";
    public static final String PUBLIC = AS + "#Public";
    public static final String SECURITY = "https://w3id.org/security/v1";
    /** The media type peers send and expect. */
    public static final String MEDIA_TYPE = "application/activity+json";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** The JSON-LD terms Mastodon's actors use beyond ActivityStreams and security/v1. */
    private static final Map<String, Object> ACTOR_TERMS = map(
            "manuallyApprovesFollowers", "as:manuallyApprovesFollowers",
            "toot", "http://joinmastodon.org/ns#",
            "featured", map("@id", "toot:featured", "@type", "@id"),
            "featuredTags", map("@id", "toot:featuredTags", "@type", "@id"),
            "alsoKnownAs", map("@id", "as:alsoKnownAs", "@type", "@id"),
            "movedTo", map("@id", "as:movedTo", "@type", "@id"),
            "schema", "http://schema.org#",
            "PropertyValue", "schema:PropertyValue",
            "value", "schema:value",
            "discoverable", "toot:discoverable",
            "suspended", "toot:suspended",
            "memorial", "toot:memorial",
            "indexable", "toot:indexable",
            "attributionDomains", map("@id", "toot:attributionDomains", "@type", "@id"),
            "Hashtag", "as:Hashtag",
            "focalPoint", map("@container", "@list", "@id", "toot:focalPoint"));
    public static final List<Object> ACTOR_CONTEXT = List.of(AS, SECURITY, ACTOR_TERMS);

    /** The terms Mastodon's Notes use. */
    public static final List<Object> NOTE_CONTEXT = List.of(AS, map(
            "ostatus", "http://ostatus.org#",
            "atomUri", "ostatus:atomUri",
            "inReplyToAtomUri", "ostatus:inReplyToAtomUri",
            "conversation", "ostatus:conversation",
            "sensitive", "as:sensitive",
            "toot", "http://joinmastodon.org/ns#",
            "votersCount", "toot:votersCount",
            "Hashtag", "as:Hashtag"));

    private final String baseUrl;
    private final String localDomain;
    private final AccountJson accountJson;

    public ActivityStreams(String baseUrl, String localDomain, AccountJson accountJson) {
        this.baseUrl = baseUrl;
        this.localDomain = localDomain;
        this.accountJson = accountJson;
    }

    public static String time(Instant instant) {
        return TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A local account's actor (Person, or Service for bots). */
    public Map<String, Object> person(Account a, List<TagJson.FeaturedTagView> featuredTags) {
        String id = accountJson.actorUri(a);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", ACTOR_CONTEXT);
        doc.put("id", id);
        doc.put("type", a.bot() ? "Service" : "Person");
        doc.put("following", id + "/following");
        doc.put("followers", id + "/followers");
        doc.put("inbox", id + "/inbox");
        doc.put("outbox", id + "/outbox");
        doc.put("featured", id + "/collections/featured");
        doc.put("featuredTags", id + "/collections/tags");
        doc.put("preferredUsername", a.username());
        doc.put("name", a.displayName());
        doc.put("summary", Html.fromPlainText(a.note()));
        doc.put("url", accountJson.profileUrl(a));
        doc.put("manuallyApprovesFollowers", a.locked());
        doc.put("discoverable", a.discoverable());
        doc.put("indexable", a.indexable());
        doc.put("published", time(a.createdAt().atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant()));
        doc.put("memorial", false);
        doc.put("publicKey", map("id", id + "#main-key", "owner", id, "publicKeyPem", a.publicKey()));
        doc.put("tag", featuredTags.stream().map(t -> (Object) hashtag(t.name())).toList());
        List<Object> attachment = new ArrayList<>();
        for (Account.Field f : a.fields()) {
            attachment.add(map("type", "PropertyValue", "name", f.name(), "value", Html.linkify(f.value())));
        }
        doc.put("attachment", attachment);
        doc.put("endpoints", map("sharedInbox", baseUrl + "/inbox"));
        // Avatars and headers arrive with the media issue; Mastodon omits icon and image until they are set.
        return doc;
    }

    /**
     * A deleted account's actor while its Delete is delivered, as Mastodon renders a suspended one:
     * the endpoints and the public key (peers verify the Delete with it), no profile, {@code suspended}.
     */
    public Map<String, Object> suspendedPerson(String username, boolean bot, Instant createdAt, String publicKeyPem) {
        String id = baseUrl + "/users/" + username;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", ACTOR_CONTEXT);
        doc.put("id", id);
        doc.put("type", bot ? "Service" : "Person");
        doc.put("following", id + "/following");
        doc.put("followers", id + "/followers");
        doc.put("inbox", id + "/inbox");
        doc.put("outbox", id + "/outbox");
        doc.put("featured", id + "/collections/featured");
        doc.put("featuredTags", id + "/collections/tags");
        doc.put("preferredUsername", username);
        doc.put("name", username);
        doc.put("summary", "");
        doc.put("url", baseUrl + "/@" + username);
        doc.put("manuallyApprovesFollowers", false);
        doc.put("discoverable", false);
        doc.put("indexable", false);
        doc.put("published", time(createdAt.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant()));
        doc.put("memorial", false);
        doc.put("publicKey", map("id", id + "#main-key", "owner", id, "publicKeyPem", publicKeyPem));
        doc.put("tag", List.of());
        doc.put("attachment", List.of());
        doc.put("suspended", true);
        doc.put("endpoints", map("sharedInbox", baseUrl + "/inbox"));
        return doc;
    }

    /** The instance actor: an Application named after the domain, with its own key. */
    public Map<String, Object> instanceActor(String publicKeyPem) {
        String id = baseUrl + "/actor";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", ACTOR_CONTEXT);
        doc.put("id", id);
        doc.put("type", "Application");
        doc.put("inbox", id + "/inbox");
        doc.put("outbox", id + "/outbox");
        doc.put("preferredUsername", localDomain);
        doc.put("url", baseUrl + "/about/more?instance_actor=true");
        doc.put("manuallyApprovesFollowers", true);
        doc.put("publicKey", map("id", id + "#main-key", "owner", id, "publicKeyPem", publicKeyPem));
        doc.put("endpoints", map("sharedInbox", baseUrl + "/inbox"));
        return doc;
    }

    /**
     * What a Note needs beyond the client view: the actor URIs of the accounts it mentions (in the
     * view's order), the URI of the status it replies to, if any, and the ids of the author's first
     * public or unlisted replies to it (for its {@code replies}).
     */
    public record NoteContext(List<String> mentionUris, String inReplyToUri, List<Long> selfReplyIds) {}

    /** How many self-replies a Note's {@code replies} lists, as Mastodon. */
    public static final int NOTE_SELF_REPLIES = 5;

    /** A post as a Note (a Question when it has a poll), addressed by its visibility as Mastodon addresses it. */
    public Map<String, Object> note(StatusJson.StatusView s, NoteContext c, boolean withContext) {
        String author = s.account().uri();
        Map<String, Object> doc = new LinkedHashMap<>();
        if (withContext) {
            doc.put("@context", NOTE_CONTEXT);
        }
        doc.put("id", s.uri());
        doc.put("type", s.poll() == null ? "Note" : "Question");
        doc.put("summary", s.spoilerText() == null || s.spoilerText().isEmpty() ? null : s.spoilerText());
        doc.put("inReplyTo", c.inReplyToUri());
        doc.put("published", time(s.createdAt()));
        if (s.editedAt() != null) {
            doc.put("updated", time(s.editedAt()));
        }
        doc.put("url", s.url());
        doc.put("attributedTo", author);
        doc.put("to", to(s.visibility(), author, c.mentionUris()));
        doc.put("cc", cc(s.visibility(), author, c.mentionUris(), null));
        doc.put("sensitive", s.sensitive());
        doc.put("conversation", "tag:" + localDomain.replaceFirst(":\\d+$", "") + ","
                + s.createdAt().atZone(ZoneOffset.UTC).toLocalDate() + ":objectId=" + s.id() + ":objectType=Conversation");
        doc.put("content", s.content());
        if (s.language() != null) {
            doc.put("contentMap", map(s.language(), s.content()));
        }
        doc.put("attachment", List.of());
        List<Object> tags = new ArrayList<>();
        for (int i = 0; i < s.mentions().size() && i < c.mentionUris().size(); i++) {
            StatusJson.MentionView m = s.mentions().get(i);
            tags.add(map("type", "Mention", "href", c.mentionUris().get(i), "name", "@" + m.acct()));
        }
        for (StatusJson.TagView t : s.tags()) {
            tags.add(hashtag(t.name()));
        }
        doc.put("tag", tags);
        // As Mastodon: the first page lists the author's first self-replies; the next goes on from the last
        // of them, or to the other accounts' replies when there are none.
        String replies = s.uri() + "/replies";
        List<String> selfReplies = c.selfReplyIds().stream().map(id -> author + "/statuses/" + id).toList();
        String next = c.selfReplyIds().isEmpty() ? replies + "?only_other_accounts=true&page=true"
                : replies + "?min_id=" + c.selfReplyIds().getLast() + "&page=true";
        doc.put("replies", map("id", replies, "type", "Collection",
                "first", map("type", "CollectionPage", "next", next, "partOf", replies, "items", selfReplies)));
        doc.put("likes", map("id", s.uri() + "/likes", "type", "Collection", "totalItems", s.favouritesCount()));
        doc.put("shares", map("id", s.uri() + "/shares", "type", "Collection", "totalItems", s.reblogsCount()));
        if (s.poll() instanceof PollJson.PollView poll) {
            question(doc, poll);
        }
        return doc;
    }

    /**
     * A poll as Mastodon's Question carries it: the options ({@code anyOf} when several may be chosen, else
     * {@code oneOf}) with their votes, the end, {@code closed} once ended, and the number of voters. Totals a
     * poll hides until its end count as 0, as peers read a missing total.
     */
    private static void question(Map<String, Object> doc, PollJson.PollView poll) {
        List<Object> options = new ArrayList<>();
        for (PollJson.OptionView option : poll.options()) {
            options.add(map("type", "Note", "name", option.title(), "replies",
                    map("type", "Collection", "totalItems", option.votesCount() == null ? 0 : option.votesCount())));
        }
        doc.put(poll.multiple() ? "anyOf" : "oneOf", options);
        if (poll.expiresAt() != null) {
            doc.put("endTime", time(poll.expiresAt()));
            if (poll.expired()) {
                doc.put("closed", time(poll.expiresAt()));
            }
        }
        doc.put("votersCount", poll.votersCount());
    }

    /** The Create of a post, as outboxes list it (and as deliveries will carry it). */
    public Map<String, Object> create(StatusJson.StatusView s, NoteContext c, boolean withContext) {
        Map<String, Object> note = note(s, c, false);
        Map<String, Object> doc = new LinkedHashMap<>();
        if (withContext) {
            doc.put("@context", NOTE_CONTEXT);
        }
        doc.put("id", s.uri() + "/activity");
        doc.put("type", "Create");
        doc.put("actor", s.account().uri());
        doc.put("published", note.get("published"));
        doc.put("to", note.get("to"));
        doc.put("cc", note.get("cc"));
        doc.put("object", note);
        return doc;
    }

    /** A boost: {@code s} is the boost, its {@code reblog} the original. */
    public Map<String, Object> announce(StatusJson.StatusView s, boolean withContext) {
        String actor = s.account().uri();
        Map<String, Object> doc = new LinkedHashMap<>();
        if (withContext) {
            doc.put("@context", AS);
        }
        doc.put("id", s.uri());
        doc.put("type", "Announce");
        doc.put("actor", actor);
        doc.put("published", time(s.createdAt()));
        doc.put("to", to(s.visibility(), actor, List.of()));
        doc.put("cc", cc(s.visibility(), actor, List.of(), s.reblog().account().uri()));
        doc.put("object", s.reblog().uri());
        return doc;
    }

    /** Mastodon's {@code to}: Public, else the followers collection, else (direct) the mentioned. */
    static List<String> to(String visibility, String actor, List<String> mentions) {
        return switch (visibility) {
            case "public" -> List.of(PUBLIC);
            case "unlisted", "private" -> List.of(actor + "/followers");
            default -> mentions;
        };
    }

    /** Mastodon's {@code cc}: a boosted author, then followers or Public, then mentions (not for direct). */
    static List<String> cc(String visibility, String actor, List<String> mentions, String boostedAuthor) {
        List<String> cc = new ArrayList<>();
        if (boostedAuthor != null) {
            cc.add(boostedAuthor);
        }
        switch (visibility) {
            case "public" -> cc.add(actor + "/followers");
            case "unlisted" -> cc.add(PUBLIC);
            default -> { }
        }
        if (!visibility.equals("direct")) {
            cc.addAll(mentions);
        }
        return cc;
    }

    public Map<String, Object> hashtag(String name) {
        return map("type", "Hashtag", "href", TagJson.url(baseUrl, name), "name", "#" + name);
    }

    /** An OrderedCollection's summary page: its size and where its pages start (none when hidden). */
    public static Map<String, Object> orderedCollection(String id, long totalItems, String first, String last) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", AS);
        doc.put("id", id);
        doc.put("type", "OrderedCollection");
        doc.put("totalItems", totalItems);
        if (first != null) {
            doc.put("first", first);
        }
        if (last != null) {
            doc.put("last", last);
        }
        return doc;
    }

    /** One page of an OrderedCollection. */
    public static Map<String, Object> orderedPage(List<Object> context, String id, String partOf, Long totalItems,
                                                  String next, String prev, List<?> items) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", context.size() == 1 ? context.get(0) : context);
        doc.put("id", id);
        doc.put("type", "OrderedCollectionPage");
        if (totalItems != null) {
            doc.put("totalItems", totalItems);
        }
        if (next != null) {
            doc.put("next", next);
        }
        if (prev != null) {
            doc.put("prev", prev);
        }
        doc.put("partOf", partOf);
        doc.put("orderedItems", items);
        return doc;
    }

    /** A small ordered map from key-value pairs. */
    public static Map<String, Object> map(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
