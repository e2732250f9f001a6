package social.caravan.instance;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import social.caravan.Version;
import social.caravan.accounts.AccountService;
import social.caravan.core.config.Config;
import social.caravan.core.html.Markdown;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Deprecation;
import social.caravan.core.http.Routes;
import social.caravan.polls.PollService;

/**
 * The instance documents apps read first (/api/v1/instance, /api/v2/instance), the rules, the
 * texts operators set (extended description, privacy policy, terms of service), the weekly
 * activity, and the custom emoji list. Limits are Mastodon's defaults, which apps use to size their composers.
 */
public final class InstanceApi implements Routes {
    static final int MAX_CHARACTERS = 500;
    static final int MAX_MEDIA_ATTACHMENTS = 4;
    static final int CHARACTERS_RESERVED_PER_URL = 23;
    /** When Mastodon deprecated /api/v1/instance for /api/v2/instance. */
    static final LocalDate V1_DEPRECATED = LocalDate.of(2022, 11, 14);
    static final List<String> MEDIA_TYPES = List.of(
            "image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp", "image/avif",
            "video/webm", "video/mp4", "video/quicktime", "video/ogg", "audio/wave", "audio/wav", "audio/x-wav",
            "audio/x-pn-wave", "audio/vnd.wave", "audio/ogg", "audio/vorbis", "audio/mpeg", "audio/mp3",
            "audio/webm", "audio/flac", "audio/aac", "audio/m4a", "audio/x-m4a", "audio/mp4", "audio/3gpp",
            "video/x-ms-asf");

    private final Config config;
    private final InstanceService instance;
    private final AccountService accounts;

    public InstanceApi(Config config, InstanceService instance, AccountService accounts) {
        this.config = config;
        this.instance = instance;
        this.accounts = accounts;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/instance", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            ctx.json(v1());
        });
        routes.get("/api/v2/instance", ctx -> ctx.json(v2()));
        routes.get("/api/v1/instance/rules", ctx -> ctx.json(rules()));
        routes.get("/api/v1/instance/peers", ctx -> ctx.json(List.of()));
        routes.get("/api/v1/instance/extended_description", this::extendedDescription);
        routes.get("/api/v1/instance/privacy_policy", this::privacyPolicy);
        routes.get("/api/v1/instance/terms_of_service", ctx -> ctx.json(terms(null)));
        routes.get("/api/v1/instance/terms_of_service/{date}", ctx -> ctx.json(terms(ctx.pathParam("date"))));
        // No translation service: Mastodon answers an empty map.
        routes.get("/api/v1/instance/translation_languages", ctx -> ctx.json(Map.of()));
        routes.get("/api/v1/instance/activity", this::activity);
        routes.get("/api/v1/instance/domain_blocks", this::domainBlocks);
        routes.get("/api/v1/custom_emojis", this::customEmojis);
    }

    /** Mastodon's ExtendedDescription; with none set, as Mastodon: no date, empty content. */
    record TextView(Instant updatedAt, String content) {}

    /** Mastodon's TermsOfService. */
    record TermsView(LocalDate effectiveDate, boolean effective, String content, LocalDate succeededBy) {}

    private void extendedDescription(Context ctx) {
        ctx.json(instance.text(InstanceService.EXTENDED_DESCRIPTION)
                .map(t -> new TextView(t.updatedAt(), Markdown.render(t.text())))
                .orElse(new TextView(null, "")));
    }

    /** 404 until an operator sets one: Caravan ships no policy text of its own (Mastodon ships a default). */
    private void privacyPolicy(Context ctx) {
        InstanceText policy = instance.text(InstanceService.PRIVACY_POLICY).orElseThrow(ApiException::notFound);
        ctx.json(new TextView(policy.updatedAt(), Markdown.renderEscaped(withDomain(policy.text()))));
    }

    /**
     * The terms of {@code date} (a version's effective date), or without one the terms in effect,
     * or, before any takes effect, the latest published: as Mastodon chooses. 404 when none.
     */
    private TermsView terms(String date) {
        List<Terms> versions = instance.terms();
        LocalDate today = instance.today();
        Terms chosen;
        if (date == null) {
            chosen = versions.stream().filter(t -> !t.effectiveDate().isAfter(today)).findFirst()
                    .or(() -> versions.stream().findFirst()).orElseThrow(ApiException::notFound);
        } else {
            chosen = versions.stream().filter(t -> t.effectiveDate().toString().equals(date)).findFirst()
                    .orElseThrow(ApiException::notFound);
        }
        LocalDate succeededBy = versions.stream().map(Terms::effectiveDate).filter(d -> d.isAfter(chosen.effectiveDate()))
                .min(LocalDate::compareTo).orElse(null);
        return new TermsView(chosen.effectiveDate(), !chosen.effectiveDate().isAfter(today),
                Markdown.renderEscaped(withDomain(chosen.text())), succeededBy);
    }

    /** Mastodon fills {@code %{domain}} in its policy and terms with the server's domain. */
    private String withDomain(String text) {
        return text.replace("%{domain}", config.localDomain());
    }

    /** Twelve weeks of local statuses, logins and registrations, every number a string as in Mastodon. */
    private void activity(Context ctx) {
        ctx.json(instance.activity().stream().map(w -> {
            Map<String, String> week = new LinkedHashMap<>();
            week.put("week", Long.toString(w.start().getEpochSecond()));
            week.put("statuses", Long.toString(w.statuses()));
            week.put("logins", Long.toString(w.logins()));
            week.put("registrations", Long.toString(w.registrations()));
            return week;
        }).toList());
    }

    /**
     * Mastodon shows its domain blocks only when an admin chose to (show_domain_blocks, 'disabled'
     * by default), and answers 404 otherwise. Caravan has no server domain blocks, nor the setting.
     */
    private void domainBlocks(Context ctx) {
        throw ApiException.notFound();
    }

    /** No custom emoji can be added yet, so the list is empty, which apps handle. */
    private void customEmojis(Context ctx) {
        ctx.json(List.of());
    }

    private List<Map<String, Object>> rules() {
        return instance.rules().stream().map(r -> {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", Long.toString(r.id()));
            rule.put("text", r.text());
            rule.put("hint", r.hint());
            return rule;
        }).toList();
    }

    private Map<String, Object> v2() {
        String base = config.baseUrl();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("domain", config.localDomain());
        doc.put("title", config.siteTitle());
        doc.put("version", Version.MASTODON_COMPATIBLE);
        doc.put("source_url", Version.SOURCE_URL);
        doc.put("description", config.siteDescription());
        doc.put("usage", Map.of("users", Map.of("active_month", accounts.countLocalUsers())));
        doc.put("thumbnail", Map.of("url", base + "/images/thumbnail.png"));
        doc.put("icon", List.of());
        doc.put("languages", List.of("en"));
        Map<String, Object> configuration = new LinkedHashMap<>();
        Map<String, Object> urls = new LinkedHashMap<>();
        urls.put("streaming", config.streamingBaseUrl());
        urls.put("status", null);
        urls.put("about", base + "/about");
        urls.put("privacy_policy", null);
        urls.put("terms_of_service", null);
        configuration.put("urls", urls);
        configuration.put("vapid", Map.of("public_key", ""));
        Map<String, Object> accountLimits = new LinkedHashMap<>();
        accountLimits.put("max_featured_tags", 10);
        accountLimits.put("max_pinned_statuses", 5);
        accountLimits.put("max_profile_fields", 4);
        accountLimits.put("profile_field_name_limit", 255);
        accountLimits.put("profile_field_value_limit", 255);
        accountLimits.put("max_display_name_length", 30);
        accountLimits.put("max_note_length", 500);
        configuration.put("accounts", accountLimits);
        configuration.put("statuses", statusLimits());
        Map<String, Object> media = new LinkedHashMap<>(mediaLimits());
        media.put("description_limit", 1500);
        configuration.put("media_attachments", media);
        configuration.put("polls", pollLimits());
        configuration.put("translation", Map.of("enabled", false));
        configuration.put("limited_federation", false);
        doc.put("configuration", configuration);
        doc.put("registrations", registrations());
        doc.put("api_versions", Map.of("mastodon", Version.MASTODON_API_VERSION));
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("email", config.siteContactEmail());
        contact.put("account", null);
        doc.put("contact", contact);
        doc.put("rules", rules());
        return doc;
    }

    private Map<String, Object> v1() {
        String base = config.baseUrl();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("uri", config.localDomain());
        doc.put("title", config.siteTitle());
        doc.put("short_description", config.siteDescription());
        doc.put("description", config.siteDescription());
        doc.put("email", config.siteContactEmail());
        doc.put("version", Version.MASTODON_COMPATIBLE);
        doc.put("urls", Map.of("streaming_api", config.streamingBaseUrl()));
        doc.put("stats", Map.of("user_count", accounts.countLocalUsers(), "status_count", 0, "domain_count", 0));
        doc.put("thumbnail", base + "/images/thumbnail.png");
        doc.put("languages", List.of("en"));
        doc.put("registrations", config.registrations() != Config.Registrations.CLOSED);
        doc.put("approval_required", config.registrations() == Config.Registrations.APPROVAL);
        doc.put("invites_enabled", false);
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("accounts", Map.of("max_featured_tags", 10));
        configuration.put("statuses", statusLimits());
        configuration.put("media_attachments", mediaLimits());
        configuration.put("polls", pollLimits());
        doc.put("configuration", configuration);
        doc.put("contact_account", null);
        doc.put("rules", rules());
        return doc;
    }

    private Map<String, Object> registrations() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("enabled", config.registrations() != Config.Registrations.CLOSED);
        r.put("approval_required", config.registrations() == Config.Registrations.APPROVAL);
        r.put("reason_required", config.registrations() == Config.Registrations.APPROVAL);
        r.put("message", null);
        r.put("min_age", null);
        r.put("url", null);
        return r;
    }

    private static Map<String, Object> statusLimits() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("max_characters", MAX_CHARACTERS);
        s.put("max_media_attachments", MAX_MEDIA_ATTACHMENTS);
        s.put("characters_reserved_per_url", CHARACTERS_RESERVED_PER_URL);
        return s;
    }

    private static Map<String, Object> mediaLimits() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supported_mime_types", MEDIA_TYPES);
        m.put("image_size_limit", 16_777_216);
        m.put("image_matrix_limit", 33_177_600);
        m.put("video_size_limit", 103_809_024);
        m.put("video_frame_rate_limit", 120);
        m.put("video_matrix_limit", 8_294_400);
        return m;
    }

    private static Map<String, Object> pollLimits() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("max_options", PollService.MAX_OPTIONS);
        p.put("max_characters_per_option", PollService.MAX_CHARACTERS_PER_OPTION);
        p.put("min_expiration", PollService.MIN_EXPIRATION);
        p.put("max_expiration", PollService.MAX_EXPIRATION);
        return p;
    }
}
