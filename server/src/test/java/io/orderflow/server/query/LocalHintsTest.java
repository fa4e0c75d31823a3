package io.orderflow.server.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hints that let a key owned here be read without asking for its metadata first. */
class LocalHintsTest {
    private static final String STORE = "inventory-stock";

    private final LocalHints hints = new LocalHints();

    @Test
    void shouldHintTheKeysPartitionWhenTheMetadataSaidItIsActiveHere() {
        // Given the metadata said apple is in partition 3, active here
        hints.learn(STORE, "apple", 3, true);

        // When apple is looked up again, and pear, never seen
        // Then apple's partition is hinted; pear's is not, nor apple's in another store
        assertThat(hints.activePartition(STORE, "apple")).isEqualTo(3);
        assertThat(hints.activePartition(STORE, "pear")).isNull();
        assertThat(hints.activePartition("payment-accounts", "apple")).isNull();
    }

    @Test
    void shouldNotHintWhenThePartitionIsActiveElsewhere() {
        // Given plum's partition was active here, then the metadata said it moved away
        hints.learn(STORE, "plum", 1, true);
        hints.learn(STORE, "truffle", 1, false);

        // When plum is looked up
        // Then nothing is hinted: the metadata is asked
        assertThat(hints.activePartition(STORE, "plum")).isNull();
    }

    @Test
    void shouldStopHintingAPartitionWhenItsActiveCopyDidNotAnswerHere() {
        // Given apple's partition hinted as active here
        hints.learn(STORE, "apple", 3, true);

        // When a read sent by the hint found no active copy here
        hints.forget(STORE, 3);

        // Then the metadata is asked again
        assertThat(hints.activePartition(STORE, "apple")).isNull();
    }

    @Test
    void shouldForgetTheKeysOfAStoreWhenItRemembersTooMany() {
        // Given as many keys as a store remembers, all active here
        for (int i = 0; i < LocalHints.MAX_KEYS; i++) {
            hints.learn(STORE, "sku-" + i, i % 6, true);
        }

        // When one more is learnt
        hints.learn(STORE, "one-more", 2, true);

        // Then the earlier keys are forgotten (and learnt again on their next look), the new one is kept
        assertThat(hints.activePartition(STORE, "sku-1")).isNull();
        assertThat(hints.activePartition(STORE, "one-more")).isEqualTo(2);
    }
}
