// The OIDC code flow in a real browser (issue: OIDC core): a relying party's authorization
// request, Lanyard's sign-in page, and the redirect back to the RP with a code.
// Watch-out this guards: a CSP `form-action` would block the 303 after the sign-in POST.
// Usage: node code_flow.mjs <issuer> <screenshot-dir>   (env LANYARD_BIN + LANYARD_* for the CLI)
import assert from "node:assert/strict";
import { authorizeRequest, launch, signIn, startRp } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const rp = await startRp();
const req = authorizeRequest(issuer, rp);
const { browser, page, violations } = await launch();
try {
  await page.goto(req.url);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL((u) => u.toString().startsWith(rp.redirectUri));
  await page.screenshot({ path: `${shots}/code_flow_callback.png` });
  assert.equal(rp.arrived.length, 1);
  const back = rp.arrived[0];
  assert.ok(back.searchParams.get("code"), "a code");
  assert.equal(back.searchParams.get("state"), req.state);
  assert.equal(back.searchParams.get("iss"), issuer);

  // The code is good at the token endpoint (public client + PKCE).
  const tokenRes = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", code: back.searchParams.get("code"), redirect_uri: rp.redirectUri,
      client_id: rp.clientId, code_verifier: req.verifier,
    }),
  });
  assert.equal(tokenRes.status, 200, await tokenRes.clone().text());
  const tokens = await tokenRes.json();
  assert.ok(tokens.id_token && tokens.access_token);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: code flow passed");
} finally {
  await browser.close();
  rp.server.close();
}
