#!/usr/bin/env bash
# Throughput of the protocol endpoints under wrk (Debian's `wrk`): discovery, JWKS,
# client_credentials, introspection, userinfo. Starts a release build of Lanyard on SQLite with a
# fresh data directory, prints requests/s per endpoint, stops it. Numbers only: compare runs
# side by side on the same machine (it is shared and noisy), never assert on them.
# Usage: benches/http_load.sh [seconds per endpoint, default 10] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"; conns="${2:-32}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lanyard-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/lanyard"
data="$(mktemp -d)"; port=18099; base="http://127.0.0.1:$port"
export LANYARD_DATA_DIR="$data" LANYARD_LISTEN="127.0.0.1:$port" LANYARD_ISSUER="http://localhost:$port" LANYARD_LOG_LEVEL=warn
export LANYARD_SIGNIN_LIMIT_PER_IP=1000000 LANYARD_SIGNIN_LIMIT_PER_ACCOUNT=1000000
"$bin" serve & pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

"$bin" tenant create ACME --name Acme >/dev/null
printf 'Correct-Horse9\n' | "$bin" user create --tenant ACME alice --password-stdin --permanent >/dev/null
secret=$("$bin" client create --name Bench --id bench --redirect-uri http://127.0.0.1:9/cb --grant authorization_code --grant refresh_token --grant client_credentials --alg ES256 --tenant ACME --json | sed -n 's/.*"client_secret": "\([^"]*\)".*/\1/p')
basic=$(printf 'bench:%s' "$secret" | base64 -w0)
cc=$(curl -sf -u "bench:$secret" -d grant_type=client_credentials "$base/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

# A user's access token through the real front channel (curl as the browser).
jar="$data/cookies"; verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk; challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
login=$(curl -s -c "$jar" -o /dev/null -w '%{redirect_url}' "$base/authorize?client_id=bench&redirect_uri=http://127.0.0.1:9/cb&response_type=code&scope=openid%20profile&state=s&code_challenge=$challenge&code_challenge_method=S256")
auth="${login##*auth=}"
csrf=$(curl -s -b "$jar" -c "$jar" "$login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
resume=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' --data-urlencode "csrf=$csrf" -d "auth=$auth&login_name=alice&password=Correct-Horse9&provider_code=ACME" "$base/login")
cb=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' "$resume")
code=$(printf '%s' "$cb" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
user_token=$(curl -sf -u "bench:$secret" -d "grant_type=authorization_code&code=$code&redirect_uri=http://127.0.0.1:9/cb&code_verifier=$verifier" "$base/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

lua="$data/post.lua"
run() { # name, wrk args...
  local name="$1"; shift
  local rps
  rps=$(wrk -t2 -c"$conns" -d"${secs}s" "$@" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
  printf '%-28s %10s req/s\n' "$name" "$rps"
}
post_lua() { # body, extra header line (optional)
  printf 'wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "%s"\n' "$1" "$2" > "$lua"
}
echo "Lanyard $(git rev-parse --short HEAD 2>/dev/null) on SQLite, wrk -t2 -c$conns -d${secs}s, $(nproc) cores"
run "discovery" "$base/.well-known/openid-configuration"
run "jwks" "$base/jwks"
post_lua "grant_type=client_credentials" "Basic $basic"; run "token client_credentials" -s "$lua" "$base/token"
post_lua "token=$cc" "Basic $basic"; run "introspection" -s "$lua" "$base/introspect"
run "userinfo" -H "Authorization: Bearer $user_token" "$base/userinfo"
ps -o rss= -p "$pid" | awk '{printf "resident memory after load: %.1f MiB\n", $1/1024}'
