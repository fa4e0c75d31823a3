package io.orderflow.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Kafka Streams' ERROR about tasks that only need re-initialising into an INFO line of Orderflow's.
 *
 * <p>Under exactly-once, when a rebalance moves an active task to another instance and this one keeps it as a
 * standby (num.standby.replicas ≥ 1), Streams recycles the task's state; a store that holds data but no checkpoint
 * (the window and dedupe stores between commits) may hold uncommitted writes, so Streams wipes it and restores it
 * from its changelog. It signals that with a {@code TaskCorruptedException} per task and logs "Get exceptions for
 * the following tasks: {…}" at ERROR from {@code TaskManager}, although nothing failed: the standby restores, and
 * exactly-once holds (the chaos runs verify it). Seen on every instance joining {@code ./saga demo --instances 3}.
 * Only that message, and only when every listed exception is a {@code TaskCorruptedException}, is replaced; any
 * other exception in it keeps the ERROR.
 */
public final class TaskRecoveryFilter extends Filter<ILoggingEvent> {
    static final String LOGGER = "org.apache.kafka.streams.processor.internals.TaskManager";
    private static final String PREFIX = "Get exceptions for the following tasks: {";
    private static final Pattern ENTRY = Pattern.compile("(?:^|, )(\\d+_\\d+)=([\\w.$]+)");
    private static final String CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException";
    private static final Logger log = LoggerFactory.getLogger(TaskRecoveryFilter.class);

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() != Level.ERROR || !LOGGER.equals(event.getLoggerName())) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        int start = message == null ? -1 : message.indexOf(PREFIX);
        if (start < 0) {
            return FilterReply.NEUTRAL;
        }
        String tasks = onlyCorruptedTasks(message.substring(start + PREFIX.length()));
        if (tasks == null) {
            return FilterReply.NEUTRAL;
        }
        log.info("Tasks {} re-initialised from their changelogs after a rebalance (TaskCorruptedException: expected "
                + "under exactly-once when an active task becomes a standby)", tasks);
        return FilterReply.DENY;
    }

    /** The task ids when every entry of the map text is a TaskCorruptedException, else null. */
    static String onlyCorruptedTasks(String entries) {
        StringBuilder tasks = new StringBuilder();
        Matcher m = ENTRY.matcher(entries);
        int found = 0;
        int keys = 0;
        for (int i = entries.indexOf('='); i >= 0; i = entries.indexOf('=', i + 1)) {
            keys++;
        }
        while (m.find()) {
            if (!CORRUPTED.equals(m.group(2))) {
                return null;
            }
            tasks.append(tasks.length() == 0 ? "" : ", ").append(m.group(1));
            found++;
        }
        // Every "=" must belong to a task entry: an exception message with its own '=' makes the text ambiguous.
        return found > 0 && found == keys ? "[" + tasks + "]" : null;
    }
}
