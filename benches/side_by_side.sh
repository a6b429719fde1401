#!/usr/bin/env bash
# The side-by-side bench of issue 15, one command: builds Lanyard (release), starts
# node-oidc-provider (pinned in benches/node-oidc-provider), Lanyard on SQLite and Lanyard on
# PostgreSQL + Redis, one after the other, runs the same workloads against each and prints one
# table (req/s, p50, p99, ratio to node-oidc-provider) and each server's resident memory idle
# after start, peak during the run and 5 s after it.
#
# Workloads: discovery, JWKS, client_credentials, introspection, userinfo (wrk, GET or POST),
# rotating refresh (wrk; every connection starts from its own pre-minted refresh token and
# presents each token it is given exactly once), and the full browserless login flow (authorize,
# sign-in form, code, token; a new browser every time, spread over USERS accounts) driven by
# benches/side_by_side/driver.mjs. Logins are also set against the argon2 bound of this machine:
# cores ÷ the median argon2id verify time (argon2-cffi, Lanyard's production parameters), with the
# driver's own CPU taken off the cores.
#
# The servers run side by side and each workload runs against every server in turn, ROUNDS times
# (default 2); the table keeps each server's best round, so a noisy spell on a shared machine
# does not land on one server's column only.
#
# Numbers only; compare runs side by side on one machine (it is shared and noisy); nothing here
# is a test. Needs wrk, node + npm, curl, python3 + pip, and for the scale-out column PostgreSQL
# and Redis (DATABASE_URL / REDIS_URL, defaults 127.0.0.1; SKIP_PG=1 leaves that column out).
# Usage: benches/side_by_side.sh [seconds per workload, default 8] [connections, default 32]
#        (SKIP_NODE=1 / SKIP_SQLITE=1 / SKIP_PG=1 leave a server out; ROUNDS=n rounds;
#        WORKLOADS="refresh_rotating login_flow" runs only those)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-8}"; conns="${2:-32}"; rounds="${ROUNDS:-2}"; users="${USERS:-40}"; login_conns="${LOGIN_CONNECTIONS:-8}"
pg_admin="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
die() { echo "side_by_side: $*" >&2; exit 1; }
for tool in wrk node npm curl python3; do command -v "$tool" >/dev/null || die "needs $tool"; done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lanyard-target}"
# LANYARD_BIN=path compares another build (an older one, say) without building.
bin="${LANYARD_BIN:-}"
if [ -z "$bin" ]; then cargo build --release --quiet; bin="$CARGO_TARGET_DIR/release/lanyard"; fi
(cd benches/node-oidc-provider && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed"
python3 -c 'import argon2' 2>/dev/null || pip install --quiet argon2-cffi >/dev/null 2>&1 || die "pip install argon2-cffi failed"
driver="benches/side_by_side/driver.mjs"

tmp="$(mktemp -d)"; pids=(); bench_db="lanyard_bench_$$"; prefix="lanyard-bench-$$:"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -z "${SKIP_PG:-}" ]; then
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 || true
    redis-cli -u "$redis_url" --scan --pattern "$prefix*" 2>/dev/null | xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
results="$tmp/results"; : > "$results"; memory="$tmp/memory"; : > "$memory"

rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_up() { for _ in $(seq 1 150); do curl -sf -o /dev/null "$1/.well-known/openid-configuration" && return; sleep 0.1; done; die "$1 did not come up"; }
ms() { # wrk's latency (us, ms, s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
# load SERVER WORKLOAD wrk-args...: one wrk run, one line of results.
load() {
  local server="$1" workload="$2" out rps p50 p99 bad; shift 2
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" 2>&1) || die "$server $workload: wrk failed: $out"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")"); p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  bad=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$workload" "$rps" "$p50" "$p99" "${bad:-0}" >> "$results"
  printf '  %-9s %-20s %10s req/s  p50 %8s ms  p99 %8s ms%s\n' "$server" "$workload" "$rps" "$p50" "$p99" "${bad:+  ($bad not 2xx/3xx)}"
}
# post_lua FILE BODY SECRET, refresh_lua FILE SECRET SEEDS: the wrk scripts both benches use.
source benches/wrk_lua.sh # the working directory is the repository (cd above)

# The servers run side by side (idle ones take no CPU) and every workload runs against each in
# turn, ROUNDS times: a noisy spell on this shared machine then slows every server's run of that
# workload, not one server's whole column. The table keeps each server's best round.
# up SERVER BASE SECRET PID: a running server joins the bench.
up() {
  local server="$1" base="$2" secret="$3" pid="$4" d="$tmp/$1"
  mkdir -p "$d"
  printf '%s' "$base" > "$d/base"; printf '%s' "$secret" > "$d/secret"; printf '%s' "$pid" > "$d/pid"
  curl -sf "$base/.well-known/openid-configuration" > "$d/discovery"
  printf '%s\t%s\n' "$server" "$(rss "$pid")" >> "$tmp/idle"
  ( while kill -0 "$pid" 2>/dev/null; do rss "$pid"; echo; sleep 0.2; done ) > "$d/rss" & samplers+=($!)
  servers+=("$server")
}
endpoint() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]])' "$tmp/$1/discovery" "$2"; }
# run SERVER WORKLOAD: one workload against one server (fresh tokens where the workload uses them).
run() {
  local server="$1" w="$2" d="$tmp/$1" base secret cc user login
  base=$(cat "$d/base"); secret=$(cat "$d/secret")
  case "$w" in
    discovery) load "$server" "$w" "$base/.well-known/openid-configuration" ;;
    jwks) load "$server" "$w" "$(endpoint "$server" jwks_uri)" ;;
    client_credentials)
      post_lua "$d/cc.lua" "grant_type=client_credentials" "$secret"
      load "$server" "$w" -s "$d/cc.lua" "$(endpoint "$server" token_endpoint)" ;;
    introspection)
      # node-oidc-provider's in-memory adapter is an LRU: take the token right before its use.
      cc=$(curl -sf -u "bench:$secret" -d grant_type=client_credentials "$(endpoint "$server" token_endpoint)" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
      post_lua "$d/introspect.lua" "token=$cc" "$secret"
      load "$server" "$w" -s "$d/introspect.lua" "$(endpoint "$server" introspection_endpoint)" ;;
    userinfo)
      user=$(node "$driver" token "$server" "$base" "$secret")
      load "$server" "$w" -H "Authorization: Bearer $user" "$(endpoint "$server" userinfo_endpoint)" ;;
    refresh_rotating)
      node "$driver" seeds "$server" "$base" "$secret" $((conns * 2)) > "$d/seeds"
      refresh_lua "$d/refresh.lua" "$secret" "$d/seeds"
      load "$server" "$w" -s "$d/refresh.lua" "$(endpoint "$server" token_endpoint)" ;;
    login_flow)
      login=$(node "$driver" logins "$server" "$base" "$secret" "$users" "$login_conns" "$secs")
      node -e '
        const [server, json] = process.argv.slice(1); const r = JSON.parse(json);
        console.log([server, "login_flow", r.per_sec.toFixed(1), r.p50_ms.toFixed(2), r.p99_ms.toFixed(2), r.failures, (r.driver_cpu_secs / r.seconds).toFixed(2)].join("\t"));
        console.error(`  ${server.padEnd(9)} login_flow ${r.per_sec.toFixed(1).padStart(10)} req/s  p50 ${r.p50_ms.toFixed(2).padStart(8)} ms  p99 ${r.p99_ms.toFixed(2).padStart(8)} ms  (driver used ${(r.driver_cpu_secs / r.seconds).toFixed(2)} cores${r.failures ? `, ${r.failures} failed` : ""})`);
      ' "$server" "$login" >> "$results" ;;
  esac
}
# argon2-cffi's verify with Lanyard's production parameters, median of 15, in ms.
verify_ms() {
  python3 - <<'PY'
import statistics, time
from argon2 import PasswordHasher
ph = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
h = ph.hash("Correct-Horse9")
runs = []
for _ in range(15):
    t = time.perf_counter(); ph.verify(h, "Correct-Horse9"); runs.append(time.perf_counter() - t)
print(f"{statistics.median(runs) * 1000:.1f}")
PY
}

# Lanyard with its data in $1 (a directory), extra environment after it; prints the client secret.
lanyard_setup() {
  local dir="$1"; shift
  mkdir -p "$dir"
  env LANYARD_DATA_DIR="$dir" LANYARD_LOG_LEVEL=warn "$@" "$bin" tenant create ACME --name Acme >/dev/null
  for i in $(seq 1 "$users"); do
    printf 'Correct-Horse9\n' | env LANYARD_DATA_DIR="$dir" LANYARD_LOG_LEVEL=warn "$@" "$bin" user create --tenant ACME "user$i" --password-stdin --permanent >/dev/null
  done
  env LANYARD_DATA_DIR="$dir" LANYARD_LOG_LEVEL=warn "$@" "$bin" client create --name Bench --id bench \
    --redirect-uri http://127.0.0.1:9/cb --grant authorization_code --grant refresh_token --grant client_credentials \
    --alg ES256 --tenant ACME --json | sed -n 's/.*"client_secret": "\([^"]*\)".*/\1/p'
}
lanyard_serve() { # port, data dir, extra environment
  local port="$1" dir="$2"; shift 2
  env LANYARD_DATA_DIR="$dir" LANYARD_LISTEN="127.0.0.1:$port" LANYARD_ISSUER="http://127.0.0.1:$port" LANYARD_LOG_LEVEL=warn \
    LANYARD_SIGNIN_LIMIT_PER_IP=1000000 LANYARD_SIGNIN_LIMIT_PER_ACCOUNT=1000000 LANYARD_PENDING_AUTHORIZATIONS_PER_IP=1000000 \
    "$@" "$bin" serve > "$dir/serve.log" 2>&1 &
}

echo "side by side: wrk -t2 -c$conns -d${secs}s per workload; logins: $login_conns concurrent flows over $users accounts; $(nproc) cores; Lanyard $(git rev-parse --short HEAD 2>/dev/null)"

servers=(); samplers=(); : > "$tmp/idle"; : > "$tmp/verify"
secret=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')
if [ -z "${SKIP_NODE:-}" ]; then
  NODE_ENV=production PORT=18098 BENCH_CLIENT_SECRET="$secret" node benches/node-oidc-provider/server.mjs > "$tmp/node.log" 2>&1 & pid=$!; pids+=("$pid")
  wait_up http://127.0.0.1:18098
  up node http://127.0.0.1:18098 "$secret" "$pid"
fi

if [ -z "${SKIP_SQLITE:-}" ]; then
  secret=$(lanyard_setup "$tmp/sqlite-data")
  lanyard_serve 18099 "$tmp/sqlite-data"; pid=$!; pids+=("$pid")
  wait_up http://127.0.0.1:18099
  up sqlite http://127.0.0.1:18099 "$secret" "$pid"
fi

if [ -z "${SKIP_PG:-}" ]; then
  psql -q "$pg_admin" -c "CREATE DATABASE $bench_db" >/dev/null || die "cannot create database $bench_db (set DATABASE_URL, or SKIP_PG=1)"
  scale=(LANYARD_DATABASE_URL="${pg_admin%/*}/$bench_db" LANYARD_REDIS_URL="$redis_url" LANYARD_REDIS_PREFIX="$prefix")
  secret=$(lanyard_setup "$tmp/pg-data" "${scale[@]}")
  lanyard_serve 18100 "$tmp/pg-data" "${scale[@]}"; pid=$!; pids+=("$pid")
  wait_up http://127.0.0.1:18100
  up pg_redis http://127.0.0.1:18100 "$secret" "$pid"
fi

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds"
  for w in ${WORKLOADS:-discovery jwks client_credentials introspection userinfo refresh_rotating login_flow}; do
    [ "$w" = login_flow ] && verify_ms >> "$tmp/verify"
    for server in "${servers[@]}"; do run "$server" "$w" 2>&1; done
  done
done
for p in "${samplers[@]}"; do kill "$p" 2>/dev/null || true; done
sleep 5
for server in "${servers[@]}"; do
  pid=$(cat "$tmp/$server/pid")
  printf '%s\t%s\t%s\t%s\n' "$server" "$(awk -v s="$server" '$1 == s {print $2}' "$tmp/idle")" "$(sort -n "$tmp/$server/rss" | tail -1)" "$(rss "$pid")" >> "$memory"
done
# The fastest verify of the rounds: the highest bound, the hardest for Lanyard.
verify_ms=$(sort -n "$tmp/verify" | head -1)

node - "$results" "$memory" "$verify_ms" "$(nproc)" <<'JS'
const fs = require('fs');
const [results, memory, verifyMs, cores] = process.argv.slice(2);
const rows = fs.readFileSync(results, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const servers = ['node', 'sqlite', 'pg_redis'].filter((s) => rows.some((r) => r[0] === s));
const workloads = ['discovery', 'jwks', 'client_credentials', 'introspection', 'userinfo', 'refresh_rotating', 'login_flow'];
const targets = { discovery: '≥ 5×', jwks: '≥ 5×', client_credentials: '≥ 4× / ≥ 5×', introspection: '≥ 4× / ≥ 5×',
  userinfo: '≥ 4× / ≥ 5×', refresh_rotating: '≥ 2×', login_flow: '≥ 90 % of the argon2 bound' };
// Each server's best round of each workload (noise on this machine only ever slows a run down).
const find = (s, w) => rows.filter((r) => r[0] === s && r[1] === w).sort((a, b) => Number(b[2]) - Number(a[2]))[0];
const head = ['workload', ...servers.flatMap((s) => (s === 'node' ? ['node req/s', 'p50 ms', 'p99 ms'] : [`${s} req/s`, 'p50 ms', 'p99 ms', 'ratio'])), 'target'];
const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
const bound = (r) => (Number(cores) - Number(r[6] ?? 0)) / (Number(verifyMs) / 1000);
for (const w of workloads) {
  const peer = find('node', w);
  const cells = [w];
  for (const s of servers) {
    const r = find(s, w);
    if (!r) { cells.push(...(s === 'node' ? ['–', '–', '–'] : ['–', '–', '–', '–'])); continue; }
    const flag = Number(r[5]) > 0 ? ` (${r[5]} failed)` : '';
    cells.push(`${Math.round(Number(r[2])).toLocaleString('en')}${flag}`, r[3], r[4]);
    if (s !== 'node') {
      cells.push(w === 'login_flow'
        ? `${Math.round((100 * Number(r[2])) / bound(r))} % of ${bound(r).toFixed(0)}/s`
        : peer ? `${(Number(r[2]) / Number(peer[2])).toFixed(1)}×` : '–');
    }
  }
  cells.push(targets[w]);
  lines.push(`| ${cells.join(' | ')} |`);
}
console.log('\n' + lines.join('\n'));
console.log(`\nEach cell: the best of ${process.env.ROUNDS || 2} rounds; in each round every workload ran against every server in turn.`);
console.log(`argon2id verify (m=19 MiB, t=2, p=1, argon2-cffi): ${verifyMs} ms (the fastest round's median); bound = (${cores} cores − the driver's cores) ÷ verify time.`);
console.log('\n| server | RSS idle after start | peak during the run | 5 s after |\n|---|---|---|---|');
for (const l of fs.readFileSync(memory, 'utf8').trim().split('\n')) {
  const [s, idle, peak, after] = l.split('\t');
  console.log(`| ${s} | ${idle} MiB | ${peak} MiB | ${after} MiB |`);
}
JS
