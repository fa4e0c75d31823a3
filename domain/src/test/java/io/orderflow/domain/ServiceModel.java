package io.orderflow.domain;

import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ledger's and the inventory's property models share: one state (an account, a stock) and a record per
 * order, saga commands applied through the rules, replays of accepted commands, and the checks that hold for both —
 * the inputs are never mutated, a refused command changes nothing, an accepted one answers the command it was
 * given and bumps the version once, a replay changes nothing and gives the same reply. The subclass books what a
 * change moved and states its own invariants.
 *
 * @param <S> the state (Account, Stock)
 * @param <R> the per-order record (PaymentRecord, StockRecord)
 * @param <C> the command
 * @param <P> the reply
 */
abstract class ServiceModel<S, R, C, P> {
    /** A rule's step, in the shape LedgerStep and StockStep share. */
    record Step<S, R, P>(S state, R record, P reply, Rejection rejection, boolean changed) {
    }

    private record Applied<C, P>(C command, P reply) {
    }

    private final UnaryOperator<S> snapshot;
    protected S state;
    protected final Map<String, R> records = new HashMap<>();
    private final List<Applied<C, P>> applied = new ArrayList<>();
    /** Changes to the state so far: its version must equal them. */
    protected long changes;

    /** @param snapshot a deep copy of a state, to check the rules never mutate their input */
    ServiceModel(UnaryOperator<S> snapshot) {
        this.snapshot = snapshot;
    }

    /** The rule under test. */
    protected abstract Step<S, R, P> rule(S state, R record, C command);

    protected abstract String orderIdOf(C command);

    protected abstract long versionOf(S state);

    /** The effect an accepted, changing step had, for the coverage statistics (a reason or the record's state). */
    protected abstract String effectOf(R record);

    /** Checks the reply to an accepted command against the command. */
    protected abstract void checkReply(C command, P reply);

    /** Books what an accepted, changing command moved, given the order's record before it. */
    protected abstract void book(C command, R before);

    final void apply(C command) {
        S before = state;
        S copy = snapshot.apply(before);
        R record = records.get(orderIdOf(command));
        Step<S, R, P> step = rule(before, record, command);
        assertThat(before).as("input state").isEqualTo(copy);
        if (step.rejection() != null) {
            assertThat(step.changed()).isFalse();
            assertThat(step.reply()).isNull();
            assertThat(step.state()).isSameAs(before);
            assertThat(step.record()).isSameAs(record);
            effect(step.rejection().code());
            return;
        }
        effect(step.changed() ? effectOf(step.record()) : "replay");
        checkReply(command, step.reply());
        if (step.changed()) {
            if (step.state() != before) {
                changes++;
                assertThat(versionOf(step.state())).isEqualTo(versionOf(before) + 1);
            }
            book(command, record);
        } else {
            assertThat(step.state()).isSameAs(before);
            assertThat(step.record()).isSameAs(record);
        }
        state = step.state();
        records.put(orderIdOf(command), step.record());
        applied.add(new Applied<>(command, step.reply()));
    }

    /** Re-applies the {@code index mod n}-th command accepted so far: nothing changes, the reply is the same. */
    final void replay(int index) {
        if (applied.isEmpty()) {
            return;
        }
        Applied<C, P> first = applied.get(index % applied.size());
        S before = state;
        S copy = snapshot.apply(before);
        R record = records.get(orderIdOf(first.command()));
        Step<S, R, P> step = rule(before, record, first.command());
        assertThat(step.rejection()).as("replay of %s", first.command()).isNull();
        assertThat(step.changed()).as("replay of %s", first.command()).isFalse();
        assertThat(step.reply()).as("replay of %s", first.command()).isEqualTo(first.reply());
        assertThat(step.state()).isSameAs(before);
        assertThat(step.record()).isSameAs(record);
        assertThat(before).isEqualTo(copy);
        effect("replay");
    }

    static void effect(String effect) {
        Statistics.label("effects").collect(effect);
    }
}
