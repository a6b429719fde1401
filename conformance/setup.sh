#!/usr/bin/env bash
# Creates what the conformance runner needs in a Lanyard deployment — a provider, a user and
# the relying-party clients — with the `lanyard` admin CLI, and writes the runner's setup file.
#
#   conformance/setup.sh <issuer-url> <out.json>
#
# The CLI must reach the same database as the server under test: run this with the same
# LANYARD_* environment (LANYARD_DATA_DIR / LANYARD_DATABASE_URL, ...) the server uses.
# LANYARD_BIN names the binary (default: `lanyard` on PATH).
#
# Every run makes new, uniquely named objects (a random suffix), so it can be repeated against
# the same database. Secrets are printed by the CLI once; they end up only in <out.json>.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <issuer-url> <out.json>" >&2
  exit 2
fi
issuer="${1%/}"
out="$2"
bin="${LANYARD_BIN:-lanyard}"

if ! command -v "$bin" >/dev/null 2>&1 && [[ ! -x "$bin" ]]; then
  echo "setup.sh: lanyard binary not found: $bin (set LANYARD_BIN)" >&2
  exit 2
fi
command -v node >/dev/null || { echo "setup.sh: node is required" >&2; exit 2; }

suffix="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
tenant="CONF-${suffix}"
login="conf-${suffix}"
# A password that satisfies the default composition policy (upper, lower, digit, symbol).
password="Conf-${suffix}-Pw9!"
# The runner never serves these: it reads the Location header (or the form_post page) instead.
redirect_uri="http://127.0.0.1:9/conformance/callback"
post_logout_redirect_uri="http://127.0.0.1:9/conformance/post-logout"

lanyard() {
  # The CLI logs to stderr; keep stdout for the JSON answer.
  "$bin" --json "$@" 2>>"${out}.setup.log"
}

field() { # field <json> <key>: one top-level string field of a JSON object
  node -e 'const o = JSON.parse(process.argv[1]); const v = o[process.argv[2]]; if (v === undefined || v === null) process.exit(1); process.stdout.write(String(v));' "$1" "$2"
}

: >"${out}.setup.log"
trap 'echo "setup.sh: failed; lanyard said:" >&2; cat "${out}.setup.log" >&2' ERR

lanyard tenant create "$tenant" --name "Conformance ${suffix}" >/dev/null
printf '%s\n' "$password" | lanyard user create --tenant "$tenant" "$login" --password-stdin --permanent >/dev/null
# OIDC Core §5.4: the email scope needs an address to return (an administrator's is unverified).
lanyard user set --tenant "$tenant" "$login" --email "$login@conformance.example" >/dev/null

# create_client <key> <cli args...>: registers a client and prints `<key> <client_id> <secret>`.
declare -A ids secrets
create_client() {
  local key="$1"; shift
  local id="conf-${key}-${suffix}"
  local json
  json="$(lanyard client create --name "Conformance ${key}" --id "$id" --redirect-uri "$redirect_uri" --tenant "$tenant" "$@")"
  ids[$key]="$(field "$json" client_id)"
  secrets[$key]="$(field "$json" client_secret || true)"
}

create_client basic --post-logout-redirect-uri "$post_logout_redirect_uri"
create_client basic2
create_client post --auth-method client_secret_post
create_client public --public
create_client es256 --alg ES256
create_client eddsa --alg EdDSA
create_client logout --post-logout-redirect-uri "$post_logout_redirect_uri"
keys=(basic basic2 post public es256 eddsa logout)
methods=(client_secret_basic client_secret_basic client_secret_post none client_secret_basic client_secret_basic client_secret_basic)
algs=(RS256 RS256 RS256 RS256 ES256 EdDSA RS256)

# Optional clients, when this Lanyard's CLI knows the option.
help="$("$bin" client create --help 2>/dev/null || true)"
backchannel_logout_uri=""
if grep -q -- '--backchannel-logout-uri' <<<"$help"; then
  # The runner listens on this loopback port while oidcc-backchannel-rp-initiated-logout runs.
  bc_port="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
  backchannel_logout_uri="http://127.0.0.1:${bc_port}/conformance/backchannel-logout"
  create_client backchannel --post-logout-redirect-uri "$post_logout_redirect_uri" --backchannel-logout-uri "$backchannel_logout_uri"
  keys+=(backchannel); methods+=(client_secret_basic); algs+=(RS256)
fi
if grep -q -- '--jwt-access-tokens' <<<"$help"; then
  create_client jwt --jwt-access-tokens
  keys+=(jwt); methods+=(client_secret_basic); algs+=(RS256)
fi

# FAPI 2.0 (issue 29): a client held to the profile, with an ES256 key it signs with and an RSA
# key it must not use (RS256 is outside FAPI 2.0); the private keys go to the setup file.
fapi2_keys='{}'
if grep -q -- '--profile' <<<"$help"; then
  fapi2_keys="$(node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const es = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const rs = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    process.stdout.write(JSON.stringify({ keys: [{ ...es, kid: "es", alg: "ES256" }, { ...rs, kid: "rs", alg: "RS256" }] }));
  ')"
  node -e '
    const keys = JSON.parse(process.argv[1]).keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub);
    process.stdout.write(JSON.stringify({ keys }));
  ' "$fapi2_keys" >"${out}.fapi2.jwks"
  create_client fapi2 --auth-method private_key_jwt --jwks-file "${out}.fapi2.jwks" --profile fapi2 --alg ES256 \
    --grant authorization_code --grant refresh_token
  rm -f "${out}.fapi2.jwks"
  keys+=(fapi2); methods+=(private_key_jwt); algs+=(ES256)
fi

client_json() { # client_json <key> <auth method> <alg>
  node -e '
    const [id, secret, method, alg] = process.argv.slice(1);
    const c = { client_id: id, token_endpoint_auth_method: method, id_token_signed_response_alg: alg };
    if (secret) c.client_secret = secret;
    process.stdout.write(JSON.stringify(c));
  ' "${ids[$1]}" "${secrets[$1]}" "$2" "$3"
}

clients_json=()
for i in "${!keys[@]}"; do
  clients_json+=("${keys[$i]}" "$(client_json "${keys[$i]}" "${methods[$i]}" "${algs[$i]}")")
done

node -e '
  const [issuer, redirect, postLogout, backchannel, fapi2Keys, tenant, login, password, ...pairs] = process.argv.slice(1);
  const clients = {};
  for (let i = 0; i < pairs.length; i += 2) clients[pairs[i]] = JSON.parse(pairs[i + 1]);
  for (const k of ["basic", "logout", "backchannel"]) if (clients[k]) clients[k].post_logout_redirect_uris = [postLogout];
  if (clients.backchannel) clients.backchannel.backchannel_logout_uri = backchannel;
  if (clients.jwt) clients.jwt.access_token_format = "jwt";
  if (clients.fapi2) Object.assign(clients.fapi2, { profile: "fapi2", private_jwks: JSON.parse(fapi2Keys) });
  const setup = {
    issuer,
    redirect_uri: redirect,
    post_logout_redirect_uri: postLogout,
    user: { provider_code: tenant, login_name: login, password },
    clients,
  };
  process.stdout.write(JSON.stringify(setup, null, 2) + "\n");
' "$issuer" "$redirect_uri" "$post_logout_redirect_uri" "$backchannel_logout_uri" "$fapi2_keys" "$tenant" "$login" "$password" \
  "${clients_json[@]}" >"$out"
chmod 600 "$out"
rm -f "${out}.setup.log"
echo "setup.sh: wrote $out (provider $tenant, user $login, clients: ${keys[*]})" >&2
