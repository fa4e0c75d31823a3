#!/bin/sh
# Creates, or brings up to date, the two PostgreSQL login users of a deployment and grants them the group roles the
# intake's migrations create (V3__outbox_access.sql; docs/operations.md, "PostgreSQL roles: a protected outbox"):
#   $INTAKE_LOGIN  the intake (intake.jdbc.user): LOGIN, member of orderflow_intake_writer
#   $CDC_LOGIN     Debezium (the connector's database.user): LOGIN REPLICATION, member of orderflow_outbox_reader
# Runs psql, after the migrations, as a role that may create logins with REPLICATION (a superuser, such as the
# compose deployment's database owner; on PostgreSQL 16+ also a CREATEROLE role that has REPLICATION), connected by
# the standard PG* variables (PGHOST, PGUSER, PGPASSWORD, PGDATABASE). Safe to run again: passwords are set anew.
# The passwords come from the environment and are read by psql itself (\getenv, psql 15+), never put on a command
# line.
set -eu

: "${INTAKE_LOGIN:?INTAKE_LOGIN is required, e.g. orderflow_intake}"
: "${INTAKE_PASSWORD:?INTAKE_PASSWORD is required}"
: "${CDC_LOGIN:?CDC_LOGIN is required, e.g. orderflow_cdc}"
: "${CDC_PASSWORD:?CDC_PASSWORD is required}"

# The owner may be starting still (a first start initialises the database): wait up to a minute.
tries=0
until psql -X -q -c 'SELECT 1' >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    psql -X -q -c 'SELECT 1' >/dev/null
  fi
  sleep 2
done

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\getenv intake_login INTAKE_LOGIN
\getenv intake_password INTAKE_PASSWORD
\getenv cdc_login CDC_LOGIN
\getenv cdc_password CDC_PASSWORD
SELECT format('CREATE ROLE %I', :'intake_login')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'intake_login') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOREPLICATION PASSWORD %L', :'intake_login', :'intake_password') \gexec
SELECT format('GRANT orderflow_intake_writer TO %I', :'intake_login') \gexec
SELECT format('CREATE ROLE %I', :'cdc_login')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'cdc_login') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN REPLICATION PASSWORD %L', :'cdc_login', :'cdc_password') \gexec
SELECT format('GRANT orderflow_outbox_reader TO %I', :'cdc_login') \gexec
SQL
echo "logins: $INTAKE_LOGIN (orderflow_intake_writer) and $CDC_LOGIN (REPLICATION, orderflow_outbox_reader) are ready"
