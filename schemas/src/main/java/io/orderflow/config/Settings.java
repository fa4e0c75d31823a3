package io.orderflow.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Orderflow's settings are declared with Kafka's {@link ConfigDef} (type, default, validator, documentation), as
 * Kafka's own are; this reads them from properties with one-line messages a user can act on ({@code KEY must be …,
 * was 'VALUE'}) instead of Kafka's, and holds the validators and the duration syntax every module shares.
 */
public final class Settings {
    /** What a duration looks like, for messages. */
    public static final String DURATION_SYNTAX = "a duration such as 500ms, 30s, 5m or 24h";

    private Settings() {
    }

    /**
     * Every key of {@code def} from {@code props} (blank counts as absent), typed and validated; keys {@code def}
     * does not declare are left to the caller.
     *
     * @throws IllegalArgumentException naming the key, what it must be, and the value given
     */
    public static Map<String, Object> parse(ConfigDef def, Properties props) {
        Map<String, Object> values = new HashMap<>();
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            String text = props.getProperty(key.name);
            Object value;
            if (text == null || text.isBlank()) {
                if (!key.hasDefault()) {
                    throw new IllegalArgumentException(key.name + " is required");
                }
                value = key.defaultValue;
            } else {
                try {
                    value = ConfigDef.parseType(key.name, text.trim(), key.type);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException(key.name + " must be " + describe(key.type) + ", was '"
                            + text.trim() + "'", e);
                }
            }
            if (key.validator != null && value != null) {
                try {
                    key.validator.ensureValid(key.name, value);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
            values.put(key.name, value);
        }
        return values;
    }

    /** An integer setting of at least {@code min}. */
    public static ConfigDef.Validator atLeast(long min) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && ((Number) value).longValue() < min) {
                    throw new ConfigException(name + " must be >= " + min + ", was " + value);
                }
            }

            @Override
            public String toString() {
                return ">= " + min;
            }
        };
    }

    /** An integer setting from {@code min} to {@code max}. */
    public static ConfigDef.Validator between(long min, long max) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return; // no default: the setting is optional
                }
                long v = ((Number) value).longValue();
                if (v < min || v > max) {
                    throw new ConfigException(name + " must be from " + min + " to " + max + ", was " + value);
                }
            }

            @Override
            public String toString() {
                return min + " to " + max;
            }
        };
    }

    /** A string setting that is one of {@code choices} (or absent, when it has no default). */
    public static ConfigDef.Validator oneOf(String... choices) {
        java.util.List<String> allowed = java.util.List.of(choices);
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !allowed.contains(((String) value).trim())) {
                    throw new ConfigException(name + " must be " + String.join(" or ", allowed) + ", was '" + value
                            + "'");
                }
            }

            @Override
            public String toString() {
                return String.join(" or ", allowed);
            }
        };
    }

    /** A duration setting (declared as a STRING) of at least {@code min}; see {@link #parseDuration}. */
    public static ConfigDef.Validator duration(Duration min) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return; // no default: the setting is optional
                }
                Duration parsed;
                try {
                    parsed = parseDuration((String) value);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name + " must be " + DURATION_SYNTAX + ", was '" + value + "'");
                }
                if (parsed.compareTo(min) < 0) {
                    throw new ConfigException(name + " must be at least " + min.toMillis() + "ms, was '" + value
                            + "'");
                }
            }

            @Override
            public String toString() {
                return DURATION_SYNTAX + ", at least " + min.toMillis() + "ms";
            }
        };
    }

    /** A duration setting's value, once {@link #parse} has validated it. */
    public static Duration duration(Map<String, Object> values, String key) {
        return parseDuration((String) values.get(key));
    }

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 ({@code PT30S}); anything
     * else, an out-of-range amount included, is an {@link IllegalArgumentException}.
     */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("unknown unit in '" + text + "'");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException
                 | ArithmeticException e) {
            // ArithmeticException: a number that fits a long but not a Duration, e.g. 99999999999999999d
            throw new IllegalArgumentException("not a duration: '" + text + "'", e);
        }
    }

    private static String describe(ConfigDef.Type type) {
        return switch (type) {
            case INT, SHORT, LONG -> "an integer";
            case DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            default -> "a " + type.name().toLowerCase(Locale.ROOT);
        };
    }
}
