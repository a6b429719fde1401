// The parts of benches/side_by_side.sh that take more than one request: the code flow (as a
// browser would, cookies and redirects by hand), the refresh tokens that seed the rotating
// refresh load, and the full login flow under load. Node's own fetch, no dependencies.
//
//   node driver.mjs token   SERVER BASE SECRET            → one user access token
//   node driver.mjs seeds   SERVER BASE SECRET N          → N refresh tokens, one per line
//   node driver.mjs logins  SERVER BASE SECRET USERS CONCURRENCY SECONDS → one JSON line
//
// SERVER is `node` for node-oidc-provider's bench server (its interaction route signs the fixed
// account in without a password and grants consent); any other name is a Lanyard, signed in
// through the form with a password (accounts user1..userN of provider ACME, Correct-Horse9).
import { createHash, randomBytes } from 'node:crypto';

const [, , command, server, base, secret, ...rest] = process.argv;
const CALLBACK = 'http://127.0.0.1:9/cb';
const PASSWORD = 'Correct-Horse9';
const basic = `Basic ${Buffer.from(`bench:${secret}`).toString('base64')}`;
let discovery;

class Jar {
  constructor() { this.cookies = new Map(); }
  keep(response) {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

async function send(jar, url, init = {}) {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
  jar.keep(response);
  return response;
}

function fail(what, detail) {
  throw new Error(`${what}: ${detail}`);
}

async function endpoints() {
  discovery ??= await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  return discovery;
}

/** The code flow to the redirect URI; returns the token endpoint's answer. `user` names the account. */
async function codeFlow(jar, user, scope) {
  const { authorization_endpoint: authorize, token_endpoint: token } = await endpoints();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: 'bench', redirect_uri: CALLBACK, response_type: 'code', scope, state: 's', nonce: 'n',
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  if (scope.includes('offline_access')) query.set('prompt', 'consent');
  let url = `${authorize}?${query}`;
  for (let hop = 0; hop < 12 && !url.startsWith(CALLBACK); hop += 1) {
    let response = await send(jar, url);
    if (response.status === 200 && server !== 'node') {
      // The sign-in page: post the form with its CSRF token.
      const page = await response.text();
      const csrf = page.match(/name="csrf" value="([^"]*)"/)?.[1] ?? fail('sign-in page', 'no csrf field');
      const auth = new URL(url).searchParams.get('auth') ?? '';
      const form = new URLSearchParams({ csrf, auth, login_name: user, password: PASSWORD, provider_code: 'ACME' });
      response = await send(jar, new URL('/login', base).href, {
        method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    } else {
      await response.arrayBuffer();
    }
    const location = response.headers.get('location') ?? fail('code flow', `HTTP ${response.status} without a redirect at ${url}`);
    url = new URL(location, url).href;
  }
  const code = new URL(url).searchParams.get('code') ?? fail('code flow', `no code in ${url}`);
  const response = await fetch(token, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
  });
  const body = await response.json();
  if (!body.access_token) fail('token', JSON.stringify(body));
  return body;
}

async function token() {
  console.log((await codeFlow(new Jar(), 'user1', 'openid profile')).access_token);
}

async function seeds(count) {
  // Each seed is its own sign-in, as a pool of tokens held by different people would be. (Riding
  // one session, every token of node-oidc-provider shared one grant and one session, and its
  // refresh ran at half the speed of an independently configured copy: 765 against 1,686 req/s
  // on this machine, issue 31. Lanyard's speed does not depend on it.)
  const minted = [];
  for (let i = 0; i < count; i += 1) {
    // node-oidc-provider issues refresh tokens for offline_access only; Lanyard to every client
    // registered for the refresh_token grant.
    const scope = server === 'node' ? 'openid profile offline_access' : 'openid profile';
    const answer = await codeFlow(new Jar(), 'user1', scope);
    minted.push(answer.refresh_token ?? fail('seeds', 'no refresh token issued'));
  }
  console.log(minted.join('\n'));
}

async function logins(users, concurrency, seconds) {
  const latencies = [];
  let failures = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  async function worker() {
    while (performance.now() < until) {
      next += 1;
      const at = performance.now();
      try {
        // A new browser each time: a full sign-in, spread over the accounts.
        await codeFlow(new Jar(), `user${(next % users) + 1}`, 'openid profile');
        latencies.push(performance.now() - at);
      } catch {
        failures += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : 0);
  console.log(JSON.stringify({
    logins: latencies.length,
    failures,
    per_sec: latencies.length / elapsed,
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    driver_cpu_secs: (used.user + used.system) / 1e6,
    seconds: elapsed,
  }));
}

try {
  if (command === 'token') await token();
  else if (command === 'seeds') await seeds(Number(rest[0]));
  else if (command === 'logins') await logins(Number(rest[0]), Number(rest[1]), Number(rest[2]));
  else fail('usage', 'driver.mjs token|seeds|logins SERVER BASE SECRET ...');
} catch (error) {
  console.error(`driver.mjs ${command} (${server}): ${error.message}`);
  process.exit(1);
}
