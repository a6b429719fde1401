#!/usr/bin/env bash
# The administration API against its own OpenAPI document (issue 12): openapi-spec-validator
# checks the document, then schemathesis (both from PyPI) calls every operation of a live
# server with a platform operator's token and fails on any server error or any response the
# document does not describe. Usage: tests/api/run.sh <path to the lanyard binary>
set -euo pipefail
bin="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
venv="${LANYARD_API_VENV:-$HOME/.cache/lanyard-api-venv}"
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi; [ -n "${LANYARD_API_KEEP:-}" ] || rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/st" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export LANYARD_DATA_DIR="$work" LANYARD_LISTEN="127.0.0.1:$port" LANYARD_ISSUER="http://localhost:$port"
export LANYARD_LOG_LEVEL=warn LANYARD_ARGON2_MEMORY_KIB=256 LANYARD_ARGON2_ITERATIONS=1
# The server must not stop schemathesis with its own limits; they have their own tests.
export LANYARD_SIGNIN_LIMIT_PER_IP=1000000 LANYARD_PENDING_AUTHORIZATIONS_PER_IP=1000000
"$bin" migrate >/dev/null
"$bin" tenant create ACME --name "Acme Agency" >/dev/null
# Issue 32: what the operations need, one subject per operation that changes one (the examples
# tests/api/fixture.py writes into the document name them), and the run's own credentials out
# of every operation's reach: a platform client whose id no example, link or listing leads to.
for login in alice bob carol dave erin frank gina hank; do
  "$bin" user create --tenant ACME "$login" >/dev/null
done
"$bin" user set --tenant ACME carol --email carol@acme.example >/dev/null
for id in records doomed; do
  "$bin" client create --name "$id" --id "$id" --tenant ACME --redirect-uri "https://$id.example/cb" >/dev/null
done
for n in 1 2; do
  "$bin" invitation send --tenant ACME --name "Invitee $n" --email "invitee$n@acme.example" >/dev/null
done
operator="fuzz-operator-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
secret="$("$bin" --json client create --name "Fuzzing operator" --id "$operator" --admin-role platform |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')"
metrics_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export LANYARD_METRICS_TOKEN="metrics-$operator" LANYARD_METRICS_LISTEN="127.0.0.1:$metrics_port"
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
token="$(curl -fsS -u "$operator:$secret" -d grant_type=client_credentials -d scope=admin \
  "http://127.0.0.1:$port/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

curl -fsS "http://127.0.0.1:$port/admin/api/openapi.json" >"$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"
"$venv/bin/python" "$here/fixture.py" "http://127.0.0.1:$port" "$work" "$token" "$work/openapi.json" "$work/fuzzed.json"

set +e
LANYARD_FUZZ_OPERATOR="$operator" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" \
"$venv/bin/st" run "$work/fuzzed.json" \
  --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${LANYARD_API_EXAMPLES:-50}" \
  --seed "${LANYARD_API_SEED:-20261207}" \
  ${LANYARD_API_REPORT:+--report har --report-dir "$LANYARD_API_REPORT"} \
  --no-color 2>&1 | tee "$work/st.log"
status=${PIPESTATUS[0]}
set -e
# Schemathesis passes a run whose warnings say it tested less than it claims (credentials that
# stopped working, ids it never found, bodies the server refuses): any warning fails it here.
if grep -q "Warnings:" "$work/st.log"; then
  echo "admin API: schemathesis printed warnings (above): the run did not reach every operation" >&2
  status=1
fi
# Per operation, how many calls reached a 2xx, from the server's own count; none is a failure.
curl -fsS -H "Authorization: Bearer $LANYARD_METRICS_TOKEN" "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics.txt"
"$venv/bin/python" "$here/reached.py" "$work/openapi.json" "$work/metrics.txt" || status=1
if [ "$status" -ne 0 ]; then
  echo "--- server log" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
