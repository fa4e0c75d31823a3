package io.orderflow.config;

import org.apache.kafka.common.config.ConfigDef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares a settings table in the docs ({@code | key | default | meaning |}, keys and defaults in backticks,
 * several keys in one row with their defaults in the same order) with the {@link ConfigDef} that declares the
 * settings, so the docs cannot drift from the code.
 */
public final class SettingsTable {
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    private SettingsTable() {
    }

    /**
     * What is wrong with the table under {@code heading} in {@code markdown}: a declared key missing, a default
     * that differs from the declared one, a key listed that is neither declared nor in {@code passedThrough}.
     * Empty when the table is true.
     */
    public static List<String> problems(ConfigDef def, String markdown, String heading, Set<String> passedThrough) {
        Map<String, String> defaults = documentedDefaults(markdown, heading);
        List<String> problems = new ArrayList<>();
        if (defaults.isEmpty()) {
            problems.add("no settings table under '" + heading + "'");
            return problems;
        }
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            if (!defaults.containsKey(key.name)) {
                problems.add(key.name + " is declared but not in the table");
                continue;
            }
            String documented = defaults.get(key.name);
            if (key.hasDefault() && key.defaultValue != null) {
                String declared = ConfigDef.convertToString(key.defaultValue, key.type);
                if (!declared.equals(documented)) {
                    problems.add(key.name + ": the table gives the default " + (documented == null ? "none"
                            : "`" + documented + "`") + ", the code `" + declared + "`");
                }
            }
        }
        for (String documentedKey : defaults.keySet()) {
            if (!def.names().contains(documentedKey) && !passedThrough.contains(documentedKey)) {
                problems.add(documentedKey + " is in the table but is not a setting");
            }
        }
        return problems;
    }

    /** Each key of the table to its default as written in backticks (null when the row gives none). */
    static Map<String, String> documentedDefaults(String markdown, String heading) {
        Map<String, String> defaults = new LinkedHashMap<>();
        boolean inSection = false;
        boolean pastHeader = false;
        boolean inFence = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            if (line.startsWith("#")) {
                inSection = line.replaceFirst("^#+\\s*", "").trim().equals(heading);
                pastHeader = false;
                continue;
            }
            if (!inSection || !line.startsWith("|")) {
                continue;
            }
            if (line.startsWith("|---") || line.startsWith("| ---")) {
                pastHeader = true;
                continue;
            }
            if (!pastHeader) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 3) {
                continue;
            }
            List<String> keys = codes(cells[1]);
            List<String> values = codes(cells[2]);
            for (int i = 0; i < keys.size(); i++) {
                String value = values.size() == keys.size() ? values.get(i) : values.size() == 1 ? values.get(0)
                        : null;
                defaults.put(keys.get(i), value);
            }
        }
        return defaults;
    }

    private static List<String> codes(String cell) {
        List<String> codes = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }
}
