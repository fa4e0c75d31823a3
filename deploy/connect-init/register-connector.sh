#!/bin/sh
# Registers a connector file in Connect's {"name": …, "config": {…}} format with a Connect cluster, with the
# database connection replaced by the DATABASE_* variables, then waits until the connector and all its tasks
# are RUNNING. Exits 0 then, non-zero with the reason otherwise. With FIELD_KEYS_FILE, adds the transform that
# opens sealed notes.
#
# PUT /connectors/{name}/config takes only the inner config object and creates or updates, so running this
# again (docker compose up after a change to the file) updates the connector in place.
set -eu

: "${CONNECT_URL:?CONNECT_URL is required, e.g. http://connect:8083}"
: "${CONNECTOR_FILE:?CONNECTOR_FILE is required}"
: "${CONNECTOR_NAME:?CONNECTOR_NAME is required}"
: "${DATABASE_HOSTNAME:?}" "${DATABASE_PORT:?}" "${DATABASE_USER:?}" "${DATABASE_PASSWORD:?}" "${DATABASE_DBNAME:?}"
WAIT_SECONDS="${WAIT_SECONDS:-180}"

fail() {
  echo "register-connector: $*" >&2
  exit 1
}

# The name in the file is the one Connect shows; registering it under another would leave two connectors
# sharing one replication slot.
file_name=$(jq -er '.name' "$CONNECTOR_FILE") || fail "$CONNECTOR_FILE has no \"name\""
[ "$file_name" = "$CONNECTOR_NAME" ] || fail "$CONNECTOR_FILE names connector '$file_name', expected '$CONNECTOR_NAME'"
jq -e '.config | type == "object"' "$CONNECTOR_FILE" >/dev/null || fail "$CONNECTOR_FILE has no \"config\" object"

deadline=$(( $(date +%s) + WAIT_SECONDS ))
until curl -fsS -o /dev/null "$CONNECT_URL/health"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "Connect at $CONNECT_URL not healthy within ${WAIT_SECONDS}s"
  sleep 2
done

config=$(jq -c \
  --arg host "$DATABASE_HOSTNAME" --arg port "$DATABASE_PORT" --arg user "$DATABASE_USER" \
  --arg password "$DATABASE_PASSWORD" --arg dbname "$DATABASE_DBNAME" \
  '.config + {"database.hostname": $host, "database.port": $port, "database.user": $user,
              "database.password": $password, "database.dbname": $dbname}' "$CONNECTOR_FILE")

# With FIELD_KEYS_FILE (the keys file as the Connect workers see it), the transform that opens the notes the intake
# seals runs after the outbox router (connectors/README.md, "With sealed notes").
if [ -n "${FIELD_KEYS_FILE:-}" ]; then
  config=$(printf '%s' "$config" | jq -c --arg keys "$FIELD_KEYS_FILE" \
    '. + {"transforms": (.transforms + ",open"),
          "transforms.open.type": "io.orderflow.crypto.connect.OpenSealedFields",
          "transforms.open.fields": "note", "transforms.open.context.field": "orderId",
          "transforms.open.keys.file": $keys}')
fi

# Connect validates the configuration while the request waits (Debezium connects to the database then) and
# answers 409 while the workers rebalance: retried until the deadline.
while :; do
  code=$(printf '%s' "$config" | curl -sS -o /tmp/answer.json -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/json' --data-binary @- --max-time 120 \
    "$CONNECT_URL/connectors/$CONNECTOR_NAME/config") || code=000
  case "$code" in
    200|201) break ;;
    409|000|5??) [ "$(date +%s)" -lt "$deadline" ] || fail "PUT $CONNECTOR_NAME: HTTP $code $(cat /tmp/answer.json 2>/dev/null)" ;;
    *) fail "Connect refused $CONNECTOR_NAME (HTTP $code): $(jq -r '.message // .' /tmp/answer.json 2>/dev/null)" ;;
  esac
  sleep 2
done
echo "register-connector: $CONNECTOR_NAME registered (HTTP $code), waiting for it to run"

while :; do
  status=$(curl -fsS "$CONNECT_URL/connectors/$CONNECTOR_NAME/status" 2>/dev/null) || status=''
  if [ -n "$status" ]; then
    if printf '%s' "$status" | jq -e '[.connector.state, (.tasks // [])[].state] | any(. == "FAILED")' >/dev/null; then
      fail "$CONNECTOR_NAME FAILED: $(printf '%s' "$status" | jq -c '[.connector, (.tasks // [])[]] | map(select(.state == "FAILED") | (.trace // .state) | split("\n")[0])')"
    fi
    if printf '%s' "$status" | jq -e '.connector.state == "RUNNING" and (.tasks | length > 0)
        and all(.tasks[]; .state == "RUNNING")' >/dev/null; then
      echo "register-connector: $CONNECTOR_NAME and its tasks are RUNNING"
      exit 0
    fi
  fi
  [ "$(date +%s)" -lt "$deadline" ] || fail "$CONNECTOR_NAME not RUNNING within ${WAIT_SECONDS}s; last status: ${status:-none}"
  sleep 2
done
