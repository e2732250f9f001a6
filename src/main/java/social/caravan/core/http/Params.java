package social.caravan.core.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import social.caravan.core.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request parameters as Mastodon reads them: from the query string, a JSON body, or a form
 * (urlencoded or multipart), with Rails' bracket names ({@code source[privacy]}, {@code id[]},
 * {@code fields_attributes[0][name]}) turned into nested values. Typed getters fail with a 4xx
 * that names the parameter.
 */
public final class Params {
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final String ATTRIBUTE = "caravan.params";

    private final ObjectNode tree;

    private Params(ObjectNode tree) {
        this.tree = tree;
    }

    public static Params of(Context ctx) {
        Params cached = ctx.attribute(ATTRIBUTE);
        if (cached != null) {
            return cached;
        }
        ObjectNode tree = Json.object();
        // Pairs are read in the order sent, not grouped by name: Rails' a[][name]=..&a[][value]=.. depends on it.
        putPairs(tree, ctx.queryString());
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/json") || type.contains("+json")) {
            String body = readBody(ctx);
            if (!body.isBlank()) {
                JsonNode parsed;
                try {
                    parsed = Json.read(body);
                } catch (JacksonException e) {
                    throw ApiException.badRequest("The request body is not valid JSON");
                }
                if (!parsed.isObject()) {
                    throw ApiException.badRequest("The request body must be a JSON object");
                }
                tree.setAll((ObjectNode) parsed);
            }
        } else if (type.startsWith("application/x-www-form-urlencoded")) {
            putPairs(tree, ctx.body()); // read (and kept for formParam) by Javalin, which refuses more than 1 MiB
        } else if (type.startsWith("multipart/form-data")) {
            for (Map.Entry<String, List<String>> entry : ctx.formParamMap().entrySet()) {
                if (ctx.queryParamMap().containsKey(entry.getKey())
                        && ctx.queryParamMap().get(entry.getKey()).equals(entry.getValue())) {
                    continue; // the servlet API repeats query parameters among form parameters
                }
                for (String value : entry.getValue()) {
                    put(tree, entry.getKey(), value);
                }
            }
        }
        Params params = new Params(tree);
        ctx.attribute(ATTRIBUTE, params);
        return params;
    }

    /** Puts each {@code name=value} of a query string or urlencoded form, in order. */
    private static void putPairs(ObjectNode tree, String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (!name.isEmpty()) {
                put(tree, name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("A parameter is not correctly percent-encoded");
        }
    }

    private static String readBody(Context ctx) {
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            throw new ApiException(413, "The request body is larger than 1 MiB");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ApiException(413, "The request body is larger than 1 MiB");
            }
            // Strict decoding: malformed UTF-8 is refused, as JSON parsers refuse it, not stored as U+FFFD.
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.badRequest("The request body is not valid UTF-8");
        } catch (IOException e) {
            throw ApiException.badRequest("The request body could not be read");
        }
    }

    /** Puts {@code value} at a Rails-style bracket name such as {@code a[b][]} into the tree. */
    static void put(ObjectNode root, String name, String value) {
        List<String> path = new ArrayList<>();
        int open = name.indexOf('[');
        if (open <= 0 || !name.endsWith("]")) {
            path.add(name);
        } else {
            path.add(name.substring(0, open));
            for (String segment : name.substring(open + 1, name.length() - 1).split("\\]\\[", -1)) {
                path.add(segment);
            }
        }
        JsonNode node = root;
        for (int i = 0; i < path.size(); i++) {
            String key = path.get(i);
            boolean last = i == path.size() - 1;
            boolean nextIsAppend = !last && path.get(i + 1).isEmpty();
            if (node instanceof ObjectNode object) {
                if (last) {
                    object.put(key, value);
                    return;
                }
                JsonNode child = object.get(key);
                if (child == null || !child.isContainer() || nextIsAppend != child.isArray()) {
                    child = nextIsAppend ? object.putArray(key) : object.putObject(key);
                }
                node = child;
            } else if (node instanceof ArrayNode array) {
                if (last) {
                    array.add(value);
                    return;
                }
                // As Rack does: a[][name]=x&a[][value]=y fills the last object until a key repeats.
                JsonNode tail = array.isEmpty() ? null : array.get(array.size() - 1);
                if (!nextIsAppend && tail instanceof ObjectNode object && !hasPath(object, path.subList(i + 1, path.size()))) {
                    node = object;
                } else {
                    node = nextIsAppend ? array.addArray() : array.addObject();
                }
            } else {
                return;
            }
        }
    }

    /** Whether {@code object} already has a value at {@code keys}; a path through {@code []} never has (Rack's rule). */
    private static boolean hasPath(ObjectNode object, List<String> keys) {
        JsonNode node = object;
        for (String key : keys) {
            if (key.isEmpty() || !(node instanceof ObjectNode o) || !o.has(key)) {
                return false;
            }
            node = o.get(key);
        }
        return true;
    }

    public boolean has(String key) {
        JsonNode node = tree.get(key);
        return node != null && !node.isNull();
    }

    /** Whether the key was sent at all, even as null or empty: Rails tells "set to nothing" from "left alone". */
    public boolean given(String key) {
        return tree.has(key);
    }

    public Optional<String> string(String key) {
        JsonNode node = tree.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isContainer()) {
            throw ApiException.unprocessable("Parameter " + key + " must be a string");
        }
        return Optional.of(node.asString());
    }

    public String required(String key) {
        return string(key).filter(s -> !s.isBlank())
                .orElseThrow(() -> ApiException.badRequest("Missing required parameter: " + key));
    }

    /** Booleans as Rails reads them: false, 0, "f", "false", "off" are false; anything else is true. */
    public Optional<Boolean> bool(String key) {
        JsonNode node = tree.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isBoolean()) {
            return Optional.of(node.booleanValue());
        }
        if (node.isContainer()) {
            throw ApiException.unprocessable("Parameter " + key + " must be true or false");
        }
        String text = node.asString().trim().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(!(text.equals("false") || text.equals("0") || text.equals("f") || text.equals("off")));
    }

    public OptionalInt integer(String key) {
        JsonNode node = tree.get(key);
        if (node == null || node.isNull() || (node.isString() && node.asString().isBlank())) {
            return OptionalInt.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return OptionalInt.of(node.intValue());
        }
        if (node.isString()) {
            try {
                return OptionalInt.of(Integer.parseInt(node.asString().trim()));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw ApiException.unprocessable("Parameter " + key + " must be a whole number");
    }

    /** A list given as {@code key[]=a&key[]=b}, a JSON array, a single value, or an object keyed by index. */
    public List<String> list(String key) {
        JsonNode node = tree.get(key);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (node.isValueNode()) {
            values.add(node.asString());
            return values;
        }
        for (JsonNode item : node.isArray() ? node : node.values()) {
            if (item.isContainer()) {
                throw ApiException.unprocessable("Parameter " + key + " must be a list of strings");
            }
            if (!item.isNull()) {
                values.add(item.asString());
            }
        }
        return values;
    }

    public Optional<Params> object(String key) {
        JsonNode node = tree.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw ApiException.unprocessable("Parameter " + key + " must be an object");
        }
        return Optional.of(new Params((ObjectNode) node));
    }

    /** A list of objects given as a JSON array or as Rails' {@code key[0][name]} hash. */
    public List<Params> objects(String key) {
        JsonNode node = tree.get(key);
        List<Params> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isContainer()) {
            throw ApiException.unprocessable("Parameter " + key + " must be a list of objects");
        }
        for (JsonNode item : node.isArray() ? node : node.values()) {
            if (!item.isObject()) {
                throw ApiException.unprocessable("Parameter " + key + " must be a list of objects");
            }
            values.add(new Params((ObjectNode) item));
        }
        return values;
    }
}
