#!/usr/bin/env bash
# `make run`: the whole platform in one terminal, on http://localhost:${WEB_PORT:-8000}.
#
# Runs under performile.devstack, which has set DATABASE_URL and REDIS_URL (and,
# with --roles, DATABASE_OWNER_URL: the owner role migrates, everything else
# connects as the application role; docs/configuration.md). Brings
# the database up to date, loads the demo data into an empty database, then hands
# over to honcho (Procfile.dev: web, the inbound applier, worker, beat, and the sandbox courier on port
# ${SANDBOX_PORT:-8090}; the background processes start once the web answers, so
# it starts first). Ctrl-C stops all of it; the data stays under .run/ for the
# next run.
set -euo pipefail

cd "$(dirname "$0")/.."
STATE=${PERFORMILE_STATE:-.run}
WEB_PORT=${WEB_PORT:-8000}
BASE_URL="http://localhost:${WEB_PORT}"
export PATH="$PWD/.venv/bin:$PATH" PERFORMILE_STATE="$STATE" WEB_PORT
mkdir -p "$STATE"

if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$STATE/secret_key" ]; then
    (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STATE/secret_key")
  fi
  SECRET_KEY=$(cat "$STATE/secret_key")
  export SECRET_KEY
fi
# /metrics answers the bearer of this token (docs/faults.md, "Metrics").
if [ -z "${METRICS_TOKEN:-}" ]; then
  if [ ! -s "$STATE/metrics_token" ]; then
    (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$STATE/metrics_token")
  fi
  METRICS_TOKEN=$(cat "$STATE/metrics_token")
  export METRICS_TOKEN
fi
# Plain HTTP on this machine: cookies without the Secure flag, local hosts only.
export SECURE_COOKIES=${SECURE_COOKIES:-0}
# Served to a browser on this machine: no precompressed copies of the static files.
export STATIC_COMPRESS=${STATIC_COMPRESS:-0}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}
export CSRF_TRUSTED_ORIGINS=${CSRF_TRUSTED_ORIGINS:-${BASE_URL},http://127.0.0.1:${WEB_PORT}}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-$BASE_URL}
export LOG_FORMAT=${LOG_FORMAT:-console}

if (exec 3<>"/dev/tcp/127.0.0.1/${WEB_PORT}") 2>/dev/null; then
  echo "Port ${WEB_PORT} is in use (another 'make run'?). Stop it or run: make run WEB_PORT=8001" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/${SANDBOX_PORT:-8090}") 2>/dev/null; then
  echo "Port ${SANDBOX_PORT:-8090} (the sandbox courier) is in use. Stop it or run: make run SANDBOX_PORT=8091" >&2
  exit 1
fi

# The schema is the owner's; the demo, web and workers connect as DATABASE_URL and,
# as in production, are given no other role's URL.
DATABASE_URL=${DATABASE_OWNER_URL:-$DATABASE_URL} python manage.py migrate --noinput
unset DATABASE_OWNER_URL DATABASE_ADMIN_URL
# Static files need no database: collected while the demo loads (after migrate,
# which has compiled the bytecode both would otherwise compile at once).
python manage.py collectstatic --noinput -v0 &
collecting=$!

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)
cat <<BANNER

${bold}Performile is starting${plain}  (Ctrl-C stops everything; data stays in ${STATE}/)

  Orders     ${BASE_URL}/orders/
  Portal     ${BASE_URL}/portal/
  Admin      ${BASE_URL}/admin/
  API docs   ${BASE_URL}/api/docs/
  Health     ${BASE_URL}/healthz
  Metrics    curl -H "Authorization: Bearer ${METRICS_TOKEN}" ${BASE_URL}/metrics

BANNER
# The demo into an empty database, in one process (written in bulk: seconds), and
# its parcels into the sandbox courier's state file before the sandbox starts, so
# polling finds them (manage.py demo --help). migrate has run the system checks.
python manage.py demo --skip-checks --sign-ins \
  --sandbox-url "http://127.0.0.1:${SANDBOX_PORT:-8090}" \
  --sandbox-state "$STATE/sandbox.json"
echo
wait "$collecting"

# Say so once the web server answers: its start-up lines scroll the banner away.
(
  for _ in $(seq 120); do
    sleep 0.5
    if python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "${BASE_URL}/healthz" 2>/dev/null; then
      echo "${bold}Performile is up: ${BASE_URL}/orders/${plain}"
      exit 0
    fi
  done
) &

# Both web processes write their request latencies here and /metrics sums them
# (prometheus_client's multiprocess mode); emptied at every start, since files of
# processes from an earlier run would be counted too.
export PROMETHEUS_MULTIPROC_DIR="$STATE/prometheus"
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

exec honcho -f Procfile.dev start
