-- Who may touch the intake's tables (docs/operations.md, "PostgreSQL roles: a protected outbox").
--
-- Two group roles without LOGIN and without passwords, so this file ships no credential: the deployment creates its
-- own login users and grants them these roles.
--   orderflow_intake_writer  the intake: writes orders, idempotency keys and outbox rows. It may delete outbox rows
--                            (intake.outbox.mode=delete, and the purge of keep) but never read an event: its only
--                            SELECT on the outbox is the id and created_at columns, which its DELETEs and the
--                            outbox_table_size count need.
--   orderflow_outbox_reader  Debezium: reads the outbox and nothing else. REPLICATION is an attribute of the login
--                            user itself (PostgreSQL does not inherit it through a group), so the deployment creates
--                            Debezium's user WITH LOGIN REPLICATION and grants it this role.
-- Roles belong to the whole PostgreSQL cluster: they are created only when missing, so the role running this
-- migration needs CREATEROLE only the first time (or an administrator creates the two roles beforehand).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orderflow_intake_writer') THEN
        CREATE ROLE orderflow_intake_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orderflow_outbox_reader') THEN
        CREATE ROLE orderflow_outbox_reader NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON orders, idempotency_keys, outbox FROM PUBLIC;
-- PUBLIC has USAGE on the schema public by default; granted explicitly too where this role may (it owns the schema
-- on PostgreSQL 15+; on 14 the superuser does), for a database that revoked it from PUBLIC.
DO $$
BEGIN
    IF has_schema_privilege('${flyway:defaultSchema}', 'USAGE WITH GRANT OPTION') THEN
        GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO orderflow_intake_writer, orderflow_outbox_reader;
    END IF;
END
$$;

GRANT SELECT, INSERT, UPDATE ON orders TO orderflow_intake_writer;
GRANT SELECT, INSERT ON idempotency_keys TO orderflow_intake_writer;
GRANT INSERT, DELETE ON outbox TO orderflow_intake_writer;
GRANT SELECT (id, created_at) ON outbox TO orderflow_intake_writer;
-- The intake runs Flyway at start: with nothing pending, that only reads the history.
GRANT SELECT ON ${flyway:table} TO orderflow_intake_writer;

GRANT SELECT ON outbox TO orderflow_outbox_reader;

-- The publication Debezium streams (connectors/orders-outbox.json: publication.name). Creating one needs the
-- table's owner, which Debezium's role is not; with publication.autocreate.mode=filtered Debezium finds it up to
-- date and uses it as it is. Kept if Debezium created it before this migration.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'orderflow_outbox') THEN
        CREATE PUBLICATION orderflow_outbox FOR TABLE outbox;
    END IF;
END
$$;
