package io.orderflow.devtools.cli;

import io.orderflow.server.runtime.KafkaAcls;
import io.orderflow.topology.OrderflowConfig;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "acls", mixinStandardHelpOptions = true, sortSynopsis = false,
        description = {"Print the least Kafka ACLs a principal needs for a role.",
                "%nPrints kafka-acls commands, one per resource, for a cluster with an authorizer and "
                        + "allow.everyone.if.no.acl.found=false. Roles: streams (saga run: Orderflow's topics, the "
                        + "internal topics, group and transactional ids prefixed by the application id), verify "
                        + "(saga verify: read-only), intake (none: it writes PostgreSQL only), connect (the Kafka "
                        + "Connect worker running the outbox connector with exactly-once source support).",
                "%nExit code 0, or 2 for bad flags."})
final class AclsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--principal", required = true, paramLabel = "User:NAME",
            description = "the principal to grant, e.g. User:orderflow")
    String principal;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
            description = "streams, verify, intake or connect")
    String role;

    @Option(names = "--application-id", defaultValue = OrderflowConfig.APPLICATION_ID, paramLabel = "ID",
            description = "the instances' application.id (default ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--connect-group", defaultValue = KafkaAcls.CONNECT_GROUP, paramLabel = "ID",
            description = "for connect: the worker's group.id, which its internal topics must start with "
                    + "(default ${DEFAULT-VALUE})")
    String connectGroup;

    @Option(names = "--topic-prefix", defaultValue = KafkaAcls.TOPIC_PREFIX, paramLabel = "PREFIX",
            description = "for connect: the connector's topic.prefix, which names Debezium's heartbeat topic "
                    + "(default ${DEFAULT-VALUE})")
    String topicPrefix;

    @Option(names = "--bootstrap-server", defaultValue = "BROKER:9092", paramLabel = "HOST:PORT",
            description = "put into the commands (default ${DEFAULT-VALUE})")
    String bootstrapServer;

    @Option(names = "--command-config", defaultValue = "admin.properties", paramLabel = "FILE",
            description = "the administrator's client settings, put into the commands (default ${DEFAULT-VALUE})")
    String commandConfig;

    @Override
    public Integer call() {
        List<AclBinding> acls;
        try {
            acls = KafkaAcls.of(KafkaAcls.Role.parse(role), principal.trim(), applicationId, connectGroup,
                    topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (acls.isEmpty()) {
            out.println("# " + role.trim().toLowerCase(java.util.Locale.ROOT) + " needs no Kafka ACLs: the intake "
                    + "writes orders and outbox rows to PostgreSQL; Debezium publishes them.");
        }
        for (String command : KafkaAcls.commands(acls, bootstrapServer, commandConfig)) {
            out.println(command);
        }
        out.flush();
        return 0;
    }
}
