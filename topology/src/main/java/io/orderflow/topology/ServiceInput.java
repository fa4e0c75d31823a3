package io.orderflow.topology;

import org.apache.kafka.streams.processor.api.Record;

/**
 * What the ledger and the inventory read: an ingress record (deposits, adjustments) as it arrived, or a saga
 * command. {@link Handler} has a method for each, so the compiler checks that every input is handled.
 *
 * @param <C> the command type
 */
public sealed interface ServiceInput<C> {
    /** One method per input. */
    interface Handler<C> {
        void ingress(Record<String, ServiceInput<C>> record, byte[] raw);

        void command(Record<String, ServiceInput<C>> record, C command);
    }

    void dispatch(Record<String, ServiceInput<C>> record, Handler<C> handler);

    /** An ingress value as it arrived (JSON or Avro), or anything unreadable (a tombstone). */
    record Ingress<C>(byte[] raw) implements ServiceInput<C> {
        @Override
        public void dispatch(Record<String, ServiceInput<C>> record, Handler<C> handler) {
            handler.ingress(record, raw);
        }
    }

    record Command<C>(C command) implements ServiceInput<C> {
        @Override
        public void dispatch(Record<String, ServiceInput<C>> record, Handler<C> handler) {
            handler.command(record, command);
        }
    }
}
