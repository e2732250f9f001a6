package social.caravan.federation.handlers;

import java.net.URI;
import java.util.Locale;
import social.caravan.accounts.Account;
import tools.jackson.databind.JsonNode;

/**
 * An activity from an inbox, with the remote account that signed it (the inbox checked that it is
 * the activity's actor). Properties are read as Mastodon's compacted JSON-LD names them.
 */
public record Activity(Account actor, JsonNode json) {
    public String type() {
        return text(json, "type");
    }

    public String id() {
        return text(json, "id");
    }

    public String actorUri() {
        return actor.remote().uri();
    }

    /** The embedded object, or null when the object is only referenced by id. */
    public JsonNode object() {
        JsonNode object = json.path("object");
        return object.isObject() ? object : null;
    }

    /** The object's id, embedded or referenced. */
    public String objectId() {
        return idOf(json.path("object"));
    }

    /** The embedded object's type, or null. */
    public String objectType() {
        JsonNode object = object();
        return object == null ? null : text(object, "type");
    }

    /** The id a property gives: the string itself, or the {@code id} of an embedded object (first of an array). */
    public static String idOf(JsonNode node) {
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isArray()) {
            return node.isEmpty() ? null : idOf(node.get(0));
        }
        return node.isObject() ? text(node, "id") : null;
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : null;
    }

    /** Whether a URI's host (and port) is the actor's: an actor may only speak for objects of its own server. */
    public boolean sameOrigin(String uri) {
        return uri != null && authority(uri).equals(authority(actorUri()));
    }

    /** A URI's host and port, lower-case; empty when it has none. */
    public static String authority(String uri) {
        try {
            String authority = URI.create(uri).getRawAuthority();
            return authority == null ? "" : authority.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
