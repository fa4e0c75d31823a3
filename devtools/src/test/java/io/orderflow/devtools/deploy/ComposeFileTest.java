package io.orderflow.devtools.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.cli.SagaCommand;
import io.orderflow.devtools.embedded.KafkaCluster;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.KafkaAcls;
import io.orderflow.topology.OrderflowConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code docker-compose.yml} and {@code deploy/} cannot be started where Orderflow is built (no Docker engine),
 * so this checks what can be checked without one: that every file, build context and Dockerfile they name
 * exists, and that the pieces agree with each other — service names, ports, listeners, credentials, the
 * connector's name, replication, the jar the image copies — and with the poms.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_DOCKERFILE = "deploy/Dockerfile";

    private static Map<String, Object> compose;

    @BeforeAll
    static void loadCompose() {
        compose = yaml(ROOT.resolve("docker-compose.yml"));
    }

    @Test
    void shouldReferenceOnlyFilesThatExistWhenServicesMountOrBuildThem() {
        // Given
        Set<String> namedVolumes = map(compose.get("volumes")).keySet();

        for (String service : services().keySet()) {
            // When
            Map<String, Object> definition = service(service);

            // Then
            assertThat(definition.get("image") != null || definition.get("build") != null)
                    .as("%s has an image or a build", service).isTrue();
            for (String volume : volumes(service)) {
                String source = volume.split(":")[0];
                if (isBindMount(source)) {
                    assertThat(ROOT.resolve(source).normalize()).as("%s mounts %s", service, volume).exists();
                } else {
                    assertThat(namedVolumes).as("%s uses volume %s", service, source).contains(source);
                }
            }
            if (definition.get("build") != null) {
                Map<String, Object> build = map(definition.get("build"));
                Path context = ROOT.resolve(string(build.get("context"))).normalize();
                assertThat(context).as("%s build context", service).isDirectory();
                Object dockerfile = build.getOrDefault("dockerfile", "Dockerfile");
                assertThat(context.resolve(string(dockerfile))).as("%s Dockerfile", service).isRegularFile();
            }
        }
    }

    @Test
    void shouldStartEveryServiceAfterWhatItNeedsWhenDependenciesHaveConditions() {
        // Given
        Map<String, Object> services = services();

        for (String service : services.keySet()) {
            // When
            Map<String, Object> dependsOn = map(service(service).getOrDefault("depends_on", Map.of()));

            // Then a health condition needs a health check, a completion condition a one-shot
            for (Map.Entry<String, Object> dependency : dependsOn.entrySet()) {
                assertThat(services).as("%s depends on %s", service, dependency.getKey())
                        .containsKey(dependency.getKey());
                String condition = string(map(dependency.getValue()).get("condition"));
                Map<String, Object> target = service(dependency.getKey());
                if (condition.equals("service_healthy")) {
                    assertThat(target).as("%s, which %s waits to be healthy", dependency.getKey(), service)
                            .containsKey("healthcheck");
                } else if (condition.equals("service_completed_successfully")) {
                    assertThat(string(target.getOrDefault("restart", "no")))
                            .as("%s, which %s waits to complete", dependency.getKey(), service).isEqualTo("no");
                }
            }
        }
        // The outbox table exists before Debezium's publication, order.events before the first event,
        // and the connector runs before the intake takes its first order.
        assertThat(conditions("connect-init")).containsEntry("connect", "service_healthy")
                .containsEntry("db-migrate", "service_completed_successfully")
                .containsEntry("db-logins", "service_completed_successfully")
                .containsEntry(instanceServices().get(0), "service_healthy");
        assertThat(conditions("intake")).containsEntry("connect-init", "service_completed_successfully")
                .containsEntry("db-logins", "service_completed_successfully");
        assertThat(conditions("db-migrate")).containsEntry("postgres", "service_healthy");
        // The login users are granted the roles the migrations create.
        assertThat(conditions("db-logins")).containsEntry("db-migrate", "service_completed_successfully");
        for (String instance : instanceServices()) {
            assertThat(conditions(instance)).containsEntry("schema-registry", "service_healthy");
            for (String broker : brokerServices()) {
                assertThat(conditions(instance)).containsEntry(broker, "service_healthy");
            }
        }
    }

    @Test
    void shouldPointEveryClientAtTheNodesClientListenerWhenTheirConfigsAreRead() throws IOException {
        // Given the address each node advertises on its CLIENT listener (SCRAM logins), and on INTERNAL (nodes, admin)
        Set<String> client = new TreeSet<>();
        Set<String> internal = new TreeSet<>();
        for (String broker : brokerServices()) {
            Properties node = nodeConfig(broker);
            Map<String, String> advertised = listeners(node.getProperty("advertised.listeners"));
            assertThat(advertised.get("CLIENT")).as("%s advertises its service name", broker).startsWith(broker + ":");
            assertThat(advertised.get(node.getProperty("inter.broker.listener.name"))).startsWith(broker + ":");
            client.add(advertised.get("CLIENT"));
            internal.add(advertised.get(node.getProperty("inter.broker.listener.name")));
        }
        assertThat(client).hasSize(3);

        // When / Then
        for (String instance : instanceServices()) {
            assertThat(csv(serviceConfig(instance).getProperty("bootstrap.servers")))
                    .as("%s bootstrap.servers", instance).isEqualTo(client);
        }
        assertThat(csv(connectWorker().getProperty("bootstrap.servers"))).as("Connect worker").isEqualTo(client);
        assertThat(csv(environment("schema-registry").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")
                .replace("SASL_SSL://", ""))).as("Schema Registry").isEqualTo(client);
        // ... and the administrator (kafka-init) at INTERNAL
        for (String line : aclCommands()) {
            assertThat(csv(line.split(" ")[2])).as(line).isEqualTo(internal);
        }
        assertThat(Files.readString(kafkaScript("init.sh"))).contains("\"${BOOTSTRAP:-" + String.join(",", internal));
    }

    @Test
    void shouldSecureEveryListenerAndEveryClientWhenTheClusterRuns() throws IOException {
        for (String broker : brokerServices()) {
            // Given
            Properties node = nodeConfig(broker);

            // Then TLS everywhere, certificates between nodes, an authorizer that denies by default
            Map<String, String> protocols = listeners(node.getProperty("listener.security.protocol.map")
                    .replace(":", "://"));
            assertThat(protocols.values()).as("%s listeners", broker).doesNotContain("PLAINTEXT", "SASL_PLAINTEXT");
            assertThat(listeners(node.getProperty("listeners")).keySet()).isEqualTo(protocols.keySet());
            for (String mutual : List.of(node.getProperty("controller.listener.names"),
                    node.getProperty("inter.broker.listener.name"))) {
                assertThat(protocols.get(mutual)).isEqualTo("SSL");
                assertThat(node.getProperty("listener.name." + mutual.toLowerCase(Locale.ROOT) + ".ssl.client.auth"))
                        .as("%s %s", broker, mutual).isEqualTo("required");
            }
            assertThat(protocols.get("CLIENT")).isEqualTo("SASL_SSL");
            assertThat(node.getProperty("sasl.enabled.mechanisms")).isEqualTo("SCRAM-SHA-512");
            assertThat(node).containsEntry("authorizer.class.name",
                            "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                    .containsEntry("allow.everyone.if.no.acl.found", "false");
            Set<String> supers = new TreeSet<>(List.of(node.getProperty("super.users").split(";")));
            Set<String> expected = new TreeSet<>(List.of("User:admin"));
            brokerServices().forEach(b -> expected.add("User:" + b));
            assertThat(supers).isEqualTo(expected);
            // ... the key store's password read from the node's own secrets, never written in the file
            assertThat(node.getProperty("ssl.keystore.password"))
                    .isEqualTo("${file:/etc/kafka/secrets/secrets.properties:keystore.password}");
            assertThat(secretVolumes(broker)).containsExactly(entry(broker + "-secrets", "/etc/kafka/secrets"));
        }

        // And every secrets volume is made by kafka-secrets and mounted by its one party only
        Map<String, Set<String>> mountedBy = new TreeMap<>();
        for (String service : services().keySet()) {
            if (!service.equals("kafka-secrets")) {
                secretVolumes(service).keySet().forEach(v -> mountedBy.computeIfAbsent(v, k -> new TreeSet<>()).add(service));
            }
        }
        Set<String> made = new TreeSet<>(namedVolumeSources("kafka-secrets"));
        made.removeIf(volume -> !volume.endsWith("-secrets"));
        assertThat(mountedBy.keySet()).isEqualTo(made);
        Set<String> instances = new TreeSet<>(instanceServices());
        mountedBy.forEach((volume, services) -> assertThat(services.size() == 1 || services.equals(instances))
                .as("%s is mounted by %s", volume, services).isTrue());

        // And Orderflow, Connect (its worker and its connectors' clients) and Schema Registry log in with SCRAM over
        // TLS, trusting the cluster's CA, their password read from the file kafka-secrets wrote into their volume
        for (String instance : instanceServices()) {
            assertLogin(serviceConfig(instance), "", onlySecretMount(instance));
        }
        for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
            assertLogin(connectWorker(), prefix, onlySecretMount("connect"));
        }
        Map<String, String> registry = environment("schema-registry");
        String registrySecrets = onlySecretMount("schema-registry");
        assertThat(registry).containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_TYPE", "PEM")
                .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_LOCATION", registrySecrets + "/ca.crt")
                .containsEntry("SCHEMA_REGISTRY_OPTS", "-Djava.security.auth.login.config=" + registrySecrets
                        + "/jaas.conf");
        // ... as users kafka-secrets makes passwords for (and kafka-init therefore credentials)
        String secretsScript = Files.readString(kafkaScript("secrets.sh"));
        assertThat(secretsScript).contains("users=\"${SCRAM_USERS:-orderflow connect schema-registry verify}\"");
        assertThat(string(service("kafka-secrets").get("entrypoint"))).contains("/deploy/kafka/secrets.sh");
        assertThat(string(service("kafka-init").get("entrypoint"))).contains("/deploy/kafka/init.sh");
        assertThat(conditions("kafka-init")).containsKeys(brokerServices().toArray(String[]::new));
        for (String client : List.of("schema-registry", "connect", instanceServices().get(0))) {
            assertThat(conditions(client)).as(client).containsEntry("kafka-init", "service_completed_successfully");
        }
    }

    @Test
    void shouldGrantExactlyWhatSagaAclsPrintsWhenKafkaInitAppliesTheAcls() throws IOException {
        // Given the ACL lines of each principal
        Map<String, List<String>> byPrincipal = new TreeMap<>();
        for (String line : aclCommands()) {
            List<String> words = List.of(line.split(" "));
            byPrincipal.computeIfAbsent(words.get(words.indexOf("--allow-principal") + 1), p -> new ArrayList<>())
                    .add(line);
        }
        String bootstrap = aclCommands().get(0).split(" ")[2];
        String adminConfig = "/etc/kafka/secrets/client.properties";
        JsonNode connector = JSON.readTree(ROOT.resolve("connectors/orders-outbox.json").toFile()).path("config");

        // When
        List<String> streams = KafkaAcls.commands(KafkaAcls.of(KafkaAcls.Role.STREAMS, "User:orderflow",
                serviceConfig(instanceServices().get(0)).getProperty("application.id", OrderflowConfig.APPLICATION_ID)),
                bootstrap, adminConfig);
        List<String> connect = KafkaAcls.commands(KafkaAcls.of(KafkaAcls.Role.CONNECT, "User:connect",
                OrderflowConfig.APPLICATION_ID, connectWorker().getProperty("group.id"),
                connector.path("topic.prefix").asText()), bootstrap, adminConfig);

        // Then
        List<String> verify = KafkaAcls.commands(KafkaAcls.of(KafkaAcls.Role.VERIFY, "User:verify",
                OrderflowConfig.APPLICATION_ID), bootstrap, adminConfig);
        assertThat(byPrincipal.keySet())
                .containsExactly("User:connect", "User:orderflow", "User:schema-registry", "User:verify");
        assertThat(byPrincipal.get("User:verify")).isEqualTo(verify);
        assertThat(byPrincipal.get("User:orderflow")).isEqualTo(streams);
        assertThat(byPrincipal.get("User:connect")).isEqualTo(connect);
        assertThat(String.join("\n", byPrincipal.get("User:schema-registry")))
                .contains("--topic _schemas").contains("--group schema-registry");
        assertThat(volumes("kafka-init")).contains("kafka-admin-secrets:/etc/kafka/secrets:ro");
    }

    @Test
    void shouldAdvertiseEachInstanceAsItsServiceNameAndHttpPortWhenInstancesRun() {
        // Given
        List<String> instances = instanceServices();
        assertThat(instances).hasSizeGreaterThanOrEqualTo(2);
        Set<String> advertised = new HashSet<>();

        for (String instance : instances) {
            // When
            Properties config = serviceConfig(instance);
            int port = Integer.parseInt(config.getProperty("http.port"));
            // (every declared setting in it is valid, as `saga run` will read it)
            assertThatCode(() -> InstanceConfig.values(config)).as("%s settings", instance)
                    .doesNotThrowAnyException();

            // Then
            assertThat(config.getProperty("application.server")).isEqualTo(instance + ":" + port);
            assertThat(advertised.add(config.getProperty("application.server"))).isTrue();
            assertThat(publishedPorts(instance)).as("%s publishes its http.port", instance).containsKey(port);
            assertThat(healthcheck(instance)).contains("http://localhost:" + port + "/ready");
            assertThat(namedVolumeTargets(instance)).as("%s keeps state.dir in a volume", instance)
                    .contains(config.getProperty("state.dir"));
            assertThat(config.getProperty("schema.registry.url"))
                    .isEqualTo("http://schema-registry:" + schemaRegistryPort());
            assertThat(publishedPorts("schema-registry")).containsKey(schemaRegistryPort());
            assertThatCode(() -> SagaCommand.commandLine().parseArgs(command(instance).toArray(String[]::new)))
                    .as("%s command %s", instance, command(instance)).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldScrapeExactlyTheInstancesAndTheIntakeWhenPrometheusLoadsItsConfig() {
        // Given
        Set<String> instances = instanceServices().stream()
                .map(instance -> serviceConfig(instance).getProperty("application.server"))
                .collect(Collectors.toCollection(TreeSet::new));
        String intake = "intake:" + serviceConfig("intake").getProperty("http.port");

        // When
        Map<String, Object> prometheus = yaml(hostPath("prometheus", "/etc/prometheus/prometheus.yml"));

        // Then the instances are job orderflow (the alert rules select it) and the intake a job of its own
        Map<String, Set<String>> targets = new TreeMap<>();
        for (Object job : list(prometheus.get("scrape_configs"))) {
            assertThat(map(job).get("metrics_path")).isEqualTo("/metrics");
            Set<String> jobTargets = targets.computeIfAbsent(string(map(job).get("job_name")), name -> new TreeSet<>());
            for (Object staticConfig : list(map(job).get("static_configs"))) {
                list(map(staticConfig).get("targets")).forEach(target -> jobTargets.add(string(target)));
            }
        }
        assertThat(targets).isEqualTo(Map.of("orderflow", instances, "orderflow-intake", Set.of(intake)));
        for (Object rules : list(prometheus.get("rule_files"))) {
            assertThat(hostPath("prometheus", string(rules))).as("rule file %s", rules).isRegularFile();
        }
    }

    @Test
    void shouldProvisionThePrometheusDatasourceAndTheDashboardWhenGrafanaStarts() throws IOException {
        // Given
        int prometheusPort = publishedPorts("prometheus").keySet().iterator().next();

        // When
        Map<String, Object> datasources =
                yaml(hostPath("grafana", "/etc/grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> dashboards =
                yaml(hostPath("grafana", "/etc/grafana/provisioning/dashboards/orderflow.yml"));

        // Then
        Map<String, Object> datasource = map(list(datasources.get("datasources")).get(0));
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("isDefault", true)
                .containsEntry("url", "http://prometheus:" + prometheusPort);
        String dashboardDir = string(map(map(list(dashboards.get("providers")).get(0)).get("options")).get("path"));
        Path dashboard = hostPath("grafana", dashboardDir + "/orderflow-dashboard.json");
        assertThat(dashboard).isEqualTo(ROOT.resolve("deploy/grafana/orderflow-dashboard.json"));
        assertThat(JSON.readTree(dashboard.toFile()).path("uid").asText()).isNotBlank();
        assertThat(hostPath("grafana", environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")))
                .isEqualTo(dashboard);
    }

    @Test
    void shouldRegisterTheOutboxConnectorUnderItsOwnNameWhenConnectInitRuns() throws IOException {
        // Given
        Map<String, String> env = environment("connect-init");
        Map<String, String> postgres = environment("postgres");

        // When
        Path file = hostPath("connect-init", env.get("CONNECTOR_FILE"));
        JsonNode connector = JSON.readTree(file.toFile());

        // Then the file it registers is connectors/orders-outbox.json, under the name that file gives
        assertThat(file).isEqualTo(ROOT.resolve("connectors/orders-outbox.json"));
        assertThat(connector.path("name").asText()).isEqualTo(env.get("CONNECTOR_NAME")).isNotBlank();
        assertThat(connector.path("config").isObject()).isTrue();
        assertThat(connector.path("config").path("connector.class").asText())
                .isEqualTo("io.debezium.connector.postgresql.PostgresConnector");
        // ... with the compose network's database ...
        assertThat(services()).containsKey(env.get("DATABASE_HOSTNAME"));
        assertThat(env.get("DATABASE_HOSTNAME")).isEqualTo("postgres");
        assertThat(publishedPorts("postgres")).containsKey(Integer.parseInt(env.get("DATABASE_PORT")));
        // ... as Debezium's own login, which db-logins makes (REPLICATION, orderflow_outbox_reader), not the owner
        Map<String, String> logins = environment("db-logins");
        assertThat(env).containsEntry("DATABASE_USER", logins.get("CDC_LOGIN"))
                .containsEntry("DATABASE_PASSWORD", logins.get("CDC_PASSWORD"))
                .containsEntry("DATABASE_DBNAME", postgres.get("POSTGRES_DB"));
        assertThat(env.get("DATABASE_USER")).isNotEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(env.get("DATABASE_PASSWORD")).startsWith("${ORDERFLOW_DB_CDC_PASSWORD:?");
        assertThat(string(service("postgres").get("command"))).contains("wal_level=logical");
        // ... on the Connect service's REST port, sending only the inner config object to PUT .../config
        assertThat(env.get("CONNECT_URL")).isEqualTo("http://connect:" + connectRestPort());
        Path context = ROOT.resolve(string(map(service("connect-init").get("build")).get("context")));
        String script = Files.readString(context.resolve("register-connector.sh"));
        assertThat(Files.readString(context.resolve("Dockerfile"))).contains("COPY register-connector.sh");
        assertThat(script).contains("-X PUT").contains("\"$CONNECT_URL/connectors/$CONNECTOR_NAME/config\"")
                .contains("'.config + {");
        for (String key : List.of("database.hostname", "database.port", "database.user", "database.password",
                "database.dbname")) {
            assertThat(script).contains("\"" + key + "\":");
            assertThat(connector.path("config").has(key)).as("the file has %s", key).isTrue();
        }
        // The connector demands exactly-once delivery, which the workers must enable.
        if (connector.path("config").path("exactly.once.support").asText().equals("required")) {
            assertThat(connectWorker().getProperty("exactly.once.source.support")).isEqualTo("enabled");
        }
    }

    @Test
    void shouldRunConnectWithItsWorkerConfigAndTheDebeziumPluginWhenConnectStarts() throws IOException {
        // Given
        Properties worker = connectWorker();
        String dockerfile = Files.readString(dockerfile("connect"));

        // When
        int port = connectRestPort();

        // Then
        assertThat(worker.getProperty("rest.advertised.host.name")).isEqualTo("connect");
        assertThat(worker.getProperty("rest.advertised.port")).isEqualTo(String.valueOf(port));
        assertThat(publishedPorts("connect")).containsKey(port);
        assertThat(healthcheck("connect")).contains("/dev/tcp/127.0.0.1/" + port).contains("GET /health");
        assertThat(dockerfile).contains("FROM apache/kafka:" + parentProperty("kafka.version") + "\n")
                .contains("ARG DEBEZIUM_VERSION=" + parentProperty("debezium.version") + "\n")
                .contains("COPY --from=plugin /plugins/ " + worker.getProperty("plugin.path") + "/\n");
    }

    @Test
    void shouldReplicateThreeTimesWithTwoInSyncWhenTheClusterRuns() throws IOException {
        // Given each node as a voter: its node id, its service name and its controller listener's port
        List<String> brokers = brokerServices();
        assertThat(brokers).hasSize(3);
        Set<String> voters = new TreeSet<>();
        Set<String> nodeIds = new HashSet<>();
        Set<String> clusterIds = new HashSet<>();

        for (String broker : brokers) {
            // When
            Properties node = nodeConfig(broker);

            // Then
            assertThat(string(service(broker).get("image")))
                    .isEqualTo("apache/kafka:" + parentProperty("kafka.version"));
            assertThat(node).containsEntry("default.replication.factor", "3")
                    .containsEntry("min.insync.replicas", "2")
                    .containsEntry("offsets.topic.replication.factor", "3")
                    .containsEntry("transaction.state.log.replication.factor", "3")
                    .containsEntry("transaction.state.log.min.isr", "2")
                    .containsEntry("unclean.leader.election.enable", "false")
                    .containsEntry("auto.create.topics.enable", "false")
                    // the broker settings the chaos runs measured a broker kill's stall with
                    .containsEntry("broker.session.timeout.ms",
                            Long.toString(KafkaCluster.BROKER_SESSION_TIMEOUT.toMillis()))
                    .containsEntry("broker.heartbeat.interval.ms",
                            Long.toString(KafkaCluster.BROKER_HEARTBEAT.toMillis()));
            assertThat(node.getProperty("process.roles")).contains("controller");
            String controller = listeners(node.getProperty("listeners"))
                    .get(node.getProperty("controller.listener.names"));
            voters.add(node.getProperty("node.id") + "@" + broker + controller.substring(controller.indexOf(':')));
            assertThat(csv(node.getProperty("controller.quorum.voters"))).as("%s voters", broker)
                    .hasSize(3).allMatch(v -> v.contains("@"));
            assertThat(node.getProperty("log.dirs")).isIn(namedVolumeTargets(broker));
            nodeIds.add(node.getProperty("node.id"));
            clusterIds.add(environment(broker).get("CLUSTER_ID"));
        }
        assertThat(nodeIds).hasSize(3);
        assertThat(clusterIds).hasSize(1);
        for (String broker : brokers) {
            assertThat(csv(nodeConfig(broker).getProperty("controller.quorum.voters"))).isEqualTo(voters);
        }
        instanceServices().forEach(instance ->
                assertThat(serviceConfig(instance).getProperty("replication.factor")).isEqualTo("3"));
        Properties worker = connectWorker();
        for (String store : List.of("config", "offset", "status")) {
            assertThat(worker.getProperty(store + ".storage.replication.factor")).isEqualTo("3");
        }
        assertThat(environment("schema-registry"))
                .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR", "3");
    }

    @Test
    void shouldConnectTheIntakeAndTheMigrationsToThePostgresServiceWhenTheyStart() throws IOException {
        // Given
        Map<String, String> postgres = environment("postgres");
        String jdbcUrl = "jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB");
        assertThat(publishedPorts("postgres")).containsKey(5432);

        // When
        Properties intake = serviceConfig("intake");
        IntakeConfig config = IntakeConfig.from(intake);
        assertThatCode(() -> InstanceConfig.values(intake)).as("the intake's HTTP settings").doesNotThrowAnyException();

        // Then
        assertThat(command("intake").get(0)).isEqualTo("intake");
        assertThatCode(() -> SagaCommand.commandLine().parseArgs(command("intake").toArray(String[]::new)))
                .doesNotThrowAnyException();
        assertThat(config.jdbcUrl()).isEqualTo(jdbcUrl);
        // ... as its own login, which db-logins makes (orderflow_intake_writer), not as the owner
        Map<String, String> logins = environment("db-logins");
        assertThat(config.user()).isEqualTo(logins.get("INTAKE_LOGIN")).isNotEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(config.password()).isEqualTo(logins.get("INTAKE_PASSWORD"));
        // ... whose passwords are the operator's, from the environment, in no file of the repository
        assertThat(postgres.get("POSTGRES_PASSWORD")).startsWith("${ORDERFLOW_DB_PASSWORD:?");
        assertThat(logins.get("INTAKE_PASSWORD")).startsWith("${ORDERFLOW_DB_INTAKE_PASSWORD:?");
        // db-logins runs the script as the owner, against the postgres service
        assertThat(logins).containsEntry("PGHOST", "postgres").containsEntry("PGUSER", postgres.get("POSTGRES_USER"))
                .containsEntry("PGPASSWORD", postgres.get("POSTGRES_PASSWORD"))
                .containsEntry("PGDATABASE", postgres.get("POSTGRES_DB"));
        List<String> entrypoint = list(service("db-logins").get("entrypoint")).stream().map(ComposeFileTest::string)
                .toList();
        assertThat(hostPath("db-logins", entrypoint.get(entrypoint.size() - 1)))
                .isEqualTo(ROOT.resolve("deploy/postgres/logins.sh"));
        List<String> intakeCommand = command("intake");
        assertThat(InstanceConfig.load(hostPath("intake", intakeCommand.get(intakeCommand.indexOf("--config") + 1)),
                Map.of())).doesNotContainKey(IntakeConfig.JDBC_PASSWORD);
        assertThat(environment("connect-init")).containsEntry("DATABASE_PASSWORD", logins.get("CDC_PASSWORD"));
        int port = Integer.parseInt(intake.getProperty("http.port"));
        assertThat(publishedPorts("intake")).containsKey(port);
        assertThat(healthcheck("intake")).contains("http://localhost:" + port + "/health");
        // The migrations db-migrate applies are the intake's own, with the intake's Flyway version.
        Map<String, Object> migrate = service("db-migrate");
        assertThat(string(migrate.get("image"))).isEqualTo("flyway/flyway:" + parentProperty("flyway.version"));
        assertThat(command("db-migrate")).contains("-url=" + jdbcUrl, "-user=" + postgres.get("POSTGRES_USER"),
                "-password=" + postgres.get("POSTGRES_PASSWORD"), "-locations=filesystem:/flyway/sql", "migrate");
        assertThat(hostPath("db-migrate", "/flyway/sql"))
                .isEqualTo(ROOT.resolve("intake/src/main/resources/db/migration"));
        try (Stream<Path> migrations = Files.list(ROOT.resolve("intake/src/main/resources/db/migration"))) {
            assertThat(migrations.map(p -> p.getFileName().toString())).anyMatch(name -> name.startsWith("V1__"));
        }
    }

    @Test
    void shouldCopyWhatTheMavenBuildMakesWhenTheImageIsBuilt() throws Exception {
        // Given
        String dockerfile = Files.readString(ROOT.resolve(APP_DOCKERFILE));
        Document parent = pom(ROOT.resolve("pom.xml"));
        Document app = pom(ROOT.resolve("server/pom.xml"));
        String artifactId = xpath(app, "/project/artifactId");
        String version = xpath(parent, "/project/version");
        String classpathFile = xpath(app, "//plugin[artifactId='maven-dependency-plugin']//outputFile")
                .replace("${project.build.directory}", "server/target");

        // When
        Matcher jar = Pattern.compile("cp (server/target/[A-Za-z0-9._-]+-\\*\\.jar) /out/orderflow-server\\.jar")
                .matcher(dockerfile);

        // Then the build stage gets every module and copies the jar and class path the build makes ...
        for (String module : nodes(parent, "/project/modules/module")) {
            assertThat(dockerfile).as("module %s", module).contains("COPY " + module + " " + module + "\n");
        }
        assertThat(dockerfile).contains("COPY mvnw pom.xml ./\n").contains("COPY .mvn .mvn\n")
                .contains("-Dmaven.test.skip=true -pl server -am package").contains(classpathFile);
        assertThat(jar.find()).as("the Dockerfile copies the server jar").isTrue();
        assertThat(FileSystems.getDefault().getPathMatcher("glob:" + jar.group(1))
                .matches(Path.of("server/target/" + artifactId + "-" + version + ".jar"))).isTrue();
        // ... and the runtime stage runs the server's Main with both on the class path
        assertThat(dockerfile).contains("COPY --from=build /out/lib/ /app/lib/\n")
                .contains("COPY --from=build /out/orderflow-server.jar /app/orderflow-server.jar\n")
                .contains("ENTRYPOINT [\"java\", \"-cp\", \"/app/orderflow-server.jar:/app/lib/*\", "
                        + "\"io.orderflow.server.Main\"]");
        assertThat(Class.forName("io.orderflow.server.Main")).isNotNull();
        for (String instance : instanceServices()) {
            String stateDir = serviceConfig(instance).getProperty("state.dir");
            assertThat(dockerfile).contains("chown orderflow:orderflow " + stateDir);
        }
        assertThat(dockerfile).contains("COPY deploy/config/ /app/config/");
        for (String service : List.of("intake", instanceServices().get(0))) {
            assertThat(string(map(service(service).get("build")).get("dockerfile"))).isEqualTo(APP_DOCKERFILE);
            assertThat(volumes(service)).contains("./deploy/config:/app/config:ro");
        }
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains("**/target/", ".git/");
    }

    // --- the compose file ---

    private static Map<String, Object> services() {
        return map(compose.get("services"));
    }

    private static Map<String, Object> service(String name) {
        Object definition = services().get(name);
        if (definition == null) {
            fail("docker-compose.yml has no service " + name);
        }
        return map(definition);
    }

    /** Services that run {@code saga run}: the Orderflow Streams instances. */
    private static List<String> instanceServices() {
        return services().keySet().stream()
                .filter(name -> service(name).get("command") instanceof List<?> command && "run".equals(command.get(0)))
                .sorted()
                .toList();
    }

    /** The Kafka nodes: services started by deploy/kafka/broker.sh. */
    private static List<String> brokerServices() {
        return services().keySet().stream()
                .filter(name -> string(service(name).getOrDefault("entrypoint", "")).contains("/deploy/kafka/broker.sh"))
                .sorted()
                .toList();
    }

    /**
     * The configuration {@code deploy/kafka/broker.sh} writes for {@code broker}: run with the service's environment,
     * its template through the service's mount, and Kafka's own scripts replaced by ones that do nothing.
     */
    private static Properties nodeConfig(String broker) {
        try {
            Path dir = Files.createTempDirectory("compose-node-");
            try {
                Path bin = Files.createDirectories(dir.resolve("bin"));
                for (String script : List.of("kafka-storage.sh", "kafka-server-start.sh")) {
                    Files.writeString(bin.resolve(script), "#!/bin/sh\nexit 0\n");
                    bin.resolve(script).toFile().setExecutable(true);
                }
                List<String> entrypoint = list(service(broker).get("entrypoint")).stream()
                        .map(ComposeFileTest::string).toList();
                ProcessBuilder builder = new ProcessBuilder("bash", hostPath(broker, entrypoint.get(1)).toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
                builder.environment().putAll(environment(broker));
                builder.environment().put("KAFKA_HOME", dir.toString());
                builder.environment().put("SERVER_TEMPLATE",
                        hostPath(broker, "/deploy/kafka/server.properties").toString());
                builder.environment().put("SERVER_CONFIG", dir.resolve("server.properties").toString());
                Process process = builder.start();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("broker.sh finished").isTrue();
                assertThat(process.exitValue()).as(Files.readString(dir.resolve("out"))).isZero();
                return InstanceConfig.load(dir.resolve("server.properties"), Map.of());
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            return fail("cannot run broker.sh for " + broker, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    private static Path kafkaScript(String name) {
        return ROOT.resolve("deploy/kafka").resolve(name);
    }

    /** The kafka-acls commands of deploy/kafka/acls, as kafka-init runs them. */
    private static List<String> aclCommands() {
        try {
            List<String> lines = Files.readAllLines(hostPath("kafka-init", "/deploy/kafka/acls")).stream()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
            assertThat(lines).isNotEmpty().allMatch(line -> line.startsWith("kafka-acls.sh --bootstrap-server "));
            return lines;
        } catch (IOException e) {
            return fail("cannot read deploy/kafka/acls", e);
        }
    }

    @Test
    void shouldGiveTheIntakeAndConnectTheSameFieldKeysWhenKafkaSecretsMakesThem() throws IOException {
        // Given the volumes kafka-secrets writes the field encryption keys into
        assertThat(namedVolumeSources("kafka-secrets")).contains("intake-field-keys", "connect-field-keys");
        assertThat(Files.readString(kafkaScript("secrets.sh"))).contains("$dir/intake-field-keys")
                .contains("$dir/connect-field-keys").contains("keys.properties");

        // Then the intake seals with its copy, mounted read-only, and nobody else mounts it
        String intakeMount = mountPoint("intake", "intake-field-keys");
        assertThat(intakeMount).isNotNull();
        assertThat(serviceConfig("intake").getProperty("intake.encryption.keys"))
                .isEqualTo(intakeMount + "/keys.properties");
        // and Connect's transform opens with its copy: connect-init registers it with that path
        String connectMount = mountPoint("connect", "connect-field-keys");
        assertThat(connectMount).isNotNull();
        assertThat(environment("connect-init")).containsEntry("FIELD_KEYS_FILE", connectMount + "/keys.properties");
        assertThat(Files.readString(buildContext("connect-init").resolve("register-connector.sh")))
                .contains("FIELD_KEYS_FILE").contains("io.orderflow.crypto.connect.OpenSealedFields");
        // and the Connect image carries the transform's jar in its plugin path
        assertThat(Files.readString(dockerfile("connect"))).contains("COPY field-crypto/src/main/java/")
                .contains("/opt/connect-plugins/orderflow-field-crypto/");
        for (String service : services().keySet()) {
            for (String volume : volumes(service)) {
                String source = volume.split(":")[0];
                if (source.endsWith("-field-keys") && !service.equals("kafka-secrets")) {
                    assertThat(volume).as("%s mounts %s read-only", service, source).endsWith(":ro");
                    assertThat(service).isEqualTo(source.startsWith("intake") ? "intake" : "connect");
                }
            }
        }
    }

    /** Where {@code service} mounts the named volume {@code volume}, or null. */
    private static String mountPoint(String service, String volume) {
        for (String mount : volumes(service)) {
            String[] parts = mount.split(":");
            if (parts[0].equals(volume)) {
                return parts[1];
            }
        }
        return null;
    }

    /** Named volumes ending in -secrets that {@code service} mounts → where. */
    private static Map<String, String> secretVolumes(String service) {
        Map<String, String> mounts = new TreeMap<>();
        for (String volume : volumes(service)) {
            String[] parts = volume.split(":");
            if (!isBindMount(parts[0]) && parts[0].endsWith("-secrets")) {
                assertThat(service.equals("kafka-secrets") || volume.endsWith(":ro"))
                        .as("%s mounts %s read-only", service, parts[0]).isTrue();
                mounts.put(parts[0], parts[1]);
            }
        }
        return mounts;
    }

    private static String onlySecretMount(String service) {
        Map<String, String> mounts = secretVolumes(service);
        assertThat(mounts).as("%s secrets", service).hasSize(1);
        return mounts.values().iterator().next();
    }

    private static Set<String> namedVolumeSources(String service) {
        return volumes(service).stream().map(volume -> volume.split(":")[0])
                .filter(source -> !isBindMount(source)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A SCRAM login over TLS with {@code prefix}, its password read from {@code secrets}/kafka.properties. */
    private static void assertLogin(Properties config, String prefix, String secrets) {
        assertThat(config).containsEntry("config.providers", "file")
                .containsEntry("config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider")
                .containsEntry(prefix + "security.protocol", "SASL_SSL")
                .containsEntry(prefix + "sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(prefix + "ssl.truststore.type", "PEM")
                .containsEntry(prefix + "ssl.truststore.location", secrets + "/ca.crt")
                .containsEntry(prefix + "sasl.jaas.config",
                        "${file:" + secrets + "/kafka.properties:sasl.jaas.config}");
    }

    private static Map<String, String> environment(String service) {
        Object env = service(service).getOrDefault("environment", Map.of());
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof List<?> entries) {
            entries.forEach(entry -> {
                String[] pair = string(entry).split("=", 2);
                result.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            map(env).forEach((key, value) -> result.put(key, string(value)));
        }
        return result;
    }

    private static List<String> command(String service) {
        return list(service(service).get("command")).stream().map(ComposeFileTest::string).toList();
    }

    private static List<String> volumes(String service) {
        return list(service(service).getOrDefault("volumes", List.of())).stream().map(ComposeFileTest::string).toList();
    }

    private static boolean isBindMount(String source) {
        return source.startsWith(".") || source.startsWith("/");
    }

    /** The repository file that {@code containerPath} is inside {@code service}, through its bind mounts. */
    private static Path hostPath(String service, String containerPath) {
        for (String volume : volumes(service)) {
            String[] parts = volume.split(":");
            String target = parts[1];
            if (isBindMount(parts[0]) && (containerPath.equals(target) || containerPath.startsWith(target + "/"))) {
                Path source = ROOT.resolve(parts[0]).normalize();
                String rest = containerPath.substring(target.length());
                return rest.isEmpty() ? source : source.resolve(rest.substring(1)).normalize();
            }
        }
        return fail("%s mounts nothing at %s (volumes: %s)", service, containerPath, volumes(service));
    }

    private static Set<String> namedVolumeTargets(String service) {
        return volumes(service).stream().map(volume -> volume.split(":"))
                .filter(parts -> !isBindMount(parts[0])).map(parts -> parts[1]).collect(Collectors.toSet());
    }

    /** Container port → host port. */
    private static Map<Integer, Integer> publishedPorts(String service) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        for (Object port : list(service(service).getOrDefault("ports", List.of()))) {
            String[] parts = string(port).split(":");
            ports.put(Integer.parseInt(parts[parts.length - 1]), Integer.parseInt(parts[parts.length - 2]));
        }
        return ports;
    }

    private static String healthcheck(String service) {
        return String.join(" ", list(map(service(service).get("healthcheck")).get("test")).stream()
                .map(ComposeFileTest::string).toList());
    }

    private static Map<String, String> conditions(String service) {
        Map<String, String> conditions = new LinkedHashMap<>();
        map(service(service).getOrDefault("depends_on", Map.of()))
                .forEach((target, value) -> conditions.put(target, string(map(value).get("condition"))));
        return conditions;
    }

    private static Path buildContext(String service) {
        return ROOT.resolve(string(map(service(service).get("build")).get("context"))).normalize();
    }

    /** The Dockerfile a service is built from: its build's {@code dockerfile}, in the build context. */
    private static Path dockerfile(String service) {
        Object dockerfile = map(service(service).get("build")).getOrDefault("dockerfile", "Dockerfile");
        return buildContext(service).resolve(string(dockerfile)).normalize();
    }

    // --- the configuration files the services read ---

    /**
     * The properties file a {@code saga run|intake --config FILE} service reads, as the application loads it, with
     * the service's environment (its values as written in the compose file, variables not substituted).
     */
    private static Properties serviceConfig(String service) {
        List<String> command = command(service);
        return InstanceConfig.load(hostPath(service, command.get(command.indexOf("--config") + 1)),
                environment(service));
    }

    private static Properties connectWorker() {
        List<String> command = command("connect");
        return InstanceConfig.load(hostPath("connect", command.get(command.size() - 1)), Map.of());
    }

    private static int connectRestPort() {
        String listener = connectWorker().getProperty("listeners");
        return Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
    }

    private static int schemaRegistryPort() {
        String listener = environment("schema-registry").get("SCHEMA_REGISTRY_LISTENERS");
        return Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
    }

    /** {@code NAME://host:port,…} → name → host:port. */
    private static Map<String, String> listeners(String listeners) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String listener : listeners.split(",")) {
            String[] parts = listener.trim().split("://", 2);
            byName.put(parts[0], parts[1]);
        }
        return byName;
    }

    private static Set<String> csv(String value) {
        return Stream.of(value.split(",")).map(String::trim).collect(Collectors.toCollection(TreeSet::new));
    }

    // --- parsing ---

    private static Map<String, Object> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            return map(new Yaml(new SafeConstructor(options)).load(reader));
        } catch (IOException e) {
            return fail("cannot read " + file, e);
        }
    }

    private static Document pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static String xpath(Document pom, String expression) throws Exception {
        String value = (String) XPathFactory.newInstance().newXPath().evaluate(expression, pom, XPathConstants.STRING);
        assertThat(value).as(expression).isNotBlank();
        return value.trim();
    }

    private static List<String> nodes(Document pom, String expression) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath()
                .evaluate(expression, pom, XPathConstants.NODESET);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent().trim());
        }
        assertThat(values).as(expression).isNotEmpty();
        return values;
    }

    private static String parentProperty(String name) {
        try {
            return xpath(pom(ROOT.resolve("pom.xml")), "/project/properties/" + name);
        } catch (Exception e) {
            return fail("cannot read " + name + " from pom.xml", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).as("a list").isInstanceOf(List.class);
        return (List<?>) value;
    }

    private static String string(Object value) {
        return value instanceof List<?> items
                ? items.stream().map(String::valueOf).collect(Collectors.joining(" "))
                : String.valueOf(value);
    }
}
