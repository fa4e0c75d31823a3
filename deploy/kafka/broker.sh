#!/bin/bash
# Starts one node of the compose cluster (services kafka-1, kafka-2, kafka-3, image apache/kafka): writes its
# configuration, deploy/kafka/server.properties and this node's own settings, formats its log directory on the first
# start and runs it. Settings: NODE_ID, NODE_HOST (its service name), EXTERNAL_PORT (its listener for the host,
# advertised as localhost), CLUSTER_ID.
set -euo pipefail

: "${NODE_ID:?}" "${NODE_HOST:?}" "${EXTERNAL_PORT:?}" "${CLUSTER_ID:?}"
kafka_home="${KAFKA_HOME:-/opt/kafka}"
template="${SERVER_TEMPLATE:-/deploy/kafka/server.properties}"
config="${SERVER_CONFIG:-/tmp/server.properties}"

{
  cat "$template"
  echo
  echo "# This node's own, added by broker.sh"
  echo "node.id=$NODE_ID"
  echo "listeners=INTERNAL://:9092,CONTROLLER://:9093,CLIENT://:9094,EXTERNAL://:$EXTERNAL_PORT"
  echo "advertised.listeners=INTERNAL://$NODE_HOST:9092,CLIENT://$NODE_HOST:9094,EXTERNAL://localhost:$EXTERNAL_PORT"
} > "$config"

"$kafka_home/bin/kafka-storage.sh" format --config "$config" --cluster-id "$CLUSTER_ID" --ignore-formatted
exec "$kafka_home/bin/kafka-server-start.sh" "$config"
