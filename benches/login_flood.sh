#!/usr/bin/env bash
# Memory under a login flood, and logins/s against the argon2 bound (issue 15): starts a release
# build of Lanyard on SQLite with production argon2 parameters (m = 19 MiB, t = 2, p = 1), then
# has wrk post the sign-in form (a right password, a new session each time, spread over USERS
# accounts, default 40) for N seconds with
# C connections, sampling the server's resident memory every 0.2 s. Prints logins/s, RSS idle
# before, peak during and idle after the flood. Numbers only: compare runs side by side on the
# same machine, never assert on them. Also measures /token (client_credentials) during the flood.
# Usage: benches/login_flood.sh [seconds, default 15] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"; conns="${2:-32}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lanyard-target}"
# LANYARD_BIN=path measures another build (an older one, say) without building.
bin="${LANYARD_BIN:-}"
if [ -z "$bin" ]; then cargo build --release --quiet; bin="$CARGO_TARGET_DIR/release/lanyard"; fi
data="$(mktemp -d)"; port="${PORT:-18097}"; base="http://127.0.0.1:$port"
export LANYARD_DATA_DIR="$data" LANYARD_LISTEN="127.0.0.1:$port" LANYARD_ISSUER="http://localhost:$port" LANYARD_LOG_LEVEL=warn
export LANYARD_SIGNIN_LIMIT_PER_IP=1000000 LANYARD_SIGNIN_LIMIT_PER_ACCOUNT=1000000
"$bin" tenant create ACME --name Acme >/dev/null
# Spread over many accounts: L3 lets each account have only a few checks in flight at once.
users="${USERS:-40}"
for i in $(seq 1 "$users"); do
  printf 'Correct-Horse9\n' | "$bin" user create --tenant ACME "user$i" --password-stdin --permanent >/dev/null
done
secret=$("$bin" client create --name Bench --id bench --grant client_credentials --tenant ACME --json | sed -n 's/.*"client_secret": "\([^"]*\)".*/\1/p')
"$bin" serve & pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

# The sign-in form's CSRF pair (a cookie and its MAC) may be reused: the token is not single use.
page=$(curl -s -c "$data/jar" "$base/login")
csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
cookie=$(awk '$6 == "lanyard_csrf" {print $6 "=" $7}' "$data/jar")
cat > "$data/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$cookie"
counter = 0
request = function()
  counter = counter + 1
  local body = "csrf=$csrf&login_name=user" .. (counter % $users + 1) .. "&password=Correct-Horse9&provider_code=ACME"
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("wrk: %d responses, %d errors or non-2xx/3xx\n", summary.requests, bad))
end
LUA
# One check by hand: the form signs in (303 to /account).
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" --data "csrf=$csrf&login_name=user1&password=Correct-Horse9&provider_code=ACME" "$base/login")
[ "$code" = 303 ] || { echo "login_flood: the sign-in form answered $code, expected 303"; exit 1; }

# Beside the flood, a light client_credentials load: how the token endpoint fares while every
# hash thread is busy (the target is p99 <= 50 ms).
cat > "$data/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
LUA
idle_before=$(rss); peak=0
( while kill -0 $pid 2>/dev/null; do r=$(rss); echo "$r"; sleep 0.2; done ) > "$data/rss" & sampler=$!
wrk -t1 -c4 -d"${secs}s" --latency -s "$data/token.lua" "$base/token" > "$data/token.out" & tokens=$!
out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$data/login.lua" "$base/login")
wait $tokens || true
kill $sampler 2>/dev/null || true
peak=$(sort -n "$data/rss" | tail -1)
after=""; for _ in $(seq 1 10); do sleep 1; after="$after $(rss)"; done
idle_after=$(rss)
rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
printf '%s\n' "$out" | grep '^wrk:' || true
echo "logins/s: $rps   p50 $p50   p99 $p99   (connections $conns, $secs s, $(nproc) cores)"
echo "token (client_credentials, 4 connections, during the flood): $(awk '/Requests\/sec/ {print $2}' "$data/token.out")/s   p50 $(awk '$1 == "50%" {print $2}' "$data/token.out")   p99 $(awk '$1 == "99%" {print $2}' "$data/token.out")"
echo "RSS MiB:  idle before $idle_before   peak during $peak   idle 10 s after $idle_after   (each second after:$after)"
