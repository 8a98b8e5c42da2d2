#!/usr/bin/env bash
# One login role and one schema per service, as `npm start` and libs/testing provision them
# (libs/persistence/src/service-database.ts): role flightdeck_<schema> owns schema <schema>, has no
# right on any other, and its search_path is its schema. Each service then applies its own
# migrations at start-up, as that role.
#
# The postgres image runs this once, when the `postgres-data` volume is first initialised. It is
# idempotent, so after changing a password in .env an operator can run it again by hand:
#   docker compose exec postgres /docker-entrypoint-initdb.d/10-service-roles.sh
set -euo pipefail
# "schema already exists, skipping" on a second run is expected, not news
export PGOPTIONS='-c client_min_messages=warning'

provision() {
  local schema=$1
  local password_var="FLIGHTDECK_DB_PASSWORD_${schema^^}"
  local password=${!password_var:-}
  if [[ -z "$password" ]]; then
    echo "10-service-roles.sh: $password_var is not set" >&2
    exit 1
  fi
  # values go in as psql variables (:'x' quotes a literal, format %I/%L quotes again in SQL): a
  # password with quotes or backslashes cannot change the statement
  psql --no-psqlrc -v ON_ERROR_STOP=1 --quiet --output=/dev/null \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-flightdeck}" \
    -v role="flightdeck_${schema}" -v schema="$schema" -v password="$password" <<'SQL'
select pg_advisory_lock(hashtext('flightdeck:provision'));
select format('create role %I', :'role') where not exists (select 1 from pg_roles where rolname = :'role') \gexec
select format('alter role %I with login password %L nosuperuser nocreatedb nocreaterole', :'role', :'password') \gexec
select format('create schema if not exists %I authorization %I', :'schema', :'role') \gexec
select format('alter schema %I owner to %I', :'schema', :'role') \gexec
select format('revoke create on schema public from %I', :'role') \gexec
select format('alter role %I set search_path = %I', :'role', :'schema') \gexec
select pg_advisory_unlock(hashtext('flightdeck:provision'));
SQL
  echo "10-service-roles.sh: role flightdeck_${schema} owns schema ${schema}"
}

for schema in gateway environments orchestrator builder logs; do
  provision "$schema"
done
