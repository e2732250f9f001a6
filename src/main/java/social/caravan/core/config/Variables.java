package social.caravan.core.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Typed reads of environment variables; every failure names the variable. */
final class Variables {
    private final Map<String, String> env;

    Variables(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> optional(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be a whole number (got \"" + raw.get() + "\")");
        }
        if (value < min || value > max) {
            throw new ConfigException(name, "must be between " + min + " and " + max + " (got " + value + ")");
        }
        return value;
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name, "must be true or false (got \"" + raw.get() + "\")");
        };
    }

    <E extends Enum<E>> E choice(String name, E fallback, Class<E> type) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, raw.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E option : type.getEnumConstants()) {
                allowed.append(allowed.isEmpty() ? "" : ", ").append(option.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigException(name, "must be one of " + allowed + " (got \"" + raw.get() + "\")");
        }
    }

    String url(String name, String fallback) {
        String value = string(name, fallback);
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new ConfigException(name, "must be an absolute URL (got \"" + value + "\")");
            }
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(name, "must be an absolute URL (got \"" + value + "\")");
        }
        return value.replaceFirst("/+$", "");
    }
}
