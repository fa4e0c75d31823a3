#!/bin/bash
# One-shot (service kafka-secrets): makes the secured Kafka cluster's credentials on the first `docker compose up`
# and keeps them afterwards. Each party gets its own directory, which docker-compose.yml mounts as its own volume,
# read-only, into that party's containers only:
#
#   kafka-1, kafka-2, kafka-3  keystore.p12 (the node's key; certificate CN=kafka-N, SAN kafka-N and localhost, signed
#                              by the cluster's CA), secrets.properties (its password, read by the node through
#                              Kafka's FileConfigProvider), client.properties (the node's own certificate as a client:
#                              the health check)
#   kafka-admin                keystore.p12 + client.properties: the administrator (certificate CN=admin, a super
#                              user), for kafka-init and operators; <user>.password: each SCRAM user's password
#                              verify.properties: User:verify's client settings, for `saga verify` from the host
#   orderflow, connect         kafka.properties: sasl.jaas.config with the user's SCRAM password
#   schema-registry            jaas.conf: the same as a JAAS file (KafkaClient section)
#   every directory            ca.crt: the CA certificate (PEM), the trust store of every client and node
#   intake-field-keys,         keys.properties: the field encryption keys (not Kafka's: the intake seals personal
#   connect-field-keys         data with them, Connect's transform opens it), one file in both
#
# Passwords are random, made here, and written only to these files (never to a log or a command line). Run as root,
# it gives each directory to the user its containers run as (the *_UID variables) with mode 0700. Running it again
# changes nothing; to renew everything, remove the volumes (`docker compose down -v` also deletes the data).
#
# Usage: secrets.sh [DIR]    (default /secrets; needs bash and the JDK's keytool)
set -euo pipefail

dir="${1:-/secrets}"
brokers="${BROKERS:-kafka-1 kafka-2 kafka-3}"
users="${SCRAM_USERS:-orderflow connect schema-registry verify}"
kafka_uid="${KAFKA_UID:-1000}"            # apache/kafka images (brokers, connect, kafka-init)
registry_uid="${REGISTRY_UID:-1000}"      # confluentinc/cp-schema-registry
orderflow_uid="${ORDERFLOW_UID:-10001}"   # deploy/Dockerfile
validity_days="${VALIDITY_DAYS:-825}"

# Field encryption keys (intake.encryption.keys, and the outbox connector's transform that opens what the intake
# seals): one keys file, the same in the intake's and Connect's directories. Made when missing — also on a deployment
# whose Kafka credentials exist from before — and never replaced: rotate by editing both copies (intake/README.md).
field_keys() {
  local intake="$dir/intake-field-keys" connect="$dir/connect-field-keys"
  mkdir -p "$intake" "$connect"
  if [ ! -f "$intake/keys.properties" ]; then
    local id key
    id="k-$(date -u +%Y%m%d)"
    key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
    (umask 077 && printf '%s\nactive=%s\nkey.%s=%s\n' \
      "# Orderflow field encryption keys: active seals new values; keep old keys while data sealed with them is kept" \
      "$id" "$id" "$key" > "$intake/keys.properties")
    echo "kafka-secrets: made the field encryption key $id"
  fi
  cp "$intake/keys.properties" "$connect/keys.properties"
  if [ "$(id -u)" = 0 ]; then
    chown -R "$orderflow_uid:$orderflow_uid" "$intake"
    chown -R "$kafka_uid:$kafka_uid" "$connect"
  fi
  chmod 700 "$intake" "$connect"
  chmod 600 "$intake/keys.properties" "$connect/keys.properties"
}
field_keys

if [ -f "$dir/kafka-admin/.complete" ]; then
  echo "kafka-secrets: credentials exist in $dir, kept"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

password() {
  head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-32
}

# The cluster's CA: signs every node's and the administrator's certificate; only its certificate leaves $work.
export CA_PASSWORD
CA_PASSWORD=$(password)
keytool -genkeypair -alias ca -keyalg EC -groupname secp384r1 -dname "CN=orderflow-kafka-ca" -ext bc:c \
  -validity "$validity_days" -storetype PKCS12 -keystore "$work/ca.p12" -storepass:env CA_PASSWORD
keytool -exportcert -rfc -alias ca -keystore "$work/ca.p12" -storepass:env CA_PASSWORD -file "$work/ca.crt" 2>/dev/null

# keystore DIR NAME: DIR/keystore.p12 with a key for CN=NAME, its certificate signed by the CA (SAN NAME, localhost)
# and the CA's certificate; prints the key store's password.
keystore() {
  local out="$1" name="$2"
  export STORE_PASSWORD
  STORE_PASSWORD=$(password)
  keytool -genkeypair -alias "$name" -keyalg EC -groupname secp256r1 -dname "CN=$name" -validity "$validity_days" \
    -storetype PKCS12 -keystore "$out/keystore.p12" -storepass:env STORE_PASSWORD
  keytool -certreq -alias "$name" -keystore "$out/keystore.p12" -storepass:env STORE_PASSWORD -file "$work/$name.csr"
  keytool -gencert -alias ca -keystore "$work/ca.p12" -storepass:env CA_PASSWORD -infile "$work/$name.csr" \
    -outfile "$work/$name.crt" -rfc -validity "$validity_days" -ext "SAN=dns:$name,dns:localhost"
  keytool -importcert -noprompt -alias ca -file "$work/ca.crt" -keystore "$out/keystore.p12" \
    -storepass:env STORE_PASSWORD 2>/dev/null
  keytool -importcert -alias "$name" -file "$work/$name.crt" -keystore "$out/keystore.p12" \
    -storepass:env STORE_PASSWORD 2>/dev/null
  printf '%s' "$STORE_PASSWORD"
}

# ssl_client FILE KEYSTORE PASSWORD CA: client settings that log in with a certificate (mutual TLS).
ssl_client() {
  cat > "$1" <<EOF
security.protocol=SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=$2
ssl.keystore.password=$3
ssl.truststore.type=PEM
ssl.truststore.location=$4
EOF
}

party() {
  mkdir -p "$dir/$1"
  cp "$work/ca.crt" "$dir/$1/ca.crt"
}

for broker in $brokers; do
  party "$broker"
  store_password=$(keystore "$dir/$broker" "$broker")
  printf 'keystore.password=%s\n' "$store_password" > "$dir/$broker/secrets.properties"
  ssl_client "$dir/$broker/client.properties" /etc/kafka/secrets/keystore.p12 "$store_password" \
    /etc/kafka/secrets/ca.crt
done

party kafka-admin
admin_password=$(keystore "$dir/kafka-admin" admin)
ssl_client "$dir/kafka-admin/client.properties" /etc/kafka/secrets/keystore.p12 "$admin_password" \
  /etc/kafka/secrets/ca.crt

for user in $users; do
  user_password=$(password)
  printf '%s\n' "$user_password" > "$dir/kafka-admin/$user.password"
  jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$user\" password=\"$user_password\";"
  case "$user" in
    schema-registry)
      party "$user"
      printf 'KafkaClient {\n  %s\n};\n' "${jaas%;}" > "$dir/$user/jaas.conf"
      ;;
    verify)
      # For `saga verify` from the host (EXTERNAL listener): README, "Deploying with docker compose".
      cat > "$dir/kafka-admin/verify.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$jaas
ssl.truststore.type=PEM
ssl.truststore.location=ca.crt
EOF
      ;;
    *)
      party "$user"
      printf 'sasl.jaas.config=%s\n' "$jaas" > "$dir/$user/kafka.properties"
      ;;
  esac
done

touch "$dir/kafka-admin/.complete"
if [ "$(id -u)" = 0 ]; then
  for party in $brokers kafka-admin connect; do
    chown -R "$kafka_uid:$kafka_uid" "$dir/$party"
  done
  chown -R "$registry_uid:$registry_uid" "$dir/schema-registry"
  chown -R "$orderflow_uid:$orderflow_uid" "$dir/orderflow"
fi
chmod 700 "$dir"/*/
chmod 600 "$dir"/*/*
chmod 644 "$dir"/*/ca.crt
echo "kafka-secrets: made the CA, keys for $brokers and admin, SCRAM credentials for $users in $dir"
