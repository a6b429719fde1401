#!/usr/bin/env bash
# Issue 31's growth bench, one command: what a big store costs. For each backend (SQLite, and
# PostgreSQL + Redis unless SKIP_PG=1) it makes two stores, a small one and a big one, starts a
# Lanyard (release) on each, side by side, and runs against both in turn:
#   - the token endpoints (client_credentials, introspection, userinfo, rotating refresh: wrk)
#     and the full login flow (benches/side_by_side/driver.mjs), as ratios big ÷ small;
#   - the administration reads of the big provider (benches/growth/admin.mjs): user list pages
#     (first, deep, last), searches (common, rare, rare from a deep page), a status filter,
#     activity pages, p50 and p99 over ROUNDS requests each; the activity export's rows/s;
#   - three administrators paging and searching while a fourth exports, with the server's RSS
#     sampled every 0.2 s.
#
# The big store is seeded straight into the database (SQL below, no API, no argon2): PROVIDERS
# providers (default 10,000), USERS people (default 1,000,000), BIG of them in the bench's
# provider ACME (default 100,000), and ACTIVITY activity rows (default 1,000,000), BIG of them
# ACME's. The 40 accounts the login flow signs in to are ACME's in both stores.
#
# Numbers only, nothing here is a test. Needs wrk, node, curl, sqlite3, psql (unless SKIP_PG=1).
# Usage: benches/growth.sh [seconds per workload, default 8] [connections, default 32]
#        (SKIP_SQLITE=1 / SKIP_PG=1 leave a backend out; ADMIN_ONLY=1 runs only the administration part)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-8}"; conns="${2:-32}"; rounds="${ROUNDS:-100}"; bench_users=40
providers="${PROVIDERS:-10000}"; total="${USERS:-1000000}"; big="${BIG:-100000}"; activity="${ACTIVITY:-1000000}"
pg_admin="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
die() { echo "growth: $*" >&2; exit 1; }
for tool in wrk node curl sqlite3; do command -v "$tool" >/dev/null || die "needs $tool"; done
[ "$big" -le "$total" ] && [ "$providers" -ge 2 ] || die "BIG must be at most USERS, PROVIDERS at least 2"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lanyard-target}"
bin="${LANYARD_BIN:-}"
if [ -z "$bin" ]; then cargo build --release --quiet; bin="$CARGO_TARGET_DIR/release/lanyard"; fi
driver="benches/side_by_side/driver.mjs"; admin="benches/growth/admin.mjs"

tmp="$(mktemp -d)"; pids=(); dbs=(); prefix="lanyard-growth-$$"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${dbs[@]}"; do psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  redis-cli -u "$redis_url" --scan --pattern "$prefix*" 2>/dev/null | xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_up() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1/.well-known/openid-configuration" && return; sleep 0.1; done; die "$1 did not come up"; }
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

# The bench's accounts, its client and an automation client administering ACME; prints both secrets.
setup() {
  local dir="$1"; shift
  mkdir -p "$dir"
  local cli=(env LANYARD_DATA_DIR="$dir" LANYARD_LOG_LEVEL=warn "$@" "$bin")
  "${cli[@]}" tenant create ACME --name Acme >/dev/null
  for i in $(seq 1 "$bench_users"); do
    printf 'Correct-Horse9\n' | "${cli[@]}" user create --tenant ACME "user$i" --password-stdin --permanent >/dev/null
  done
  local bench_secret admin_secret
  bench_secret=$("${cli[@]}" client create --name Bench --id bench --redirect-uri http://127.0.0.1:9/cb \
    --grant authorization_code --grant refresh_token --grant client_credentials --alg ES256 --tenant ACME --json | json_field client_secret)
  admin_secret=$("${cli[@]}" client create --name Admin --id admin --redirect-uri http://127.0.0.1:9/cb \
    --admin-role provider-admin:ACME --json | json_field client_secret)
  printf '%s %s\n' "$bench_secret" "$admin_secret"
}

# The seed, as SQL over the rows the CLI made: providers copy ACME's settings, people copy
# user1's columns (same password hash: nobody signs in as them), activity is three kinds.
seed_sqlite() {
  local db="$1"
  sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $providers - 1)
INSERT INTO tenants (provider_code, name, active, password_policy, self_reset_enabled, unified_login_enabled, created_at, help_contact, mfa_policy, passkey_sign_in, default_language)
SELECT 'P' || x, 'Provider ' || x, t.active, t.password_policy, t.self_reset_enabled, t.unified_login_enabled, t.created_at, t.help_contact, t.mfa_policy, t.passkey_sign_in, t.default_language
FROM s, tenants t WHERE t.provider_code = 'ACME';
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $total - $bench_users)
INSERT INTO users (tenant_id, subject, login_name, login_name_key, user_type, status, is_user_admin, is_platform_operator, must_change_password, password_hash, failed_attempts, attempts_in_flight, attempts_in_flight_since, self_reset_enabled, email, email_verified, password_changed_at, last_sign_in_at, created_at, updated_at, mailed_epoch, language)
SELECT CASE WHEN x <= $big - $bench_users THEN u.tenant_id ELSE (SELECT min(id) FROM tenants WHERE provider_code LIKE 'P%') + x % ($providers - 1) END,
  'seed-' || x, 'Member' || printf('%07d', x), 'member' || printf('%07d', x), u.user_type, u.status, u.is_user_admin, u.is_platform_operator, u.must_change_password, u.password_hash, 0, 0, 0, u.self_reset_enabled, NULL, 0, u.password_changed_at, NULL, u.created_at, u.updated_at, u.mailed_epoch, NULL
FROM s, users u WHERE u.login_name = 'user1';
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $activity)
INSERT INTO activity (tenant_id, user_id, login_name, kind, detail, login_type, client_id, ip, user_agent, at, actor)
SELECT CASE WHEN x % ($activity / $big) = 0 THEN (SELECT id FROM tenants WHERE provider_code = 'ACME') ELSE (SELECT min(id) FROM tenants WHERE provider_code LIKE 'P%') + x % ($providers - 1) END,
  NULL, 'member' || printf('%07d', x % $total), CASE x % 3 WHEN 0 THEN 'sign_in' WHEN 1 THEN 'sign_in_failed' ELSE 'sign_out' END,
  'seeded', 'password', 'bench', '192.0.2.' || (x % 250), 'Mozilla/5.0 (X11; Linux x86_64) growth-bench', strftime('%s', 'now') - ($activity - x), ''
FROM s;
COMMIT;
ANALYZE;
SQL
}

seed_pg() {
  local url="$1"
  psql -q "$url" <<SQL
BEGIN;
INSERT INTO tenants (provider_code, name, active, password_policy, self_reset_enabled, unified_login_enabled, created_at, help_contact, mfa_policy, passkey_sign_in, default_language)
SELECT 'P' || x, 'Provider ' || x, t.active, t.password_policy, t.self_reset_enabled, t.unified_login_enabled, t.created_at, t.help_contact, t.mfa_policy, t.passkey_sign_in, t.default_language
FROM generate_series(1, $providers - 1) x, tenants t WHERE t.provider_code = 'ACME';
INSERT INTO users (tenant_id, subject, login_name, login_name_key, user_type, status, is_user_admin, is_platform_operator, must_change_password, password_hash, failed_attempts, attempts_in_flight, attempts_in_flight_since, self_reset_enabled, email, email_verified, password_changed_at, last_sign_in_at, created_at, updated_at, mailed_epoch, language)
SELECT CASE WHEN x <= $big - $bench_users THEN u.tenant_id ELSE (SELECT min(id) FROM tenants WHERE provider_code LIKE 'P%') + x % ($providers - 1) END,
  'seed-' || x, 'Member' || lpad(x::text, 7, '0'), 'member' || lpad(x::text, 7, '0'), u.user_type, u.status, u.is_user_admin, u.is_platform_operator, u.must_change_password, u.password_hash, 0, 0, 0, u.self_reset_enabled, NULL, false, u.password_changed_at, NULL, u.created_at, u.updated_at, u.mailed_epoch, NULL
FROM generate_series(1, $total - $bench_users) x, users u WHERE u.login_name = 'user1';
INSERT INTO activity (tenant_id, user_id, login_name, kind, detail, login_type, client_id, ip, user_agent, at, actor)
SELECT CASE WHEN x % ($activity / $big) = 0 THEN (SELECT id FROM tenants WHERE provider_code = 'ACME') ELSE (SELECT min(id) FROM tenants WHERE provider_code LIKE 'P%') + x % ($providers - 1) END,
  NULL, 'member' || lpad((x % $total)::text, 7, '0'), CASE x % 3 WHEN 0 THEN 'sign_in' WHEN 1 THEN 'sign_in_failed' ELSE 'sign_out' END,
  'seeded', 'password', 'bench', '192.0.2.' || (x % 250), 'Mozilla/5.0 (X11; Linux x86_64) growth-bench', extract(epoch from now())::bigint - ($activity - x), ''
FROM generate_series(1, $activity) x;
COMMIT;
VACUUM ANALYZE;
SQL
}

serve() { # name port dir extra-env...
  local name="$1" port="$2" dir="$3"; shift 3
  env LANYARD_DATA_DIR="$dir" LANYARD_LISTEN="127.0.0.1:$port" LANYARD_ISSUER="http://127.0.0.1:$port" LANYARD_LOG_LEVEL=warn \
    LANYARD_SIGNIN_LIMIT_PER_IP=1000000 LANYARD_SIGNIN_LIMIT_PER_ACCOUNT=1000000 LANYARD_PENDING_AUTHORIZATIONS_PER_IP=1000000 \
    "$@" "$bin" serve > "$dir/serve.log" 2>&1 &
  pids+=($!); echo $! > "$tmp/$name.pid"; echo "http://127.0.0.1:$port" > "$tmp/$name.base"
  wait_up "http://127.0.0.1:$port"
}

# post_lua FILE BODY SECRET, refresh_lua FILE SECRET SEEDS: the wrk scripts both benches use.
source benches/wrk_lua.sh # the working directory is the repository (cd above)
rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }

# token NAME WORKLOAD: req/s of one token workload against one server.
token_load() {
  local name="$1" w="$2" base secret out
  base=$(cat "$tmp/$name.base"); secret=$(cat "$tmp/$name.secret")
  case "$w" in
    client_credentials) post_lua "$tmp/$name.lua" "grant_type=client_credentials" "$secret" ;;
    introspection)
      local cc; cc=$(curl -sf -u "bench:$secret" -d grant_type=client_credentials "$base/token" | json_field access_token)
      post_lua "$tmp/$name.lua" "token=$cc" "$secret" ;;
    refresh)
      node "$driver" seeds "$name" "$base" "$secret" $((conns * 2)) > "$tmp/$name.seeds"
      refresh_lua "$tmp/$name.lua" "$secret" "$tmp/$name.seeds" ;;
  esac
  case "$w" in
    userinfo)
      local user; user=$(node "$driver" token "$name" "$base" "$secret")
      out=$(wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $user" "$base/userinfo") ;;
    introspection) out=$(wrk -t2 -c"$conns" -d"${secs}s" -s "$tmp/$name.lua" "$base/introspect") ;;
    *) out=$(wrk -t2 -c"$conns" -d"${secs}s" -s "$tmp/$name.lua" "$base/token") ;;
  esac
  rps "$out"
}

report="$tmp/report"; : > "$report"
run_backend() { # label, then extra env for both servers' CLI and serve (the DB differs per store)
  local label="$1" small_env=() big_env=()
  echo "== $label"
  if [ "$label" = sqlite ]; then
    read -r s_secret s_admin < <(setup "$tmp/$label-small")
    read -r b_secret b_admin < <(setup "$tmp/$label-big")
    local t0=$SECONDS; seed_sqlite "$tmp/$label-big/lanyard.db"; echo "  seeded in $((SECONDS - t0)) s"
  else
    local small_db="lanyard_growth_small_$$" big_db="lanyard_growth_big_$$"
    for db in "$small_db" "$big_db"; do psql -q "$pg_admin" -c "CREATE DATABASE $db" >/dev/null; dbs+=("$db"); done
    small_env=(LANYARD_DATABASE_URL="${pg_admin%/*}/$small_db" LANYARD_REDIS_URL="$redis_url" LANYARD_REDIS_PREFIX="$prefix-small:")
    big_env=(LANYARD_DATABASE_URL="${pg_admin%/*}/$big_db" LANYARD_REDIS_URL="$redis_url" LANYARD_REDIS_PREFIX="$prefix-big:")
    read -r s_secret s_admin < <(setup "$tmp/$label-small" "${small_env[@]}")
    read -r b_secret b_admin < <(setup "$tmp/$label-big" "${big_env[@]}")
    local t0=$SECONDS; seed_pg "${pg_admin%/*}/$big_db"; echo "  seeded in $((SECONDS - t0)) s"
  fi
  serve "$label-small" 18110 "$tmp/$label-small" "${small_env[@]}"
  serve "$label-big" 18111 "$tmp/$label-big" "${big_env[@]}"
  echo "$s_secret" > "$tmp/$label-small.secret"; echo "$b_secret" > "$tmp/$label-big.secret"
  local small_pid big_pid; small_pid=$(cat "$tmp/$label-small.pid"); big_pid=$(cat "$tmp/$label-big.pid")
  echo "  RSS idle: small $(rss "$small_pid") MiB, big $(rss "$big_pid") MiB"

  # Token endpoints and logins: small then big, twice; the best of each (ADMIN_ONLY=1 skips them).
  local workloads="client_credentials introspection userinfo refresh"
  [ -n "${ADMIN_ONLY:-}" ] && workloads=""
  for w in $workloads; do
    local best_s=0 best_b=0 r
    for _ in 1 2; do
      r=$(token_load "$label-small" "$w"); best_s=$(awk -v a="$best_s" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
      r=$(token_load "$label-big" "$w"); best_b=$(awk -v a="$best_b" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
    done
    printf '%s\t%s\t%s\t%s\n' "$label" "$w" "$best_s" "$best_b" | tee -a "$report"
  done
  local best_s=0 best_b=0 r
  for _ in $([ -z "${ADMIN_ONLY:-}" ] && echo 1 2); do
    r=$(node "$driver" logins "$label-small" "$(cat "$tmp/$label-small.base")" "$s_secret" "$bench_users" 8 "$secs" | json_field per_sec)
    best_s=$(awk -v a="$best_s" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
    r=$(node "$driver" logins "$label-big" "$(cat "$tmp/$label-big.base")" "$b_secret" "$bench_users" 8 "$secs" | json_field per_sec)
    best_b=$(awk -v a="$best_b" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
  done
  [ -z "${ADMIN_ONLY:-}" ] && printf '%s\t%s\t%s\t%s\n' "$label" login_flow "$best_s" "$best_b" | tee -a "$report"

  # Administration of the big provider.
  local base token; base=$(cat "$tmp/$label-big.base")
  token=$(curl -sf -u "admin:$b_admin" -d grant_type=client_credentials -d scope=admin "$base/token" | json_field access_token)
  echo "  reads (p50 / p99 ms over $rounds each):"
  node "$admin" reads "$base" "$token" ACME "$rounds" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const [k, v] of Object.entries(JSON.parse(s))) console.log(`    ${k.padEnd(22)} ${v.p50_ms.toFixed(2).padStart(8)} ${v.p99_ms.toFixed(2).padStart(8)}`);
    });' | tee -a "$tmp/$label.reads"
  # curl and wc, not node: node's stream reading was slower than the server (issue 31).
  local t0 t1 rows
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    rows=$(curl -sf -H "Authorization: Bearer $token" "$base/admin/api/v1/providers/ACME/activity.csv" | wc -l)
    t1=$(date +%s.%N)
    awk -v r="$((rows - 1))" -v a="$t0" -v b="$t1" 'BEGIN {printf "  export: %d rows in %.3f s, %.0f rows/s\n", r, b - a, r / (b - a)}' | tee -a "$tmp/$label.reads"
  done
  local before; before=$(rss "$big_pid")
  ( while kill -0 "$big_pid" 2>/dev/null; do rss "$big_pid"; echo; sleep 0.2; done ) > "$tmp/$label.rss" & local sampler=$!
  local counts; counts=$(node "$admin" workload "$base" "$token" ACME 20)
  kill "$sampler" 2>/dev/null || true
  sleep 5
  echo "  3 admins paging and searching + 1 exporting, 20 s: $counts" | tee -a "$tmp/$label.reads"
  echo "  RSS: before $before MiB, peak $(sort -n "$tmp/$label.rss" | tail -1) MiB, 5 s after $(rss "$big_pid") MiB" | tee -a "$tmp/$label.reads"
  kill "$small_pid" "$big_pid" 2>/dev/null || true
  wait "$small_pid" "$big_pid" 2>/dev/null || true
}

echo "growth: $total users over $providers providers ($big in ACME), $activity activity rows ($big ACME's); wrk -t2 -c$conns -d${secs}s; $(nproc) cores; Lanyard $(git rev-parse --short HEAD 2>/dev/null)"
[ -z "${SKIP_SQLITE:-}" ] && run_backend sqlite
[ -z "${SKIP_PG:-}" ] && run_backend pg_redis
echo
echo "| backend | workload | small store req/s | big store req/s | big ÷ small |"
echo "|---|---|---|---|---|"
awk -F'\t' '{printf "| %s | %s | %.0f | %.0f | %.2f |\n", $1, $2, $3, $4, ($3 > 0 ? $4 / $3 : 0)}' "$report"
