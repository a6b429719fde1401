#!/usr/bin/env bash
# Starts a fresh Lanyard on a free loopback port with a temporary SQLite data directory,
# registers the conformance clients (setup.sh), runs the conformance runner (run.mjs) against
# it, stops the server and exits with the runner's status. Extra arguments go to run.mjs
# (e.g. --skip-slow, --only oidcc-server, --verbose). CONFORMANCE_KEEP=1 keeps the scratch
# directory (server log, setup file) after the run.
#
#   conformance/run-local.sh [run.mjs options]
#
# LANYARD_BIN: the binary (default: $CARGO_TARGET_DIR/debug/lanyard, then target/debug/lanyard,
# then `lanyard` on PATH). Other LANYARD_* variables of the caller are ignored so the run never
# touches a real deployment's database.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

bin="${LANYARD_BIN:-}"
if [[ -z "$bin" ]]; then
  for candidate in "${CARGO_TARGET_DIR:-/nonexistent}/debug/lanyard" "$repo/target/debug/lanyard"; do
    if [[ -x "$candidate" ]]; then bin="$candidate"; break; fi
  done
fi
bin="${bin:-$(command -v lanyard || true)}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "run-local.sh: no lanyard binary: run 'cargo build' or set LANYARD_BIN" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
command -v node >/dev/null || { echo "run-local.sh: node (20 or newer) is required" >&2; exit 2; }

if [[ ! -d "$here/node_modules/oauth4webapi" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Only our own settings reach the server and the CLI.
while IFS= read -r name; do
  [[ "$name" == LANYARD_BIN ]] || unset "$name"
done < <(compgen -e | grep '^LANYARD_' || true)

work="$(mktemp -d "${TMPDIR:-/tmp}/lanyard-conformance.XXXXXX")"
port="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
issuer="http://localhost:${port}"
export LANYARD_BIN="$bin"
export LANYARD_LISTEN="127.0.0.1:${port}"
export LANYARD_DATA_DIR="$work/data"
export LANYARD_ISSUER="$issuer"
export LANYARD_ENVIRONMENT=development

server_pid=""
status=1
ran=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -z "$ran" && -s "$work/server.log" ]]; then
    # Start-up or setup failed: show why, keep the directory.
    echo "run-local.sh: last lines of the server log ($work/server.log):" >&2
    tail -n 20 "$work/server.log" >&2
  elif [[ -n "${CONFORMANCE_KEEP:-}" ]]; then
    echo "run-local.sh: kept $work (server.log, setup.json)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Run from the scratch directory so no ./lanyard.toml of the caller is picked up.
cd "$work"
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:${port}/readyz"; then
    ready=yes
    break
  fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  echo "run-local.sh: lanyard did not become ready on 127.0.0.1:${port}" >&2
  exit 1
fi

"$here/setup.sh" "$issuer" "$work/setup.json"

ran=yes
set +e
node "$here/run.mjs" "$issuer" --setup "$work/setup.json" "$@"
status=$?
set -e
exit "$status"
