#!/bin/bash
# One-shot (service kafka-init, image apache/kafka, after the three nodes are healthy): as the administrator
# (User:admin, mutual TLS), sets the SCRAM-SHA-512 credential of every user kafka-secrets made a password for
# (kafka-admin/<user>.password) and adds the ACLs of deploy/kafka/acls. Both are idempotent, so it runs on every
# `docker compose up`. A password is never printed: kafka-configs' output is shown only on failure, and masked.
# (It is on kafka-configs' command line, which only this one-shot container's own processes can see:
# `--add-config-file` does not take SCRAM credentials.)
set -euo pipefail

secrets="${SECRETS_DIR:-/etc/kafka/secrets}"
acls="${ACLS_FILE:-/deploy/kafka/acls}"
bootstrap="${BOOTSTRAP:-kafka-1:9092,kafka-2:9092,kafka-3:9092}"
export PATH="${KAFKA_HOME:-/opt/kafka}/bin:$PATH"

for file in "$secrets"/*.password; do
  user=$(basename "$file" .password)
  password=$(cat "$file")
  if ! output=$(kafka-configs.sh --bootstrap-server "$bootstrap" --command-config "$secrets/client.properties" \
      --alter --entity-type users --entity-name "$user" \
      --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]" 2>&1); then
    echo "kafka-init: could not set the credential of User:$user: ${output//$password/***}" >&2
    exit 1
  fi
  echo "kafka-init: SCRAM-SHA-512 credential of User:$user set"
done

count=0
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  read -r -a words <<< "$line"
  [ "${words[0]}" = kafka-acls.sh ] || { echo "kafka-init: not a kafka-acls command in $acls: $line" >&2; exit 1; }
  "${words[@]}" > /dev/null
  count=$((count + 1))
done < "$acls"
echo "kafka-init: $count ACL commands of $acls applied"
