package io.orderflow.devtools.embedded;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hosts {@code saga chaos} runs processes on for network partitions, made with the real iproute2 (what crosses
 * them, a partition cut and healed under load, is EveryFaultChaosIntegrationTest's subject).
 */
class HostNetworkTest {

    @Test
    void shouldRefuseWithAMessageNamingWhatFailedAndLeaveNothingBehind() throws Exception {
        List<String> before = links();

        // When a host cannot be made (a name no namespace can have; without root, the bridge already fails)
        assertThatThrownBy(() -> HostNetwork.namespaces(List.of("no/such/name")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot make a host per process in network namespaces (network partitions "
                        + "need them, and root to make them): ")
                .hasMessageContaining("ip ");

        // Then the bridge made before the failure is gone again
        assertThat(links()).isEqualTo(before);
    }

    @Test
    void shouldGiveEachHostItsOwnAddressAndRemoveThemOnClose() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root; running as "
                + System.getProperty("user.name"));
        List<String> before = namespaceNames();
        List<String> namespaces;
        try (HostNetwork network = HostNetwork.namespaces(List.of("a", "b"))) {
            assertThat(network.isolated()).isTrue();
            assertThat(network.address("a")).startsWith("10.").isNotEqualTo(network.address("b"));
            assertThat(network.command("a", List.of("java", "-version"))).startsWith("ip", "netns", "exec")
                    .endsWith("java", "-version");
            namespaces = namespaceNames().stream().filter(name -> !before.contains(name)).toList();
            assertThat(namespaces).hasSize(2);
            network.cut("b");
            network.heal("b");
            assertThatThrownBy(() -> network.cut("c")).hasMessageContaining("no host c");
        }
        assertThat(namespaceNames()).doesNotContainAnyElementsOf(namespaces);
    }

    @Test
    void shouldRunEverythingOnLoopbackWhenNotIsolated() {
        HostNetwork loopback = HostNetwork.loopback();
        assertThat(loopback.isolated()).isFalse();
        assertThat(loopback.address("anything")).isEqualTo("127.0.0.1");
        assertThat(loopback.command("anything", List.of("java"))).containsExactly("java");
        assertThatThrownBy(() -> loopback.cut("anything")).hasMessageContaining("share loopback");
    }

    private static List<String> namespaceNames() throws IOException, InterruptedException {
        return run("ip", "netns", "list").stream().map(line -> line.split(" ")[0]).toList();
    }

    private static List<String> links() throws IOException, InterruptedException {
        return run("ip", "-o", "link").stream().map(line -> line.split(": ")[1]).filter(name -> name.startsWith("ofb"))
                .toList();
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.lines().toList();
    }
}
