#!/usr/bin/env bash
# Prints the Secrets the Kubernetes manifests reference, made from the env file that
# deploy/compose-env.sh writes (random passwords and keys), for `kubectl apply`:
#
#   deploy/compose-env.sh .env.kubernetes
#   deploy/kubernetes/secrets.sh .env.kubernetes | kubectl -n flightdeck apply -f -
#
# With a Postgres of your own (overlays/external-postgres): --postgres-host db.example.internal
# (its roles and schemas created as deploy/postgres/initdb.d/10-service-roles.sh does, with these
# passwords). Nothing is written to disk; keep the env file somewhere safe or delete it.
#
#   flightdeck-nats                   one key per NATS user (the services' and `admin`): the NATS chart
#                                     and each service read their own
#   flightdeck-db-<schema>            uri: postgres://flightdeck_<schema>:…@<host>:5432/flightdeck
#   flightdeck-pg-role-<schema>       username, password: the CloudNativePG managed role's password
#   flightdeck-gateway                admin-token
#   flightdeck-environment-manager    secret-key (and previous-secret-keys during a key rotation)
set -euo pipefail

env_file=""
pg_host="flightdeck-pg-rw"
while (($#)); do
  case $1 in
    --postgres-host) pg_host=$2; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) env_file=$1; shift ;;
  esac
done
if [[ -z "$env_file" || ! -r "$env_file" ]]; then
  echo "usage: $0 ENV_FILE [--postgres-host HOST]  (deploy/compose-env.sh writes ENV_FILE)" >&2
  exit 1
fi

value() {
  local line
  line=$(grep -m1 "^$1=" "$env_file" || true)
  if [[ -z "$line" ]]; then
    echo "secrets.sh: $1 is missing from $env_file" >&2
    exit 1
  fi
  printf '%s' "${line#*=}"
}
# YAML single-quoted scalar: the generated values hold no quote, but double any that come
quoted() { printf "'%s'" "${1//\'/\'\'}"; }

secret() {
  local name=$1 type=$2
  shift 2
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/part-of: flightdeck\ntype: %s\nstringData:\n' "$name" "$type"
  while (($#)); do
    printf '  %s: %s\n' "$1" "$(quoted "$2")"
    shift 2
  done
}

nats_args=()
for user in gateway deployment-orchestrator builder log-ingest environment-manager admin; do
  var="FLIGHTDECK_NATS_PASSWORD_$(tr 'a-z-' 'A-Z_' <<<"$user")"
  nats_args+=("$user" "$(value "$var")")
done
secret flightdeck-nats Opaque "${nats_args[@]}"

for schema in gateway environments orchestrator builder logs; do
  password=$(value "FLIGHTDECK_DB_PASSWORD_${schema^^}")
  secret "flightdeck-db-$schema" Opaque uri "postgres://flightdeck_${schema}:${password}@${pg_host}:5432/flightdeck"
  secret "flightdeck-pg-role-$schema" kubernetes.io/basic-auth username "flightdeck_${schema}" password "$password"
done

secret flightdeck-gateway Opaque admin-token "$(value FLIGHTDECK_ADMIN_TOKEN)"
previous=$(grep -m1 '^FLIGHTDECK_PREVIOUS_SECRET_KEYS=' "$env_file" | cut -d= -f2- || true)
if [[ -n "$previous" ]]; then
  secret flightdeck-environment-manager Opaque secret-key "$(value FLIGHTDECK_SECRET_KEY)" previous-secret-keys "$previous"
else
  secret flightdeck-environment-manager Opaque secret-key "$(value FLIGHTDECK_SECRET_KEY)"
fi
