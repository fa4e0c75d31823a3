-- Tracing: the W3C trace context of the request that wrote the event (null when tracing is off). Debezium's
-- EventRouter places it in the record's "traceparent" header (connectors/orders-outbox.json), where the saga picks
-- the trace up. Nullable and without a default, so the column is added without rewriting the table; the roles of
-- V3 keep their table-wide INSERT (writer) and SELECT (reader), which cover it.
ALTER TABLE outbox ADD COLUMN traceparent text;
