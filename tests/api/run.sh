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
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

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
# The documented examples (provider ACME, user alice, client ops) exist, so operations reach
# past "not found".
"$bin" user create --tenant ACME alice >/dev/null
secret="$("$bin" --json client create --name Operations --id ops --admin-role platform |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')"
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
token="$(curl -fsS -u "ops:$secret" -d grant_type=client_credentials -d scope=admin \
  "http://127.0.0.1:$port/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

curl -fsS "http://127.0.0.1:$port/admin/api/openapi.json" >"$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

status=0
"$venv/bin/st" run "$work/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${LANYARD_API_EXAMPLES:-50}" \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
