package io.orderflow.server.runtime;

import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.OrderflowTopology;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The least set of Kafka ACLs each Orderflow role needs, as {@link AclBinding}s and as the commands Kafka's own
 * {@code kafka-acls} tool takes. Every grant is explained by a client call the role makes:
 *
 * <ul>
 *     <li><b>streams</b> ({@code saga run}): {@code TopicSetup} creates and describes Orderflow's topics (CREATE,
 *     DESCRIBE); Kafka Streams reads the ingress topics, reads and writes the command, reply and status topics,
 *     writes the dead letters; the operator API reads the dead letters and writes operator actions and redrives
 *     to the ingress topics (so READ and WRITE on every Orderflow topic); creates, reads, writes and purges its internal topics (ALL on each, by its exact
 *     name: every store's changelog and every repartition topic of the topology, whose names are all explicit,
 *     so no prefix grants more than they are); commits in its group {@code application.id} (READ) and
 *     transactions under the prefix {@code application.id-} (WRITE, DESCRIBE); the reply-path monitor reads the
 *     group's committed offsets (DESCRIBE on the group).</li>
 *     <li><b>verify</b>: reads every Orderflow topic and changelog ({@code application.id-} prefix) with
 *     {@code read_committed}, assigned partitions, no group (READ, DESCRIBE).</li>
 *     <li><b>intake</b>: none; it writes PostgreSQL, and Debezium publishes the outbox.</li>
 *     <li><b>connect</b> (the Kafka Connect worker running Debezium's outbox connector with exactly-once source
 *     support): joins its group (READ, DESCRIBE); creates, reads and writes its internal topics, named with the
 *     group as prefix, and checks their cleanup policy (DESCRIBE_CONFIGS); writes {@code order.events} and
 *     Debezium's heartbeat topic {@code __debezium-heartbeat.<topic.prefix>}, creating the latter; commits in
 *     transactions: each task's, whose ids start with the group, and the leader's for the config topic,
 *     {@code connect-cluster-<group.id>}; and fences them.</li>
 * </ul>
 */
public final class KafkaAcls {
    /** What a principal does with Orderflow. */
    public enum Role {
        STREAMS, VERIFY, INTAKE, CONNECT;

        public static Role parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + text
                        + "': expected streams, verify, intake or connect");
            }
        }
    }

    private KafkaAcls() {
    }

    /** Connect's defaults as Orderflow configures it: {@code deploy/connect/worker.properties}, the connector file. */
    public static final String CONNECT_GROUP = "orderflow-connect";
    public static final String TOPIC_PREFIX = "orderflow";

    /** {@link #of(Role, String, String, String, String)} with Connect's defaults. */
    public static List<AclBinding> of(Role role, String principal, String applicationId) {
        return of(role, principal, applicationId, CONNECT_GROUP, TOPIC_PREFIX);
    }

    /**
     * The ACLs {@code principal} needs for {@code role} with the instances' {@code applicationId}, the Connect
     * worker's {@code group.id} {@code connectGroup} and the connector's {@code topic.prefix}.
     */
    public static List<AclBinding> of(Role role, String principal, String applicationId, String connectGroup,
                                      String topicPrefix) {
        if (!principal.startsWith("User:") || principal.length() == "User:".length()) {
            throw new IllegalArgumentException("principal must be User:<name>, was '" + principal + "'");
        }
        List<AclBinding> acls = new ArrayList<>();
        String prefix = applicationId + "-";
        switch (role) {
            case STREAMS -> {
                for (Topic<?> topic : Topics.ALL) {
                    add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, topic.name(), EnumSet.of(
                            AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE));
                }
                for (String internal : internalTopics(applicationId)) {
                    add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, internal,
                            EnumSet.of(AclOperation.ALL));
                }
                add(acls, principal, ResourceType.GROUP, PatternType.LITERAL, applicationId,
                        EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE));
                add(acls, principal, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, prefix,
                        EnumSet.of(AclOperation.WRITE, AclOperation.DESCRIBE));
            }
            case VERIFY -> {
                for (Topic<?> topic : Topics.ALL) {
                    add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, topic.name(),
                            EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE));
                }
                for (String internal : internalTopics(applicationId)) {
                    add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, internal,
                            EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE));
                }
            }
            case INTAKE -> {
                // none: the intake talks to PostgreSQL only
            }
            case CONNECT -> {
                add(acls, principal, ResourceType.GROUP, PatternType.LITERAL, connectGroup,
                        EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE));
                add(acls, principal, ResourceType.TOPIC, PatternType.PREFIXED, connectGroup + "-",
                        EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                                AclOperation.DESCRIBE_CONFIGS));
                add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, Topics.ORDER_EVENTS.name(),
                        EnumSet.of(AclOperation.WRITE, AclOperation.DESCRIBE));
                add(acls, principal, ResourceType.TOPIC, PatternType.LITERAL, "__debezium-heartbeat." + topicPrefix,
                        EnumSet.of(AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE));
                add(acls, principal, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, connectGroup + "-",
                        EnumSet.of(AclOperation.WRITE, AclOperation.DESCRIBE));
                // the leader's producer for the config topic: Connect names it connect-cluster-<group.id>
                add(acls, principal, ResourceType.TRANSACTIONAL_ID, PatternType.LITERAL, "connect-cluster-"
                        + connectGroup, EnumSet.of(AclOperation.WRITE, AclOperation.DESCRIBE));
            }
        }
        return List.copyOf(acls);
    }

    /**
     * Kafka Streams' internal topics of Orderflow's topology under {@code applicationId}: the changelog of every
     * store ({@code <id>-<store>-changelog}) and every repartition topic ({@code <id>-<name>-repartition}), sorted
     * by name (so what is printed is the same on every run). Read from the topology itself, so a new store or repartition is never left out.
     */
    public static List<String> internalTopics(String applicationId) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        Topology topology = OrderflowTopology.build(OrderflowConfig.from(props), LocalSchemaRegistry.instance(),
                OrderflowMetrics.NONE, OrderflowConfig.streamsProperties(props));
        Set<String> external = new HashSet<>();
        Topics.ALL.forEach(topic -> external.add(topic.name()));
        Set<String> topics = new TreeSet<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    source.topicSet().stream().filter(t -> !external.contains(t))
                            .forEach(t -> topics.add(applicationId + "-" + t));
                }
                if (node instanceof TopologyDescription.Sink sink && sink.topic() != null
                        && !external.contains(sink.topic())) {
                    topics.add(applicationId + "-" + sink.topic());
                }
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().forEach(store -> topics.add(applicationId + "-" + store + "-changelog"));
                }
            }
        }
        return List.copyOf(topics);
    }

    /**
     * {@code kafka-acls} commands that add {@code acls}, one per resource with its operations, to the cluster at
     * {@code bootstrap} as the administrator configured in {@code commandConfig}.
     */
    public static List<String> commands(List<AclBinding> acls, String bootstrap, String commandConfig) {
        Map<ResourcePattern, List<AclBinding>> byResource = new LinkedHashMap<>();
        for (AclBinding acl : acls) {
            byResource.computeIfAbsent(acl.pattern(), p -> new ArrayList<>()).add(acl);
        }
        List<String> commands = new ArrayList<>();
        for (Map.Entry<ResourcePattern, List<AclBinding>> resource : byResource.entrySet()) {
            ResourcePattern pattern = resource.getKey();
            StringBuilder command = new StringBuilder("kafka-acls.sh --bootstrap-server ").append(bootstrap)
                    .append(" --command-config ").append(commandConfig)
                    .append(" --add --allow-principal ").append(resource.getValue().get(0).entry().principal());
            for (AclBinding acl : resource.getValue()) {
                command.append(" --operation ").append(operationName(acl.entry().operation()));
            }
            switch (pattern.resourceType()) {
                case TOPIC -> command.append(" --topic ").append(pattern.name());
                case GROUP -> command.append(" --group ").append(pattern.name());
                case TRANSACTIONAL_ID -> command.append(" --transactional-id ").append(pattern.name());
                default -> throw new IllegalStateException("no kafka-acls flag for " + pattern.resourceType());
            }
            if (pattern.patternType() == PatternType.PREFIXED) {
                command.append(" --resource-pattern-type prefixed");
            }
            commands.add(command.toString());
        }
        return commands;
    }

    /** As {@code kafka-acls} spells it: DESCRIBE_CONFIGS is DescribeConfigs. */
    static String operationName(AclOperation operation) {
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }

    private static void add(List<AclBinding> acls, String principal, ResourceType type, PatternType pattern,
                            String name, Set<AclOperation> operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
