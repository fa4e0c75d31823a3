package io.orderflow.topology;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retention walk on a real (in-memory) store: values here are end times in ms, {@code -1} for an entry still
 * open and {@code 0} for one that ended without a recorded time.
 */
class StorePurgerTest {
    private static final Duration RETENTION = Duration.ofMillis(1_000);
    private static final StorePurger.Ending<Long> ENDING = new StorePurger.Ending<>() {
        @Override
        public boolean ended(Long value) {
            return value >= 0;
        }

        @Override
        public Long endedAt(Long value) {
            return value == 0 ? null : value;
        }

        @Override
        public Long stamped(Long value, long now) {
            return now;
        }
    };

    private TopologyTestDriver driver;
    private KeyValueStore<String, Long> store;

    @BeforeEach
    void setUp() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(),
                Serdes.Long()).withLoggingDisabled());
        builder.stream("in", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new Processor<String, String, Void, Void>() {
            @Override
            public void process(Record<String, String> record) {
            }
        }, org.apache.kafka.streams.kstream.Named.as("noop"), "s");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "purger-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "ttd:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        store = driver.getKeyValueStore("s");
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldDeleteOnlyWhatEndedARetentionAgo() {
        // Given entries ended long ago, ended just now, still open, and ended without a time
        store.put("a-old", 100L);
        store.put("b-recent", 9_500L);
        store.put("c-open", -1L);
        store.put("d-unstamped", 0L);

        // When the walk runs at 10,000 ms
        StorePurger.Pass pass = new StorePurger<>(store, ENDING, RETENTION, 100, Duration.ofSeconds(5)).run(10_000);

        // Then only the old one is gone; the one without a time now has one
        assertThat(keys()).containsExactly("b-recent", "c-open", "d-unstamped");
        assertThat(store.get("d-unstamped")).isEqualTo(10_000L);
        assertThat(pass).isEqualTo(new StorePurger.Pass(4, 1, 1, true));
    }

    @Test
    void shouldWalkInBoundedStretchesResumingWhereItStopped() {
        // Given ten entries that all ended long ago
        for (int i = 0; i < 10; i++) {
            store.put("k" + i, 1L);
        }
        StorePurger<Long> purger = new StorePurger<>(store, ENDING, RETENTION, 3, Duration.ofSeconds(5));

        // When it runs with room for three entries a call
        List<StorePurger.Pass> passes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            passes.add(purger.run(10_000));
        }

        // Then each call read at most three, the fourth reached the end, and every entry went
        assertThat(passes).extracting(StorePurger.Pass::read).containsExactly(3, 3, 3, 1);
        assertThat(passes).extracting(StorePurger.Pass::wrapped).containsExactly(false, false, false, true);
        assertThat(keys()).isEmpty();
    }

    @Test
    void shouldStartOverAfterReachingTheEnd() {
        // Given one entry that has not yet reached its retention
        store.put("k", 9_500L);
        StorePurger<Long> purger = new StorePurger<>(store, ENDING, RETENTION, 100, Duration.ofSeconds(5));
        assertThat(purger.run(10_000).purged()).isZero();

        // When the walk comes round again after its retention
        StorePurger.Pass pass = purger.run(10_600);

        // Then it is deleted
        assertThat(pass.purged()).isEqualTo(1);
        assertThat(keys()).isEmpty();
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    void shouldReadAShareOfTheStorePerCallSoThatAPassTakesATenthOfTheRetention() {
        // A week's retention: a pass takes the longest (1 h), 360 calls of 10 s
        assertThat(StorePurger.paced(3_600_000, Duration.ofSeconds(10), Duration.ofDays(7))).isEqualTo(10_000);
        assertThat(StorePurger.paced(360_000, Duration.ofSeconds(10), Duration.ofDays(7))).isEqualTo(1_000);
        // A small store: never fewer than the minimum
        assertThat(StorePurger.paced(20, Duration.ofSeconds(10), Duration.ofDays(7)))
                .isEqualTo(StorePurger.MIN_PER_RUN);
        // An hour's retention: a pass takes 6 minutes, 36 calls
        assertThat(StorePurger.paced(36_000, Duration.ofSeconds(10), Duration.ofHours(1))).isEqualTo(1_000);
        // A retention shorter than ten calls: the whole store every call, up to the most one call reads
        assertThat(StorePurger.paced(5_000, Duration.ofSeconds(10), Duration.ofSeconds(60))).isEqualTo(5_000);
        assertThat(StorePurger.paced(50_000, Duration.ofSeconds(10), Duration.ofSeconds(60)))
                .isEqualTo(StorePurger.MAX_PER_RUN);
    }

    @Test
    void shouldStopAtTheLimitGivenWhenItIsBelowTheMostPerRun() {
        // Given four entries
        store.put("a", 1L);
        store.put("b", 1L);
        store.put("c", 1L);
        store.put("d", 1L);
        StorePurger<Long> purger = new StorePurger<>(store, ENDING, RETENTION, 100, Duration.ofSeconds(5));

        // When called with a limit of 3, then again
        StorePurger.Pass first = purger.run(10_000, 3);
        StorePurger.Pass second = purger.run(10_000, 3);

        // Then
        assertThat(first.read()).isEqualTo(3);
        assertThat(first.wrapped()).isFalse();
        assertThat(second.read()).isEqualTo(1);
        assertThat(second.wrapped()).isTrue();
    }
}
