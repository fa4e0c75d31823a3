package io.orderflow.topology.saga;

import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.PaymentReply;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What the saga reads, one type per input topic; {@link Handler} has a method for each, so the compiler checks
 * that every input is handled.
 */
sealed interface SagaInput {
    /** One method per input. */
    interface Handler {
        void orderEvent(Record<String, SagaInput> record, byte[] raw);

        void paymentReply(Record<String, SagaInput> record, PaymentReply reply);

        void inventoryReply(Record<String, SagaInput> record, InventoryReply reply);
    }

    void dispatch(Record<String, SagaInput> record, Handler handler);

    /** An {@code order.events} value as it arrived (JSON or Avro), or anything unreadable (a tombstone). */
    record OrderEventBytes(byte[] raw) implements SagaInput {
        @Override
        public void dispatch(Record<String, SagaInput> record, Handler handler) {
            handler.orderEvent(record, raw);
        }
    }

    record PaymentReplied(PaymentReply reply) implements SagaInput {
        @Override
        public void dispatch(Record<String, SagaInput> record, Handler handler) {
            handler.paymentReply(record, reply);
        }
    }

    record InventoryReplied(InventoryReply reply) implements SagaInput {
        @Override
        public void dispatch(Record<String, SagaInput> record, Handler handler) {
            handler.inventoryReply(record, reply);
        }
    }
}
