-- Orders as the intake accepted them. The live status (AWAITING, CONFIRMED, ...) belongs to the saga and is
-- served from its read model; `status` here only records the last request the intake accepted.
CREATE TABLE orders (
    order_id    text        PRIMARY KEY,
    customer_id text        NOT NULL,
    currency    text        NOT NULL,
    total       bigint      NOT NULL CHECK (total >= 0),
    lines       jsonb       NOT NULL,
    status      text        NOT NULL CHECK (status IN ('PLACED', 'CANCEL_REQUESTED')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id, created_at);

-- One row per Idempotency-Key and customer: the unique key is what makes a repeated or racing request write
-- nothing. `request_fingerprint` tells a true repeat from a key reused for a different request; `response` is
-- the first answer, returned to every repeat.
CREATE TABLE idempotency_keys (
    customer_id         text        NOT NULL,
    idempotency_key     text        NOT NULL,
    order_id            text        NOT NULL REFERENCES orders (order_id) DEFERRABLE INITIALLY DEFERRED,
    request_fingerprint text        NOT NULL,
    response            jsonb       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, idempotency_key)
);

-- The outbox Debezium's EventRouter reads (columns as its defaults expect). Rows are normally deleted in the
-- transaction that inserted them: logical decoding still streams the INSERT from the WAL, and the router
-- drops DELETE events and tombstones. REPLICA IDENTITY stays DEFAULT (the primary key): an INSERT always
-- carries the whole new row, and the DELETE, which only needs the key, is ignored anyway.
-- Rule for code: never UPDATE an outbox row (the router would warn about, or fail on, an update).
CREATE TABLE outbox (
    id            uuid        PRIMARY KEY,
    aggregatetype text        NOT NULL,
    aggregateid   text        NOT NULL,
    type          text        NOT NULL,
    payload       jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- For purge-by-age when rows are kept (intake.outbox.mode=keep).
CREATE INDEX outbox_created_at_idx ON outbox (created_at);
