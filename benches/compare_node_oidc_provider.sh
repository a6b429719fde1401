#!/usr/bin/env bash
# The same wrk load as benches/http_load.sh (discovery, JWKS, client_credentials, introspection,
# userinfo), pointed at node-oidc-provider (panva's `oidc-provider`, pinned in
# benches/node-oidc-provider/package.json) so the two can be read side by side on one machine.
# node-oidc-provider runs as one Node process, NODE_ENV=production, built-in in-memory adapter,
# one ES256 key made at start, opaque access tokens; see server.mjs. Prints requests/s per endpoint
# and the process's resident memory idle (right after start) and after load, then stops it.
# Needs node (20+), npm (registry reachable for `npm ci`), curl and wrk. Loopback only.
# Usage: benches/compare_node_oidc_provider.sh [seconds per endpoint, default 10] [connections, default 32]
#        (PORT=... to move it off 18098)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"; conns="${2:-32}"
die() {
  echo "compare_node_oidc_provider: $*" >&2
  if [ -s "${tmp:-/nonexistent}/server.log" ]; then echo "server.mjs log (last lines):" >&2; tail -n 5 "$tmp/server.log" >&2; fi
  exit 1
}
command -v wrk >/dev/null || die "install wrk (apt-get install wrk)"
command -v node >/dev/null && command -v npm >/dev/null || die "install Node.js 20+ and npm"
command -v curl >/dev/null || die "install curl"

dir=benches/node-oidc-provider
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in $dir failed"
version=$(node -p "require('./$dir/node_modules/oidc-provider/package.json').version")

tmp="$(mktemp -d)"; port="${PORT:-18098}"; base="http://127.0.0.1:$port"
curl -s -o /dev/null "$base/" && die "something already listens on 127.0.0.1:$port (set PORT=...)"
secret=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')
NODE_ENV=production PORT="$port" BENCH_CLIENT_SECRET="$secret" node "$dir/server.mjs" >"$tmp/server.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

# fetch WHAT CURL-ARGS... : prints the body; stops the script unless the answer is 200.
fetch() {
  local what="$1" status; shift
  status=$(curl -s -o "$tmp/body" -w '%{http_code}' "$@") || die "$what: request failed (curl exit $?)"
  [ "$status" = 200 ] || die "$what: HTTP $status, expected 200: $(head -c 400 "$tmp/body")"
  cat "$tmp/body"
}
# json KEY : the value of a top-level member of the JSON object on stdin; fails when absent.
json() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v;try{v=JSON.parse(s)[process.argv[1]]}catch{}
    if(v===undefined||v===null)process.exit(1);console.log(typeof v==="string"?v:JSON.stringify(v))})' "$1"
}
# fetch_json WHAT KEY CURL-ARGS... : fetch, then print member KEY of the JSON answer.
fetch_json() {
  local what="$1" key="$2" body; shift 2
  body=$(fetch "$what" "$@") || exit 1
  json "$key" <<<"$body" || die "$what: no \"$key\" in the answer: $(head -c 400 <<<"$body")"
}

for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$base/.well-known/openid-configuration" && break
  kill -0 "$pid" 2>/dev/null || die "server.mjs exited: $(cat "$tmp/server.log")"
  sleep 0.1
done
discovery=$(fetch "discovery" "$base/.well-known/openid-configuration")
idle_rss=$(ps -o rss= -p "$pid")
ep() { json "$1" <<<"$discovery" || die "discovery has no $1"; }
authorization_endpoint=$(ep authorization_endpoint); token_endpoint=$(ep token_endpoint)
jwks_uri=$(ep jwks_uri); introspection_endpoint=$(ep introspection_endpoint); userinfo_endpoint=$(ep userinfo_endpoint)
fetch_json "jwks" keys "$jwks_uri" >/dev/null
basic=$(printf 'bench:%s' "$secret" | base64 -w0)

cc_token() { # a fresh client_credentials access token that introspection reports active
  local token
  token=$(fetch_json "token client_credentials" access_token -u "bench:$secret" -d grant_type=client_credentials "$token_endpoint")
  check_active "$token"
  printf '%s' "$token"
}
check_active() {
  local active
  active=$(fetch_json "introspection" active -u "bench:$secret" -d "token=$1" "$introspection_endpoint")
  [ "$active" = true ] || die "introspection: the client_credentials token is not active"
}

# A user's access token through the front channel (curl as the browser, PKCE S256, the same
# verifier as http_load.sh); server.mjs's interaction route signs the fixed account in and
# grants the requested scopes.
jar="$tmp/cookies"; verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk; challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
user_token() {
  local url="$authorization_endpoint?client_id=bench&redirect_uri=http://127.0.0.1:9/cb&response_type=code&scope=openid%20profile&state=s&code_challenge=$challenge&code_challenge_method=S256"
  local hop out status code token
  for hop in $(seq 1 10); do
    out=$(curl -s -b "$jar" -c "$jar" -o "$tmp/body" -w '%{http_code} %{redirect_url}' "$url") || die "code flow: request to $url failed"
    status="${out%% *}"; url="${out#* }"
    case "$status" in 30[23]) ;; *) die "code flow: HTTP $status at hop $hop, expected a redirect: $(head -c 400 "$tmp/body")" ;; esac
    [[ "$url" == http://127.0.0.1:9/cb* ]] && break
  done
  [[ "$url" == http://127.0.0.1:9/cb* ]] || die "code flow: never reached the redirect_uri (last: $url)"
  code=$(printf '%s' "$url" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
  [ -n "$code" ] || die "code flow: no code in $url"
  token=$(fetch_json "token authorization_code" access_token -u "bench:$secret" \
    -d "grant_type=authorization_code&code=$code&redirect_uri=http://127.0.0.1:9/cb&code_verifier=$verifier" "$token_endpoint")
  check_userinfo "$token"
  printf '%s' "$token"
}
check_userinfo() {
  fetch_json "userinfo" sub -H "Authorization: Bearer $1" "$userinfo_endpoint" >/dev/null
}

# Every step once before any load, so a broken set-up fails in seconds.
cc_token >/dev/null; user_token >/dev/null

lua="$tmp/post.lua"; failed=0
run() { # name, wrk args...
  local name="$1" out rps bad; shift
  out=$(wrk -t2 -c"$conns" -d"${secs}s" "$@" 2>&1) || die "$name: wrk failed: $out"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")
  printf '%-28s %10s req/s\n' "$name" "$rps"
  if [ -n "$bad" ]; then echo "  ^ $bad responses were not 2xx/3xx" >&2; failed=1; fi
}
post_lua() { # body, Authorization header value
  printf 'wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "%s"\n' "$1" "$2" > "$lua"
}
echo "node-oidc-provider $version on Node $(node -v) (NODE_ENV=production, in-memory adapter), wrk -t2 -c$conns -d${secs}s, $(nproc) cores"
run "discovery" "$base/.well-known/openid-configuration"
run "jwks" "$jwks_uri"
post_lua "grant_type=client_credentials" "Basic $basic"; run "token client_credentials" -s "$lua" "$token_endpoint"
# The in-memory adapter is an LRU of about 1000-2000 entries, so the tokens the load above minted
# have pushed out everything older: take the introspected and the userinfo token only now, and
# check after each run that the token was still good at its end.
cc=$(cc_token); user=$(user_token)
post_lua "token=$cc" "Basic $basic"; run "introspection" -s "$lua" "$introspection_endpoint"
check_active "$cc"
run "userinfo" -H "Authorization: Bearer $user" "$userinfo_endpoint"
check_userinfo "$user"
ps -o rss= -p "$pid" | awk '{printf "resident memory after load: %.1f MiB\n", $1/1024}'
awk '{printf "resident memory idle after start: %.1f MiB\n", $1/1024}' <<<"$idle_rss"
[ "$failed" = 0 ] || die "some requests under load did not succeed (see above); the numbers are not comparable"
