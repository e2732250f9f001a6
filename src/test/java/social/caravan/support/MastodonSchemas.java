package social.caravan.support;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.Format;
import com.networknt.schema.format.UriFormat;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates JSON rendered by Caravan against the entity schemas of Mastodon's client API.
 *
 * <p>The schemas come from {@code shared/mastodon-api/openapi.json} (OpenAPI 3.1, generated from
 * Mastodon's documentation by abraham/mastodon-openapi), which lives beside the project checkout:
 * {@value #OPENAPI_RELATIVE_PATH} relative to the Maven basedir. It can be overridden with the
 * system property {@value #OPENAPI_PATH_PROPERTY}. A missing file fails the calling test with a
 * message saying where it was looked for.
 *
 * <p>Schema names are the keys of {@code components.schemas}, e.g. {@code Account},
 * {@code CredentialAccount}, {@code Application}, {@code CredentialApplication}, {@code Token},
 * {@code Error}, {@code Instance} (v2), {@code V1Instance}, {@code Rule}, {@code Relationship},
 * {@code Preferences}, {@code Marker}, {@code CustomEmoji}, {@code Role}, {@code AccountRole}.
 *
 * <p>How the rules are applied:
 *
 * <ul>
 *   <li>Dialect: OpenAPI 3.1 base dialect (= JSON Schema 2020-12). Nullability is expressed the
 *       3.1 way, {@code "type": ["string", "null"]}, or {@code oneOf: [{$ref}, {type: null}]} for
 *       nullable objects; there is no {@code nullable} keyword in the file. {@code $ref}s between
 *       entity schemas resolve inside the same document.
 *   <li>The entity schemas are open (no {@code additionalProperties: false}): extra or misspelled
 *       properties are NOT reported. Only types, required fields, enums and formats are checked.
 *   <li>{@code format} is asserted (JSON Schema 2020-12 and networknt 3.x only annotate it by
 *       default). Mastodon renders times as {@code 2026-11-27T00:49:28.000Z} and URLs as absolute
 *       URLs, so {@code date-time} (RFC 3339, offset required), {@code date} (full-date, used by
 *       {@code Account.last_status_at}) and {@code uri} (absolute RFC 3986 URI, ASCII only) catch
 *       real bugs such as relative avatar paths or timestamps without a zone. {@code uri} accepts
 *       any scheme (so {@code urn:ietf:wg:oauth:2.0:oob} passes for redirect URIs); it does not
 *       insist on http(s).
 *   <li>{@code email} is replaced by a lenient check ({@link MastodonEmailFormat}): the stock
 *       validator rejects reserved test domains ({@code admin@caravan.test}) and the empty string,
 *       but Mastodon renders {@code ""} for an unset contact email ({@code site_contact_email}
 *       defaults to {@code ''}).
 *   <li>{@code iso-639-1} (not a standard format) is checked as a Mastodon language code
 *       ({@link MastodonLanguageFormat}): ISO 639-1 or 639-3 plus an optional regional subtag,
 *       since Mastodon also emits codes such as {@code ast} or {@code zh-TW} there.
 *   <li>Errata: where Mastodon itself renders something the schema rejects, the in-memory copy of
 *       the document is corrected (see {@code Spec.applyErrata}); the file is never modified.
 *       Today: {@code PreviewCard}/{@code TrendsLink} {@code author_url}, {@code provider_url},
 *       {@code embed_url} and {@code PreviewCardAuthor.url} may be {@code ""}.
 * </ul>
 *
 * <p>The document is read once per JVM and each schema is compiled once and cached; all methods
 * are thread-safe.
 */
public final class MastodonSchemas {

  /** Where the API description lives, relative to the project root (Maven basedir). */
  public static final String OPENAPI_RELATIVE_PATH = "../shared/mastodon-api/openapi.json";

  /** System property that overrides the location of {@code openapi.json}. */
  public static final String OPENAPI_PATH_PROPERTY = "caravan.mastodonOpenApi";

  /** Retrieval IRI under which the document is registered; never fetched from the network. */
  private static final String DOCUMENT_IRI = "https://caravan.invalid/shared/mastodon-api/openapi.json";

  private static final String SCHEMAS_POINTER = "#/components/schemas/";

  /** Most messages printed before the rest are summarised. */
  private static final int MAX_MESSAGES = 200;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final Map<String, Schema> ENTITY_SCHEMAS = new ConcurrentHashMap<>();
  private static final Map<String, Schema> ARRAY_SCHEMAS = new ConcurrentHashMap<>();

  private static volatile Spec spec;

  private MastodonSchemas() {}

  // ---------------------------------------------------------------------------------------------
  // Public API

  /**
   * Asserts that {@code json} is one {@code schemaName} entity.
   *
   * @throws AssertionError listing every violation with its JSON path, if invalid
   * @throws IllegalArgumentException if the document has no such schema
   */
  public static void assertValid(String schemaName, String json) {
    assertValid(schemaName, parse(schemaName, json));
  }

  /** As {@link #assertValid(String, String)}, for an already parsed Jackson 3 tree. */
  public static void assertValid(String schemaName, JsonNode json) {
    report(schemaName, false, json, validate(entitySchema(schemaName), json));
  }

  /**
   * Asserts that {@code json} is a JSON array whose every element is a {@code schemaName} entity
   * (an empty array passes).
   */
  public static void assertValidArray(String schemaName, String json) {
    assertValidArray(schemaName, parse(schemaName + "[]", json));
  }

  /** As {@link #assertValidArray(String, String)}, for an already parsed Jackson 3 tree. */
  public static void assertValidArray(String schemaName, JsonNode json) {
    report(schemaName, true, json, validate(arraySchema(schemaName), json));
  }

  /**
   * The violations of {@code json} against {@code schemaName}, one line each ({@code "$.path:
   * message"}); empty when valid. For tests that expect a failure.
   */
  public static List<String> violations(String schemaName, JsonNode json) {
    return validate(entitySchema(schemaName), json);
  }

  /** Names of all entity schemas in the document ({@code components.schemas}), sorted. */
  public static Set<String> schemaNames() {
    return spec().schemaNames;
  }

  /** The {@code required} list of a schema as written in the document (empty if none). */
  public static List<String> requiredFields(String schemaName) {
    JsonNode required = spec().schemaNode(schemaName).path("required");
    List<String> names = new ArrayList<>();
    required.forEach(n -> names.add(n.asString()));
    return List.copyOf(names);
  }

  /** The absolute path of the {@code openapi.json} in use. */
  public static Path openApiPath() {
    return spec().path;
  }

  // ---------------------------------------------------------------------------------------------
  // Compilation and caching

  private static Schema entitySchema(String schemaName) {
    Spec s = spec();
    s.schemaNode(schemaName); // fail early on unknown names
    return ENTITY_SCHEMAS.computeIfAbsent(schemaName, name -> {
      Schema schema = s.registry.getSchema(SchemaLocation.of(DOCUMENT_IRI + SCHEMAS_POINTER + name));
      schema.initializeValidators(); // resolve every $ref now, not during the first validation
      return schema;
    });
  }

  private static Schema arraySchema(String schemaName) {
    Spec s = spec();
    s.schemaNode(schemaName);
    return ARRAY_SCHEMAS.computeIfAbsent(schemaName, name -> {
      ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
      wrapper.put("type", "array");
      wrapper.putObject("items").put("$ref", DOCUMENT_IRI + SCHEMAS_POINTER + name);
      Schema schema = s.registry.getSchema(
          SchemaLocation.of("https://caravan.invalid/array-of/" + name + ".json"), wrapper);
      schema.initializeValidators();
      return schema;
    });
  }

  private static Spec spec() {
    Spec s = spec;
    if (s == null) {
      synchronized (MastodonSchemas.class) {
        s = spec;
        if (s == null) {
          s = Spec.load(); // throws (and retries next time) when the file is missing or broken
          spec = s;
        }
      }
    }
    return s;
  }

  /** The parsed document and the registry built on it. */
  private static final class Spec {
    final Path path;
    final JsonNode schemas;
    final Set<String> schemaNames;
    final SchemaRegistry registry;

    private Spec(Path path, JsonNode schemas, SchemaRegistry registry) {
      this.path = path;
      this.schemas = schemas;
      Set<String> names = new TreeSet<>();
      schemas.propertyNames().forEach(names::add);
      this.schemaNames = Collections.unmodifiableSet(names);
      this.registry = registry;
    }

    JsonNode schemaNode(String name) {
      JsonNode node = schemas.get(name);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("No schema '" + name + "' in " + path
            + " (#/components/schemas). Available: " + schemaNames);
      }
      return node;
    }

    static Spec load() {
      Path path = locate();
      if (!Files.isRegularFile(path)) {
        String override = System.getProperty(OPENAPI_PATH_PROPERTY);
        throw new AssertionError("Mastodon API description not found at " + path + ".\n"
            + (override != null && !override.isBlank()
                ? "It was given by -D" + OPENAPI_PATH_PROPERTY + "=" + override + "."
                : "MastodonSchemas reads '" + OPENAPI_RELATIVE_PATH + "' relative to the project root ("
                    + projectRoot() + "): the shared/ folder must sit beside the project checkout "
                    + "(as it does in CI), or set -D" + OPENAPI_PATH_PROPERTY
                    + "=/path/to/openapi.json."));
      }
      String content;
      JsonNode document;
      try {
        content = Files.readString(path);
        document = JSON.readTree(content);
      } catch (IOException | JacksonException e) {
        throw new AssertionError("Cannot read Mastodon API description " + path + ": " + e, e);
      }
      JsonNode schemas = document.path("components").path("schemas");
      if (!schemas.isObject() || schemas.isEmpty()) {
        throw new AssertionError(path + " has no components.schemas: is it the Mastodon OpenAPI file?");
      }
      String served = applyErrata(schemas) ? JSON.writeValueAsString(document) : content;

      Dialect dialect = Dialect.builder(Dialects.getOpenApi31())
          .format(new MastodonEmailFormat())
          .format(new MastodonLanguageFormat())
          .format(new UriOrEmptyFormat())
          .build();
      SchemaRegistryConfig config = SchemaRegistryConfig.builder()
          .formatAssertionsEnabled(true)
          .pathType(PathType.JSON_PATH)
          .build();
      SchemaRegistry registry = SchemaRegistry.withDialect(dialect, builder -> builder
          .schemaRegistryConfig(config)
          // Serve the document from memory under a fixed IRI: no file: or network loading.
          .schemas(Map.of(DOCUMENT_IRI, served)));
      return new Spec(path, schemas, registry);
    }

    /**
     * Corrects the in-memory copy of the document where Mastodon itself renders something the
     * documentation-derived schema rejects. Each entry names the Mastodon behaviour it follows.
     *
     * @return whether anything was changed
     */
    private static boolean applyErrata(JsonNode schemas) {
      boolean changed = false;
      // Mastodon's preview_cards columns author_url, provider_url and embed_url are
      // NOT NULL DEFAULT '', and REST::PreviewCardSerializer renders them as they are, so a card
      // without an author or embed has "" there (the docs' own Status example shows it).
      for (String[] target : new String[][] {
          {"PreviewCard", "author_url"}, {"PreviewCard", "provider_url"}, {"PreviewCard", "embed_url"},
          {"TrendsLink", "author_url"}, {"TrendsLink", "provider_url"}, {"TrendsLink", "embed_url"},
          {"PreviewCardAuthor", "url"}}) {
        JsonNode property = schemas.path(target[0]).path("properties").path(target[1]);
        if (property instanceof ObjectNode object && "uri".equals(object.path("format").asString(""))) {
          object.put("format", UriOrEmptyFormat.NAME);
          changed = true;
        }
      }
      return changed;
    }

    private static Path locate() {
      String override = System.getProperty(OPENAPI_PATH_PROPERTY);
      if (override != null && !override.isBlank()) {
        return Path.of(override).toAbsolutePath().normalize();
      }
      return projectRoot().resolve(OPENAPI_RELATIVE_PATH).normalize();
    }

    private static Path projectRoot() {
      // Surefire sets "basedir"; its working directory is the basedir too.
      String basedir = System.getProperty("basedir");
      if (basedir == null || basedir.isBlank()) {
        basedir = System.getProperty("user.dir");
      }
      return Path.of(basedir).toAbsolutePath().normalize();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Validation and reporting

  private static JsonNode parse(String what, String json) {
    if (json == null) {
      throw new AssertionError("Expected JSON for Mastodon schema '" + what + "' but got null");
    }
    try {
      return JSON.readTree(json);
    } catch (JacksonException e) {
      throw new AssertionError("Expected JSON for Mastodon schema '" + what + "' but it does not parse: "
          + e.getOriginalMessage() + "\nText was:\n" + abbreviate(json, 2000), e);
    }
  }

  private static List<String> validate(Schema schema, JsonNode json) {
    if (json == null) {
      return List.of("$: no JSON (null reference)");
    }
    Set<String> lines = new LinkedHashSet<>();
    for (com.networknt.schema.Error error : schema.validate(json)) {
      StringBuilder line = new StringBuilder(error.toString());
      if ("format".equals(error.getKeyword()) || "enum".equals(error.getKeyword())
          || "const".equals(error.getKeyword())) {
        JsonNode value = error.getInstanceNode();
        if (value != null && value.isValueNode()) {
          line.append(" (was ").append(abbreviate(value.toString(), 200)).append(')');
        }
      }
      if (error.getSchemaLocation() != null) {
        String location = error.getSchemaLocation().toString();
        int hash = location.indexOf('#');
        line.append("  [").append(hash >= 0 ? location.substring(hash) : location).append(']');
      }
      lines.add(line.toString());
    }
    return List.copyOf(lines);
  }

  private static void report(String schemaName, boolean array, JsonNode json, List<String> violations) {
    if (violations.isEmpty()) {
      return;
    }
    String target = (array ? "an array of Mastodon " : "Mastodon ") + "'" + schemaName + "'";
    StringBuilder message = new StringBuilder()
        .append("JSON does not match ").append(target)
        .append(" (").append(SCHEMAS_POINTER).append(schemaName).append(" in ")
        .append(spec().path).append("): ")
        .append(violations.size()).append(violations.size() == 1 ? " violation" : " violations")
        .append('\n');
    violations.stream().limit(MAX_MESSAGES).forEach(v -> message.append("  - ").append(v).append('\n'));
    if (violations.size() > MAX_MESSAGES) {
      message.append("  ... and ").append(violations.size() - MAX_MESSAGES).append(" more\n");
    }
    message.append("JSON was:\n").append(abbreviate(pretty(json), 8000));
    throw new AssertionError(message.toString());
  }

  private static String pretty(JsonNode json) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    } catch (JacksonException e) {
      return String.valueOf(json);
    }
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "... (" + text.length() + " chars)";
  }

  // ---------------------------------------------------------------------------------------------
  // Formats

  /**
   * {@code format: email}, as Mastodon uses it: one {@code @} with a non-blank part either side,
   * or the empty string (Mastodon renders an unset {@code site_contact_email} as {@code ""}). The
   * stock RFC 5321 check also wants a known top-level domain, which rejects test domains such as
   * {@code .test} and {@code .invalid}.
   */
  static final class MastodonEmailFormat implements Format {
    private static final Pattern MAILBOX = Pattern.compile("[^\\s@]+@[^\\s@]+");

    @Override
    public String getName() {
      return "email";
    }

    @Override
    public String getMessageKey() {
      return "format.email";
    }

    @Override
    public boolean matches(ExecutionContext executionContext, String value) {
      return value.isEmpty() || MAILBOX.matcher(value).matches();
    }
  }

  /**
   * {@code format: iso-639-1} (not a JSON Schema format), as Mastodon fills it: an ISO 639-1 or
   * ISO 639-3 code, optionally with a regional subtag ({@code en}, {@code ast}, {@code zh-TW},
   * {@code zh-YUE}, {@code sr-Latn}).
   */
  static final class MastodonLanguageFormat implements Format {
    private static final Pattern CODE = Pattern.compile("[a-z]{2,3}(-[A-Za-z]{2,4})?");

    @Override
    public String getName() {
      return "iso-639-1";
    }

    @Override
    public boolean matches(ExecutionContext executionContext, String value) {
      return CODE.matcher(value).matches();
    }
  }

  /**
   * {@code format: uri}, also accepting {@code ""}; used only where {@link Spec#applyErrata}
   * puts it, for fields that Mastodon renders as an empty string when unknown.
   */
  static final class UriOrEmptyFormat implements Format {
    static final String NAME = "uri-or-empty-string";
    private final UriFormat uri = new UriFormat();

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public boolean matches(ExecutionContext executionContext, String value) {
      return value.isEmpty() || uri.matches(executionContext, value);
    }
  }

  /** Parses with the same mapper the helper uses; handy for tests that edit a sample. */
  static JsonNode readTree(String json) {
    return parse("(sample)", json);
  }
}
