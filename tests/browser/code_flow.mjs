// The OIDC code flow in a real browser (issue: OIDC core): a relying party's authorization
// request, Lanyard's sign-in page, and the redirect back to the RP with a code.
// Watch-out this guards: a CSP `form-action` would block the 303 after the sign-in POST.
// Usage: node code_flow.mjs <issuer> <screenshot-dir>   (env LANYARD_BIN + LANYARD_* for the CLI)
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";

const [issuer, shots] = process.argv.slice(2);
const b64u = (buf) => buf.toString("base64url");

// The relying party's callback: records what arrives.
const arrived = [];
const rp = createServer((req, res) => {
  const u = new URL(req.url, "http://127.0.0.1");
  if (u.pathname === "/callback") arrived.push(u);
  res.writeHead(200, { "content-type": "text/html" }).end("<title>RP</title><p id=rp>callback received</p>");
});
await new Promise((r) => rp.listen(0, "127.0.0.1", r));
const redirectUri = `http://127.0.0.1:${rp.address().port}/callback`;

const created = JSON.parse(execFileSync(process.env.LANYARD_BIN, [
  "client", "create", "--name", "Browser RP", "--public", "--redirect-uri", redirectUri, "--tenant", "DEMO", "--json",
], { env: process.env }).toString());

const verifier = b64u(randomBytes(32));
const challenge = b64u(createHash("sha256").update(verifier).digest());
const state = b64u(randomBytes(16));
const url = new URL(`${issuer}/authorize`);
for (const [k, v] of Object.entries({
  client_id: created.client_id, redirect_uri: redirectUri, response_type: "code", scope: "openid profile",
  state, nonce: b64u(randomBytes(16)), code_challenge: challenge, code_challenge_method: "S256",
})) url.searchParams.set(k, v);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const violations = [];
try {
  const page = await browser.newPage();
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(url.toString());
  await page.getByLabel("Login Name").fill("alice");
  await page.getByLabel("Password", { exact: true }).fill("Lanyard-Demo-1");
  await page.getByLabel("Provider Code").fill("DEMO");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.toString().startsWith(redirectUri));
  await page.screenshot({ path: `${shots}/code_flow_callback.png` });
  assert.equal(arrived.length, 1);
  const back = arrived[0];
  assert.ok(back.searchParams.get("code"), "a code");
  assert.equal(back.searchParams.get("state"), state);
  assert.equal(back.searchParams.get("iss"), issuer);

  // The code is good at the token endpoint (public client + PKCE).
  const tokenRes = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", code: back.searchParams.get("code"), redirect_uri: redirectUri,
      client_id: created.client_id, code_verifier: verifier,
    }),
  });
  assert.equal(tokenRes.status, 200, await tokenRes.clone().text());
  const tokens = await tokenRes.json();
  assert.ok(tokens.id_token && tokens.access_token);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: code flow passed");
} finally {
  await browser.close();
  rp.close();
}
