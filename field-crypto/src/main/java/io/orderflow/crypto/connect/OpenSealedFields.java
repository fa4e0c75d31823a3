package io.orderflow.crypto.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.crypto.FieldCipher;
import io.orderflow.crypto.KeyRing;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Kafka Connect transform for the outbox connector: opens the sealed fields ({@link FieldCipher}) of a JSON event
 * payload — the record's value as text, as Debezium's EventRouter leaves it with {@code StringConverter} — so the
 * events reach Kafka as the saga reads them. The one place personal data is decrypted. A field that is not sealed
 * passes unchanged; a sealed one that does not open (no keys configured, a key the file lacks, an altered value)
 * fails the task with the reason rather than publish it sealed or drop it.
 *
 * <pre>
 * transforms=outbox,open
 * transforms.open.type=io.orderflow.crypto.connect.OpenSealedFields
 * transforms.open.fields=note
 * transforms.open.context.field=orderId
 * transforms.open.keys.file=/run/secrets/orderflow-field-keys
 * </pre>
 */
public final class OpenSealedFields<R extends ConnectRecord<R>> implements Transformation<R> {
    public static final String FIELDS = "fields";
    public static final String CONTEXT_FIELD = "context.field";
    public static final String KEYS_FILE = "keys.file";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConfigDef CONFIG = new ConfigDef()
            .define(FIELDS, ConfigDef.Type.LIST, "note", ConfigDef.Importance.HIGH,
                    "Top-level fields of the JSON payload to open when sealed")
            .define(CONTEXT_FIELD, ConfigDef.Type.STRING, "orderId", ConfigDef.Importance.MEDIUM,
                    "The payload field each value was sealed for (authenticated with it)")
            .define(KEYS_FILE, ConfigDef.Type.STRING, "", ConfigDef.Importance.HIGH,
                    "The keys file the intake seals with (every key still in use); empty: a sealed value fails "
                            + "the task");

    /**
     * The connector settings that run this transform, named {@code open}, after the connector's own
     * {@code transforms} (e.g. {@code outbox}), opening the note with the keys in {@code keysFile}.
     */
    public static Map<String, String> connectorSettings(String transforms, Path keysFile) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("transforms", transforms == null || transforms.isBlank() ? "open" : transforms + ",open");
        settings.put("transforms.open.type", OpenSealedFields.class.getName());
        settings.put("transforms.open." + FIELDS, "note");
        settings.put("transforms.open." + CONTEXT_FIELD, "orderId");
        settings.put("transforms.open." + KEYS_FILE, keysFile.toAbsolutePath().toString());
        return settings;
    }

    private List<String> fields;
    private String contextField;
    private FieldCipher cipher;
    private String keysFile;

    @Override
    public void configure(Map<String, ?> configs) {
        AbstractConfig config = new AbstractConfig(CONFIG, configs);
        fields = config.getList(FIELDS);
        contextField = config.getString(CONTEXT_FIELD);
        keysFile = config.getString(KEYS_FILE);
        cipher = keysFile.isBlank() ? null : new FieldCipher(KeyRing.load(Path.of(keysFile)));
    }

    @Override
    public R apply(R record) {
        if (!(record.value() instanceof String text) || text.indexOf(FieldCipher.PREFIX) < 0) {
            return record;
        }
        ObjectNode payload;
        try {
            JsonNode node = JSON.readTree(text);
            if (!(node instanceof ObjectNode object)) {
                return record;
            }
            payload = object;
        } catch (JsonProcessingException e) {
            return record; // not JSON: nothing of ours to open
        }
        boolean opened = false;
        for (String field : fields) {
            JsonNode value = payload.get(field);
            if (value != null && value.isTextual() && FieldCipher.isSealed(value.asText())) {
                payload.put(field, open(field, value.asText(), payload.path(contextField).asText(""), record));
                opened = true;
            }
        }
        if (!opened) {
            return record;
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), payload.toString(), record.timestamp(), record.headers());
    }

    private String open(String field, String sealed, String context, R record) {
        if (cipher == null) {
            throw new DataException("field '" + field + "' of the event keyed " + record.key() + " is sealed, but "
                    + KEYS_FILE + " is not set on this transform: give it the intake's keys file");
        }
        try {
            return cipher.open(sealed, context);
        } catch (IllegalStateException e) {
            throw new DataException("field '" + field + "' of the event keyed " + record.key() + " does not open: "
                    + e.getMessage() + " (" + KEYS_FILE + "=" + keysFile + ")");
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void close() {
    }
}
