package social.caravan.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Proves that {@link MastodonSchemas} accepts real Mastodon JSON and rejects broken JSON. */
class MastodonSchemasTest {

  /**
   * A local account as Mastodon 4.x renders it, written field by field from
   * #/components/schemas/Account: every required field, plus the optional ones Mastodon sends
   * (some of them null).
   */
  static final String ACCOUNT = """
      {
        "id": "113470289234567890",
        "username": "alice",
        "acct": "alice",
        "url": "https://caravan.example/@alice",
        "uri": "https://caravan.example/users/alice",
        "display_name": "Alice :caravan:",
        "note": "<p>Walking the Silk Road.</p>",
        "avatar": "https://caravan.example/system/accounts/avatars/113/470/289/original/a1b2.png",
        "avatar_static": "https://caravan.example/system/accounts/avatars/113/470/289/original/a1b2.png",
        "avatar_description": "",
        "header": "https://caravan.example/headers/original/missing.png",
        "header_static": "https://caravan.example/headers/original/missing.png",
        "header_description": "",
        "locked": false,
        "fields": [
          {
            "name": "Website",
            "value": "<a href=\\"https://alice.example\\" rel=\\"me nofollow noopener\\" target=\\"_blank\\">alice.example</a>",
            "verified_at": "2026-11-27T00:49:28.000Z"
          },
          { "name": "Pronouns", "value": "she/her", "verified_at": null }
        ],
        "emojis": [
          {
            "shortcode": "caravan",
            "url": "https://caravan.example/system/custom_emojis/images/000/000/001/original/caravan.png",
            "static_url": "https://caravan.example/system/custom_emojis/images/000/000/001/static/caravan.png",
            "visible_in_picker": true,
            "category": null
          }
        ],
        "bot": false,
        "group": false,
        "discoverable": true,
        "indexable": true,
        "hide_collections": null,
        "noindex": false,
        "roles": [],
        "created_at": "2026-11-27T00:00:00.000Z",
        "last_status_at": "2026-11-27",
        "statuses_count": 12,
        "followers_count": 3,
        "following_count": 5
      }
      """;

  @Test
  void documentIsFoundAndHasTheEntitySchemas() {
    assertThat(MastodonSchemas.openApiPath()).exists();
    assertThat(MastodonSchemas.schemaNames()).contains(
        "Account", "CredentialAccount", "Application", "CredentialApplication", "Token", "Error",
        "Instance", "V1Instance", "Rule", "Relationship", "Preferences", "Marker", "CustomEmoji",
        "Role", "AccountRole");
    assertThat(MastodonSchemas.requiredFields("Account")).contains("id", "username", "acct", "uri");
  }

  @Test
  void validAccountPasses() {
    assertThatCode(() -> MastodonSchemas.assertValid("Account", ACCOUNT)).doesNotThrowAnyException();
    assertThat(MastodonSchemas.violations("Account", account())).isEmpty();
  }

  @Test
  void nullableFieldsAcceptNull() {
    ObjectNode account = account();
    account.putNull("url");
    account.putNull("moved");
    account.putNull("last_status_at");
    account.putNull("discoverable");
    account.putNull("roles");
    MastodonSchemas.assertValid("Account", account);
  }

  @Test
  void numericIdFails() {
    ObjectNode account = account();
    account.put("id", 113470289234567890L);

    assertThatThrownBy(() -> MastodonSchemas.assertValid("Account", account.toString()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("JSON does not match Mastodon 'Account'")
        .hasMessageContaining("$.id: integer found, string expected")
        .hasMessageContaining("1 violation");
  }

  @Test
  void missingRequiredFieldFails() {
    ObjectNode account = account();
    account.remove("username");

    assertThatThrownBy(() -> MastodonSchemas.assertValid("Account", account))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("$: required property 'username' not found");
  }

  @Test
  void everyViolationIsListedWithItsPath() {
    ObjectNode account = account();
    account.put("id", 1);
    account.remove("acct");
    account.put("locked", "false");
    ((ObjectNode) account.get("emojis").get(0)).remove("static_url");

    assertThat(MastodonSchemas.violations("Account", account))
        .anySatisfy(v -> assertThat(v).startsWith("$.id: integer found, string expected"))
        .anySatisfy(v -> assertThat(v).startsWith("$: required property 'acct' not found"))
        .anySatisfy(v -> assertThat(v).startsWith("$.locked: string found, boolean expected"))
        .anySatisfy(v -> assertThat(v)
            .startsWith("$.emojis[0]: required property 'static_url' not found")
            .contains("#/components/schemas/CustomEmoji/required"))
        .hasSize(4);
  }

  @Test
  void movedAccountIsCheckedThroughTheRef() {
    ObjectNode account = account();
    ObjectNode moved = account();
    moved.remove("uri");
    account.set("moved", moved);

    assertThatThrownBy(() -> MastodonSchemas.assertValid("Account", account))
        .hasMessageContaining("$.moved: required property 'uri' not found");
  }

  @Test
  void formatsAreAsserted() {
    ObjectNode account = account();
    account.put("avatar", "/avatars/original/missing.png"); // relative: Mastodon sends absolute URLs
    account.put("created_at", "2026-11-27 00:49:28"); // not RFC 3339
    account.put("last_status_at", "2026-11-27T00:49:28.000Z"); // Mastodon sends a date here

    assertThat(MastodonSchemas.violations("Account", account))
        .anySatisfy(v -> assertThat(v).startsWith("$.avatar: does not match the uri pattern"))
        .anySatisfy(v -> assertThat(v).startsWith("$.created_at: does not match the date-time pattern"))
        .anySatisfy(v -> assertThat(v).startsWith("$.last_status_at: does not match the date pattern"))
        .hasSize(3);
  }

  @Test
  void mastodonTimestampVariantsPass() {
    for (String time : List.of("2026-11-27T00:49:28.000Z", "2026-11-27T00:49:28Z",
        "2026-11-27T01:49:28.123+01:00")) {
      ObjectNode account = account();
      account.put("created_at", time);
      MastodonSchemas.assertValid("Account", account);
    }
  }

  @Test
  void arraysAreValidatedElementByElement() {
    MastodonSchemas.assertValidArray("Account", "[]");
    MastodonSchemas.assertValidArray("Account", "[" + ACCOUNT + "," + ACCOUNT + "]");

    ObjectNode broken = account();
    broken.put("followers_count", "3");
    String json = "[" + ACCOUNT + "," + broken + "]";
    assertThatThrownBy(() -> MastodonSchemas.assertValidArray("Account", json))
        .hasMessageContaining("JSON does not match an array of Mastodon 'Account'")
        .hasMessageContaining("$[1].followers_count: string found, integer expected");

    assertThatThrownBy(() -> MastodonSchemas.assertValidArray("Account", ACCOUNT))
        .hasMessageContaining("$: object found, array expected");
  }

  @Test
  void credentialAccountNeedsSourceAndRole() {
    ObjectNode account = account();
    assertThatThrownBy(() -> MastodonSchemas.assertValid("CredentialAccount", account))
        .hasMessageContaining("required property 'source' not found")
        .hasMessageContaining("required property 'role' not found");

    account.set("source", MastodonSchemas.readTree("""
        {
          "privacy": "public",
          "sensitive": false,
          "language": "en",
          "note": "Walking the Silk Road.",
          "fields": [ { "name": "Pronouns", "value": "she/her", "verified_at": null } ],
          "follow_requests_count": 0,
          "indexable": true,
          "discoverable": true,
          "hide_collections": false,
          "attribution_domains": []
        }
        """));
    account.set("role", MastodonSchemas.readTree("""
        { "id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": false }
        """));
    MastodonSchemas.assertValid("CredentialAccount", account);

    ((ObjectNode) account.get("source")).put("privacy", "everyone");
    assertThatThrownBy(() -> MastodonSchemas.assertValid("CredentialAccount", account))
        .hasMessageContaining("$.source.privacy: does not have a value in the enumeration")
        .hasMessageContaining("(was \"everyone\")");
  }

  @Test
  void smallEntities() {
    MastodonSchemas.assertValid("Error", "{\"error\":\"Record not found\"}");
    assertThatThrownBy(() -> MastodonSchemas.assertValid("Error", "{\"message\":\"Record not found\"}"))
        .hasMessageContaining("required property 'error' not found");

    MastodonSchemas.assertValid("Token", """
        {"access_token":"ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0","token_type":"Bearer",
         "scope":"read write follow push","created_at":1573979017}
        """);
    MastodonSchemas.assertValid("CredentialApplication", """
        {"id":"563419","name":"test app","website":null,"scopes":["read","write"],
         "redirect_uri":"urn:ietf:wg:oauth:2.0:oob","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"],
         "client_id":"TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
         "client_secret":"ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw","client_secret_expires_at":0,
         "vapid_key":"BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="}
        """);
    MastodonSchemas.assertValidArray("Rule", """
        [{"id":"1","text":"Be nice","hint":""},{"id":"2","text":"No spam","hint":"Really."}]
        """);
    MastodonSchemas.assertValid("Marker", """
        {"last_read_id":"103194548672408537","version":462,"updated_at":"2026-11-27T00:49:28.000Z"}
        """);
    MastodonSchemas.assertValid("Preferences", """
        {"posting:default:visibility":"public","posting:default:sensitive":false,
         "posting:default:language":null,"reading:expand:media":"default","reading:expand:spoilers":false}
        """);
    assertThatThrownBy(() -> MastodonSchemas.assertValid("Preferences", """
        {"posting:default:visibility":"public","posting:default:sensitive":"no",
         "reading:expand:media":"default","reading:expand:spoilers":false}
        """)).hasMessageContaining("$['posting:default:sensitive']: string found, boolean expected");
  }

  @Test
  void previewCardMayHaveEmptyAuthorProviderAndEmbedUrls() {
    // Mastodon's preview_cards columns default to '' and are rendered as is (erratum).
    ObjectNode card = (ObjectNode) MastodonSchemas.readTree("""
        {
          "url": "https://news.example/2026/11/caravans",
          "title": "Caravans are back",
          "description": "",
          "type": "link",
          "author_name": "",
          "author_url": "",
          "provider_name": "",
          "provider_url": "",
          "html": "",
          "width": 400,
          "height": 200,
          "image": "https://caravan.example/system/cache/preview_cards/images/000/000/001/original/a.png",
          "embed_url": "",
          "blurhash": "UvK0HNkV,:s9xBR%njog0fo2W=WBS5ozofV@",
          "published_at": null,
          "authors": [ { "name": "Alice", "url": "", "account": null } ]
        }
        """);
    MastodonSchemas.assertValid("PreviewCard", card);

    card.put("provider_url", "news.example"); // not empty and not absolute: still rejected
    assertThatThrownBy(() -> MastodonSchemas.assertValid("PreviewCard", card))
        .hasMessageContaining("$.provider_url: does not match the uri-or-empty-string pattern")
        .hasMessageContaining("(was \"news.example\")");
  }

  @Test
  void lenientEmailAndLanguageFormats() {
    var email = new MastodonSchemas.MastodonEmailFormat();
    assertThat(email.matches(null, "admin@caravan.test")).isTrue();
    assertThat(email.matches(null, "admin@localhost")).isTrue();
    assertThat(email.matches(null, "")).isTrue(); // Mastodon's unset site_contact_email
    assertThat(email.matches(null, "caravan.test")).isFalse();
    assertThat(email.matches(null, "a b@caravan.test")).isFalse();

    var language = new MastodonSchemas.MastodonLanguageFormat();
    for (String code : List.of("en", "ast", "zh-TW", "zh-YUE", "sr-Latn")) {
      assertThat(language.matches(null, code)).as(code).isTrue();
    }
    for (String code : List.of("", "English", "EN", "en_US", "e")) {
      assertThat(language.matches(null, code)).as(code).isFalse();
    }
  }

  @Test
  void unknownSchemaNameIsAnError() {
    assertThatThrownBy(() -> MastodonSchemas.assertValid("V2Instance", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No schema 'V2Instance'")
        .hasMessageContaining("V1Instance");
  }

  @Test
  void notJsonIsAnAssertionError() {
    assertThatThrownBy(() -> MastodonSchemas.assertValid("Account", "<html>oops</html>"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("does not parse");
  }

  @Test
  void concurrentUseIsSafe() throws Exception {
    List<String> names = List.of("Account", "Relationship", "Instance", "V1Instance", "Status",
        "Notification", "CredentialAccount", "Application");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String name = names.get(i % names.size());
        futures.add(pool.submit(() -> {
          MastodonSchemas.assertValid("Account", ACCOUNT);
          assertThat(MastodonSchemas.violations(name, MastodonSchemas.readTree("{}"))).isNotEmpty();
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static ObjectNode account() {
    JsonNode node = MastodonSchemas.readTree(ACCOUNT);
    return (ObjectNode) node;
  }
}
